import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { extractLlamaCppSource } from "../../engine/tinymodel/extractLlamaCppSource.js";
import {
  checkExtractedLlamaCppSource,
  extractedSourceMarkerFile,
  packagedLlamaCppSourceDir,
  type ExtractedLlamaCppSourceMarker,
} from "../../engine/tinymodel/extractedLlamaCppSource.js";
import {
  llamaCppSourceDir,
  LlamaCppSourceUnavailableError,
  type GitRunner,
} from "../../engine/tinymodel/llamaCppSource.js";
import { pinnedCorpora } from "../../engine/tinymodel/pinnedCorpora.js";
import { tinyModelSetKey } from "../../engine/tinymodel/tinyModelStore.js";
import { coopCacheDir } from "../support/cacheDir.js";
import { fixtureCorpora, nodeLlamaCppDir } from "../support/fixtures.js";
import { repoRoot } from "../support/repoRoot.js";

let scratch: string;
/** llama.cpp's corpus files extracted from node-llama-cpp's bundle, as scripts/package.mjs ships them. */
let extracted: string;
let extractedMarker: ExtractedLlamaCppSourceMarker;

/** A git that must not be run: records the call and fails the way a missing git does. */
function forbiddenGit(calls: string[][]): GitRunner {
  return (args) => {
    calls.push(args);
    return Promise.reject(Object.assign(new Error("spawn git ENOENT"), { code: "ENOENT" }));
  };
}

