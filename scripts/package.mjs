// Packages Coop as platform-specific VSIX files in dist/, one per VS Code target, each holding only that
// target's llama.cpp binaries (an unpruned node_modules carries every platform's: 360-460 MB).
//   node scripts/package.mjs                                  the current platform
//   node scripts/package.mjs --target linux-x64 [--target …]   the named targets
//   node scripts/package.mjs --target all                     every target whose binaries are installed here
// Each target is staged in a temporary folder (production bundles, the shipped files, a package.json
// with only the runtime dependencies, a node_modules copied from this one, and the llama.cpp files the
// tiny models read, extracted from node-llama-cpp's source bundle) and packaged there with
// `vsce package --target`; .vscodeignore decides which of the staged files ship. Needs git (to check
// the source bundle out); the packaged extension does not.
// Prints one line per VSIX with its size, then the path of the last VSIX as the final stdout line.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { constants, cp, mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { tsImport } from "tsx/esm/api";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The VS Code targets Coop ships, with node-llama-cpp's prebuilt binary packages for each. CUDA is
 * left out (its packages add 180-540 MB): on an NVIDIA machine node-llama-cpp falls back to Vulkan,
 * then to the CPU, and `getLlama` is called with `build: "never"`, so it never compiles instead.
 */
export const vsixTargets = {
  "linux-x64": { os: "linux", cpu: "x64", libc: "glibc", binaries: ["linux-x64", "linux-x64-vulkan"] },
  "linux-arm64": { os: "linux", cpu: "arm64", libc: "glibc", binaries: ["linux-arm64"] },
  "linux-armhf": { os: "linux", cpu: "arm", libc: "glibc", binaries: ["linux-armv7l"] },
  "darwin-x64": { os: "darwin", cpu: "x64", binaries: ["mac-x64"] },
  "darwin-arm64": { os: "darwin", cpu: "arm64", binaries: ["mac-arm64-metal"] },
  "win32-x64": { os: "win32", cpu: "x64", binaries: ["win-x64", "win-x64-vulkan"] },
  "win32-arm64": { os: "win32", cpu: "arm64", binaries: ["win-arm64"] },
};

/** VS Code targets Coop cannot run on, and why. */
const unsupportedTargets = {
  "alpine-x64": "node-llama-cpp ships prebuilt binaries for glibc only, and Alpine uses musl",
  "alpine-arm64": "node-llama-cpp ships prebuilt binaries for glibc only, and Alpine uses musl",
  web: "Coop's engine runs llama.cpp natively in a Node process, which VS Code for the Web does not have",
};

/** What the bundles load from node_modules at run time; everything else they import is bundled. */
const runtimeModules = [
  "node-llama-cpp", // external to the bundles: ESM-only and native (esbuild.mjs)
  "web-tree-sitter", // its JS is bundled; web-tree-sitter.wasm is resolved in node_modules (engine/syntax/wasmFiles.ts)
  "@vscode/tree-sitter-wasm", // the grammars' wasm files, resolved the same way
  "typescript", // the detector's compiler check: import()ed in its worker thread, with its lib.*.d.ts files
];

/**
 * What of the typescript package the detector's compiler check loads: its language service and the
 * standard library declarations; not tsc, tsserver, the typings installer nor their localized messages
 * (about 15 MB).
 */
function typeScriptFileUsed(path) {
  const inLib = /[\\/]typescript[\\/]lib[\\/]([^\\/]+)$/.exec(path)?.[1];
  if (inLib !== undefined) return inLib === "typescript.js" || /^lib\..+\.d\.ts$/.test(inLib);
  // Not under lib: the package's own files, or lib's folders (whose files are kept only as above).
  return !/[\\/]typescript[\\/]lib[\\/]./.test(path);
}

const licenseFiles = ["LICENSE", "LICENSE.md", "LICENSE.txt"];

