import { CoopError, coopErrorCodes, describeError } from "../errors/index.js";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  checkExtractedLlamaCppSource,
  nodeLlamaCppSourceBundle,
  packagedLlamaCppSourceDir,
  sha256File,
} from "./extractedLlamaCppSource.js";

/**
 * Runs git with these arguments; rejects as execFile does (with code "ENOENT" when there is no git to run).
 */
export type GitRunner = (args: string[]) => Promise<void>;

export interface LlamaCppSourceOptions {
  /** The extracted llama.cpp files to prefer (default: `corpora/llama.cpp` in Coop's package folder). */
  extractedDir?: string;
  /** Runs git for a checkout of node-llama-cpp's source bundle (default: the git on PATH). */
  git?: GitRunner;
}

/**
 * Neither an extracted copy of llama.cpp's source nor a way to check it out: the tiny models cannot be built.
 */
export class LlamaCppSourceUnavailableError extends CoopError {
  constructor(
    /** What is missing: git to check the source bundle out, or the bundle itself. */
    readonly missing: "git" | "bundle",
    message: string,
  ) {
    super(coopErrorCodes.llamaCppSourceUnavailable, message);
    this.name = "LlamaCppSourceUnavailableError";
  }
}

const gitOnPath: GitRunner = async (args) => {
  await promisify(execFile)("git", args);
};

/**
 * llama.cpp's source as node-llama-cpp ships it: the extracted copy a packaged Coop carries when its
 * marker checks out, else a checkout of node-llama-cpp's git bundle in `cacheDir`.
 */
export async function llamaCppSourceDir(
  nodeLlamaCppDir: string,
  cacheDir: string,
  options: LlamaCppSourceOptions = {},
): Promise<string> {
  const extractedDir = options.extractedDir ?? packagedLlamaCppSourceDir();
  const extracted = await checkExtractedLlamaCppSource(extractedDir, nodeLlamaCppDir);
  if (extracted.usable) return extractedDir;
  return checkOutLlamaCppBundle(nodeLlamaCppDir, cacheDir, options.git, extracted.reason);
}

/**
 * Checks node-llama-cpp's llama.cpp source bundle out into `cacheDir` once per bundle; returns the
 * folder. `notExtracted` says why no extracted copy was used, for the error when this fails too.
 */
export async function checkOutLlamaCppBundle(
  nodeLlamaCppDir: string,
  cacheDir: string,
  git: GitRunner = gitOnPath,
  notExtracted?: string,
): Promise<string> {
  const bundle = nodeLlamaCppSourceBundle(nodeLlamaCppDir);
  if (!existsSync(bundle)) {
    throw unavailable(
      "bundle",
      `node-llama-cpp's llama.cpp source bundle is missing (no ${bundle})`,
      notExtracted,
      "Reinstall Coop",
    );
  }
  const dir = join(cacheDir, `llama.cpp-src-${(await sha256File(bundle)).slice(0, 16)}`);
  const doneMarker = join(dir, ".coop-complete");
  if (existsSync(doneMarker)) return dir;
  await mkdir(cacheDir, { recursive: true });
  const staging = `${dir}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    // autocrlf off: the files are the bundle's bytes on every platform, as in the extracted copy.
    await git([
      "-c",
      "advice.detachedHead=false",
      "-c",
      "core.autocrlf=false",
      "clone",
      "--quiet",
      bundle,
      staging,
    ]);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw unavailable(
        "git",
        `git, which would check it out of ${bundle}, is not installed (no git on PATH)`,
        notExtracted,
        "Install git (https://git-scm.com/downloads) and try again",
      );
    }
    const stderr = (error as { stderr?: unknown }).stderr;
    const detail = typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : describeError(error);
    throw new Error(`git could not check llama.cpp's source out of ${bundle}: ${detail}`, { cause: error });
  }
  await writeFile(join(staging, ".coop-complete"), "");
  try {
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    if (!existsSync(doneMarker)) throw error;
  }
  return dir;
}

function unavailable(
  missing: "git" | "bundle",
  what: string,
  notExtracted: string | undefined,
  fix: string,
): LlamaCppSourceUnavailableError {
  return new LlamaCppSourceUnavailableError(
    missing,
    `Coop cannot build its built-in tiny models (builtin:tiny/*, the models of the default variant coop-tiny) without ` +
      `llama.cpp's source code: ${notExtracted ? `${notExtracted}, and ` : ""}${what}. ` +
      `${fix}, or pick another variant with "Coop: Swap Model Variant" (on the command line: --variant).`,
  );
}