/** A copy of the extracted folder, changed by `edit`. */
async function alteredCopy(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(scratch, name);
  await cp(extracted, dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editMarker(dir: string, edit: (marker: ExtractedLlamaCppSourceMarker) => void): Promise<void> {
  const path = join(dir, extractedSourceMarkerFile);
  const marker = JSON.parse(await readFile(path, "utf8")) as ExtractedLlamaCppSourceMarker;
  edit(marker);
  await writeFile(path, JSON.stringify(marker));
}

async function emptyCache(name: string): Promise<string> {
  const dir = join(scratch, name);
  await mkdir(dir);
  return dir;
}

before(async () => {
  scratch = await mkdtemp(join(tmpdir(), "coop-llama-cpp-source-"));
  extracted = join(scratch, "extracted");
  // The checkout the fixtures use (in the shared cache) is reused, so this runs git at most once.
  extractedMarker = await extractLlamaCppSource(nodeLlamaCppDir, extracted, {
    checkoutCacheDir: coopCacheDir(),
  });
});

after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("the extracted llama.cpp source", () => {
  test("holds only the files the corpora read, each listed in its marker with its hash", async () => {
    const installed = JSON.parse(await readFile(join(nodeLlamaCppDir, "package.json"), "utf8")) as {
      version: string;
    };
    assert.equal(extractedMarker.nodeLlamaCppVersion, installed.version);
    assert.deepEqual(
      extractedMarker.corpora.map((corpus) => corpus.folder),
      ["gguf-py", "src"],
    );
    const corpora = await fixtureCorpora();
    assert.deepEqual(
      Object.keys(extractedMarker.corpora[0]!.files),
      corpora.python.files.map((file) => file.path),
    );
    assert.deepEqual(
      Object.keys(extractedMarker.corpora[1]!.files),
      corpora.cpp.files.map((file) => file.path),
    );
    const top = (await readdir(extracted)).sort();
    assert.deepEqual(top, [extractedSourceMarkerFile, "LICENSE", "gguf-py", "src"].sort());
  });

  test("yields the same corpora, and so the same tiny-model folder key, as the git checkout, without git", async () => {
    const calls: string[][] = [];
    const cache = await emptyCache("cache-extracted");
    const fromFolder = await pinnedCorpora(nodeLlamaCppDir, cache, {
      extractedDir: extracted,
      git: forbiddenGit(calls),
    });
    const fromGit = await fixtureCorpora();
    for (const name of ["code", "python", "cpp"] as const) {
      assert.equal(fromFolder[name].name, fromGit[name].name);
      assert.equal(fromFolder[name].sha256, fromGit[name].sha256, `the ${name} corpus`);
    }
    assert.equal(tinyModelSetKey(fromFolder), tinyModelSetKey(fromGit));
    assert.deepEqual(calls, [], "git was not run");
    assert.deepEqual(await readdir(cache), [], "nothing was checked out");
  });

  test("is refused, with the reason, when it does not match what this Coop expects", async () => {
    const refusals: [string, string, RegExp][] = [
      [
        "a changed file",
        await alteredCopy("changed", (dir) =>
          writeFile(join(dir, "src", "llama-arch.cpp"), "// edited\n", { flag: "a" }),
        ),
        /src\/llama-arch\.cpp differs/,
      ],
      [
        "an extra file",
        await alteredCopy("extra", (dir) =>
          writeFile(join(dir, "gguf-py", "gguf", "zz_extra.py"), "x = 1\n"),
        ),
        /gguf-py\/gguf\/zz_extra\.py is not one of the extracted files/,
      ],
      [
        "a missing file",
        await alteredCopy("missing", (dir) => rm(join(dir, "src", "llama-arch.cpp"))),
        /src\/llama-arch\.cpp is missing/,
      ],
      [
        "another node-llama-cpp",
        await alteredCopy("version", (dir) =>
          editMarker(dir, (marker) => (marker.nodeLlamaCppVersion = "0.0.1")),
        ),
        /extracted from node-llama-cpp 0\.0\.1, and \d+\.\d+\.\d+ is installed/,
      ],
      [
        "another source bundle",
        await alteredCopy("bundle", (dir) =>
          editMarker(dir, (marker) => (marker.bundleSha256 = "0".repeat(64))),
        ),
        /extracted from another source bundle than .*gitRelease\.bundle/,
      ],
      [
        "other corpus settings",
        await alteredCopy("settings", (dir) =>
          editMarker(dir, (marker) => (marker.corpora[1]!.maxBytes += 1)),
        ),
        /other corpus settings/,
      ],
      [
        "no marker",
        await alteredCopy("unmarked", (dir) => rm(join(dir, extractedSourceMarkerFile))),
        new RegExp(`has no ${extractedSourceMarkerFile}`),
      ],
      [
        "a broken marker",
        await alteredCopy("broken", (dir) => writeFile(join(dir, extractedSourceMarkerFile), "{")),
        /not valid JSON/,
      ],
    ];
    assert.deepEqual(await checkExtractedLlamaCppSource(extracted, nodeLlamaCppDir), { usable: true });
    for (const [what, dir, reason] of refusals) {
      const check = await checkExtractedLlamaCppSource(dir, nodeLlamaCppDir);
      assert.equal(check.usable, false, `${what} is refused`);
      assert.match(check.reason, reason, what);
    }
  });

  test("that is refused gives way to the git checkout, and its reason is in the error when git is missing too", async () => {
    const tampered = await alteredCopy("tampered", (dir) =>
      writeFile(join(dir, "src", "llama-arch.cpp"), "// edited\n", { flag: "a" }),
    );
    // The shared cache already holds the checkout of this bundle: it is used, git is not needed.
    const calls: string[][] = [];
    const dir = await llamaCppSourceDir(nodeLlamaCppDir, coopCacheDir(), {
      extractedDir: tampered,
      git: forbiddenGit(calls),
    });
    assert.match(dir, /llama\.cpp-src-[0-9a-f]{16}$/);
    assert.deepEqual(calls, []);

    const cache = await emptyCache("cache-tampered");
    await assert.rejects(
      llamaCppSourceDir(nodeLlamaCppDir, cache, { extractedDir: tampered, git: forbiddenGit(calls) }),
      (error: Error) => {
        assert.ok(error instanceof LlamaCppSourceUnavailableError);
        assert.equal(error.missing, "git");
        assert.match(error.message, /src\/llama-arch\.cpp differs from the extracted file/);
        return true;
      },
    );
    assert.equal(calls.length, 1, "the checkout was tried");
    assert.deepEqual(await readdir(cache), [], "no half checkout is left behind");
  });
});

describe("without an extracted copy", () => {
  test("and without git on PATH, building fails with a message naming what is missing and what to do", async () => {
    const noGit = await emptyCache("bin-without-git");
    const cache = await emptyCache("cache-no-git");
    const missingDir = join(scratch, "no-such-corpora", "llama.cpp");
    const path = process.env.PATH;
    process.env.PATH = noGit;
    try {
      assert.equal(
        spawnSync("git", ["--version"]).error?.message,
        "spawnSync git ENOENT",
        "git is not on this PATH",
      );
      await assert.rejects(
        pinnedCorpora(nodeLlamaCppDir, cache, { extractedDir: missingDir }),
        (error: Error) => {
          assert.ok(error instanceof LlamaCppSourceUnavailableError, String(error));
          assert.equal(error.missing, "git");
          assert.match(
            error.message,
            /git, which would check it out of .*gitRelease\.bundle, is not installed \(no git on PATH\)/,
          );
          assert.ok(error.message.includes(`no extracted copy (no ${missingDir})`), error.message);
          assert.match(error.message, /Install git/);
          assert.match(error.message, /Coop: Swap Model Variant/);
          assert.doesNotMatch(error.message, /ENOENT/);
          return true;
        },
      );
    } finally {
      process.env.PATH = path;
    }
    assert.deepEqual(await readdir(cache), [], "no half checkout is left behind");
  });

  test("and without node-llama-cpp's source bundle, the message says the installation is incomplete", async () => {
    const bare = await emptyCache("node-llama-cpp-without-bundle");
    await writeFile(
      join(bare, "package.json"),
      JSON.stringify({ name: "node-llama-cpp", version: "3.22.1" }),
    );
    const calls: string[][] = [];
    await assert.rejects(
      llamaCppSourceDir(bare, await emptyCache("cache-no-bundle"), {
        extractedDir: join(scratch, "none"),
        git: forbiddenGit(calls),
      }),
      (error: Error) => {
        assert.ok(error instanceof LlamaCppSourceUnavailableError);
        assert.equal(error.missing, "bundle");
        assert.match(error.message, /source bundle is missing \(no .*gitRelease\.bundle\)/);
        assert.match(error.message, /Reinstall Coop/);
        assert.match(error.message, /Coop: Swap Model Variant/);
        return true;
      },
    );
    assert.deepEqual(calls, []);
  });

  test("a git that fails for another reason is reported with git's own message", async () => {
    const failing: GitRunner = () =>
      Promise.reject(
        Object.assign(new Error("Command failed: git clone"), {
          code: 128,
          stderr: "fatal: invalid bundle header\n",
        }),
      );
    const cache = await emptyCache("cache-git-fails");
    await assert.rejects(
      llamaCppSourceDir(nodeLlamaCppDir, cache, { extractedDir: join(scratch, "none"), git: failing }),
      /git could not check llama\.cpp's source out of .*gitRelease\.bundle: fatal: invalid bundle header$/,
    );
    assert.deepEqual(await readdir(cache), []);
  });

  test("run from source, the packaged copy is looked for at the root of the repo", () => {
    assert.equal(packagedLlamaCppSourceDir(), join(repoRoot, "corpora", "llama.cpp"));
  });
});