/** Files and folders of the repo root that are staged; .vscodeignore has the last word on what ships. */
const stagedRootEntries = [
  "README.md",
  ...licenseFiles,
  "CHANGELOG.md",
  "models.json",
  "models.schema.json",
  "media",
  ".vscodeignore",
];

class UsageError extends Error {}

async function main() {
  const targets = chooseTargets(process.argv.slice(2));
  const manifest = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8"));
  const work = await mkdtemp(join(tmpdir(), "coop-package-"));
  const cleanUp = () => rm(work, { recursive: true, force: true });
  process.once("SIGINT", () => void cleanUp().finally(() => process.exit(130)));
  try {
    const bundles = join(work, "out");
    await buildProductionBundles(bundles);
    const llamaCppSource = await extractLlamaCppCorpora(work);
    if (!licenseFiles.some((file) => existsSync(join(repoRoot, file)))) {
      console.error(
        `note: no LICENSE file in ${repoRoot}; the VSIX ships without one (package.json says ${manifest.license ?? "nothing"})`,
      );
    }
    let last;
    for (const target of targets) {
      const stage = join(work, target);
      const packages = await stageTarget(stage, target, manifest, bundles, llamaCppSource);
      last = await packageStage(stage, target, manifest);
      const { size } = await stat(last);
      const binaries = vsixTargets[target].binaries.map((name) => `@node-llama-cpp/${name}`).join(", ");
      console.log(
        `${relative(process.cwd(), last)}  ${(size / 1e6).toFixed(1)} MB  (${target}: ${binaries}; ${packages} packages)`,
      );
      await rm(stage, { recursive: true, force: true });
    }
    console.log(last);
  } finally {
    await cleanUp();
  }
}

/** The targets asked for, each checked: a known target, supported, with its binaries installed here. */
function chooseTargets(args) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { target: { type: "string", multiple: true } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(
      `${error.message}\nusage: node scripts/package.mjs [--target <target>]... | --target all`,
    );
  }
  const asked = values.target ?? [currentTarget()];
  if (asked.includes("all")) {
    const available = Object.keys(vsixTargets).filter((target) => missingBinaries(target).length === 0);
    for (const target of Object.keys(vsixTargets)) {
      if (!available.includes(target)) console.error(`skipped ${target}: ${missingBinariesMessage(target)}`);
    }
    if (available.length === 0)
      throw new UsageError("no target can be packaged here: no node-llama-cpp binary package is installed");
    return available;
  }
  for (const target of asked) {
    if (target in unsupportedTargets)
      throw new UsageError(`Coop cannot be packaged for ${target}: ${unsupportedTargets[target]}.`);
    if (!(target in vsixTargets)) {
      throw new UsageError(
        `unknown target "${target}": use one of ${Object.keys(vsixTargets).join(", ")}, or all`,
      );
    }
  }
  const refused = asked.filter((target) => missingBinaries(target).length > 0);
  if (refused.length > 0)
    throw new UsageError(
      refused.map((target) => `Cannot package ${target}: ${missingBinariesMessage(target)}`).join("\n"),
    );
  return [...new Set(asked)];
}

/** The VS Code target of this machine. */
function currentTarget() {
  const cpu = { x64: "x64", arm64: "arm64", arm: "armhf" }[process.arch];
  const musl = process.platform === "linux" && !process.report.getReport().header.glibcVersionRuntime;
  const os = musl ? "alpine" : process.platform;
  if (cpu === undefined || !["linux", "darwin", "win32", "alpine"].includes(os)) {
    throw new UsageError(
      `this machine (${process.platform}-${process.arch}) is no VS Code target: name one with --target`,
    );
  }
  return `${os}-${cpu}`;
}

/** node-llama-cpp's binary packages for a target that are not installed (at node-llama-cpp's own version). */
function missingBinaries(target) {
  const wanted = nodeLlamaCppManifest().optionalDependencies ?? {};
  return vsixTargets[target].binaries
    .map((name) => `@node-llama-cpp/${name}`)
    .filter((name) => {
      const file = join(repoRoot, "node_modules", name, "package.json");
      return !existsSync(file) || JSON.parse(readFileSync(file, "utf8")).version !== wanted[name];
    })
    .map((name) => `${name}@${wanted[name]}`);
}

function missingBinariesMessage(target) {
  return (
    `its llama.cpp binaries (${missingBinaries(target).join(", ")}) are not installed in node_modules. ` +
    `npm installs only the binary packages of the machine it runs on (this one is ${process.platform}-${process.arch}): ` +
    `package ${target} on a ${target} machine.`
  );
}

function nodeLlamaCppManifest() {
  return JSON.parse(readFileSync(join(repoRoot, "node_modules", "node-llama-cpp", "package.json"), "utf8"));
}

/**
 * The bundles as `node esbuild.mjs --production` builds them, written to `outdir` (the repo's out/ stays as
 * it is).
 */
async function buildProductionBundles(outdir) {
  const esbuild = await import("esbuild");
  const { targetsFor } = await import(pathToFileURL(join(repoRoot, "esbuild.mjs")).href);
  await Promise.all(targetsFor({ production: true, outdir }).map((options) => esbuild.build(options)));
}

/**
 * The llama.cpp files the tiny models' corpora read, with llama.cpp's licence and the marker the engine
 * checks, extracted by the engine's own code (engine/tinymodel/extractLlamaCppSource.ts) into
 * `work/llama.cpp`: the VSIX ships them instead of node-llama-cpp's 35 MB source bundle, and the engine
 * then needs no git. Returns the folder and where it goes in the extension.
 */
async function extractLlamaCppCorpora(work) {
  const load = (file) =>
    tsImport(pathToFileURL(join(repoRoot, "engine", "tinymodel", file)).href, import.meta.url);
  const { extractLlamaCppSource } = await load("extractLlamaCppSource.ts");
  const { packagedLlamaCppSourceFolder } = await load("extractedLlamaCppSource.ts");
  const dir = join(work, "llama.cpp");
  const marker = await extractLlamaCppSource(join(repoRoot, "node_modules", "node-llama-cpp"), dir, {
    checkoutCacheDir: join(work, "checkout"),
  });
  await rm(join(work, "checkout"), { recursive: true, force: true });
  const files = marker.corpora.reduce((count, corpus) => count + Object.keys(corpus.files).length, 0);
  console.error(
    `extracted ${files} llama.cpp files from node-llama-cpp ${marker.nodeLlamaCppVersion}'s source bundle into ${packagedLlamaCppSourceFolder}/`,
  );
  return { dir, folder: packagedLlamaCppSourceFolder };
}

/** Lays out one target's extension folder; returns how many node_modules packages it holds. */
async function stageTarget(stage, target, manifest, bundles, llamaCppSource) {
  await mkdir(stage, { recursive: true });
  await writeFile(join(stage, "package.json"), JSON.stringify(stagedManifest(manifest), null, 2) + "\n");
  await cp(bundles, join(stage, "out"), { recursive: true });
  await cp(llamaCppSource.dir, join(stage, ...llamaCppSource.folder.split("/")), { recursive: true });
  for (const entry of stagedRootEntries) {
    if (existsSync(join(repoRoot, entry)))
      await cp(join(repoRoot, entry), join(stage, entry), { recursive: true });
  }
  const packageDirs = runtimePackageDirs(target);
  for (const dir of packageDirs) {
    const nested = join(dir, "node_modules");
    await cp(dir, join(stage, relative(repoRoot, dir)), {
      recursive: true,
      mode: constants.COPYFILE_FICLONE,
      // Packages nested in this one are staged on their own, if the target needs them.
      filter: (source) =>
        source !== nested && (!dir.endsWith(`${sep}typescript`) || typeScriptFileUsed(source)),
    });
  }
  return packageDirs.length;
}

/** The manifest as the VSIX carries it: no scripts, no dev tooling, no CLI, only the runtime dependencies. */
function stagedManifest(manifest) {
  const { scripts: _scripts, devDependencies: _dev, bin: _bin, dependencies, ...rest } = manifest;
  const runtime = {};
  for (const name of runtimeModules) {
    if (!dependencies?.[name])
      throw new Error(
        `package.json does not list ${name} in "dependencies", but the bundles load it at run time`,
      );
    runtime[name] = dependencies[name];
  }
  return { ...rest, dependencies: runtime };
}

/**
 * The installed package folders the target needs: the runtime modules and their dependency closure
 * (Node's resolution: nearest node_modules first), without packages made for other platforms, plus
 * node-llama-cpp's binary packages chosen for the target.
 */
function runtimePackageDirs(target) {
  const platform = vsixTargets[target];
  const dirs = new Set();
  const visit = (dir) => {
    if (dirs.has(dir)) return;
    dirs.add(dir);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const optional = pkg.optionalDependencies ?? {};
    for (const name of Object.keys({ ...pkg.dependencies, ...optional })) {
      if (name.startsWith("@node-llama-cpp/")) continue; // chosen per target below
      const found = resolvePackageDir(name, dir);
      const fits =
        found !== undefined &&
        fitsPlatform(JSON.parse(readFileSync(join(found, "package.json"), "utf8")), platform);
      if (fits) visit(found);
      else if (!(name in optional)) {
        throw new Error(
          `${pkg.name} needs ${name}, which is ${found ? `not made for ${target}` : "not installed: run npm ci"}`,
        );
      }
    }
  };
  for (const name of runtimeModules) visit(join(repoRoot, "node_modules", name));
  const nodeLlamaCpp = join(repoRoot, "node_modules", "node-llama-cpp");
  for (const name of platform.binaries) visit(resolvePackageDir(`@node-llama-cpp/${name}`, nodeLlamaCpp));
  return [...dirs].sort();
}

function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; dir.startsWith(repoRoot); dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dirname(dir) === dir) break;
  }
  return undefined;
}

/** npm's rule for a package's os/cpu/libc fields (a `!` entry excludes), against a target. */
function fitsPlatform(pkg, platform) {
  const allows = (list, value) => {
    if (!Array.isArray(list) || list.length === 0 || value === undefined) return true;
    const denied = list.filter((entry) => entry.startsWith("!")).map((entry) => entry.slice(1));
    const allowed = list.filter((entry) => !entry.startsWith("!"));
    return !denied.includes(value) && (allowed.length === 0 || allowed.includes(value));
  };
  return allows(pkg.os, platform.os) && allows(pkg.cpu, platform.cpu) && allows(pkg.libc, platform.libc);
}

/** Runs `vsce package --target` in the stage; its output goes to stderr so stdout stays ours. */
async function packageStage(stage, target, manifest) {
  const out = join(repoRoot, "dist", `${manifest.name}-${target}-${manifest.version}.vsix`);
  await mkdir(dirname(out), { recursive: true });
  const vsce = join(dirname(createRequire(import.meta.url).resolve("@vscode/vsce/package.json")), "vsce");
  const hasLicense = licenseFiles.some((file) => existsSync(join(stage, file)));
  const args = [vsce, "package", "--target", target, "--out", out, "--no-yarn", "--allow-missing-repository"];
  if (!hasLicense) args.push("--skip-license");
  const child = spawn(process.execPath, args, { cwd: stage, stdio: ["ignore", "pipe", "inherit"] });
  child.stdout.pipe(process.stderr);
  const code = await new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (exitCode, signal) => resolve(signal ? 1 : exitCode));
  });
  if (code !== 0)
    throw new Error(`vsce package --target ${target} failed (exit ${code}); its messages are above`);
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof UsageError ? error.message : error);
    process.exit(1);
  }
}
