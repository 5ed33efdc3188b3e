import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { coopCacheDir } from "../../support/cacheDir.js";

/**
 * One folder per test run, outside the repo, that holds everything the editor writes: code-server's
 * HOME, XDG folders and TMPDIR point into it, so nothing leaks into the user's own editor settings.
 * Coop's cache is the exception: COOP_CACHE_DIR keeps pointing at the real one, so the tiny models
 * built by earlier runs (and by `npm test`) are reused rather than rebuilt.
 */
export class RunFolder {
  private constructor(readonly root: string) {}

  /** `keep`: leave the folder behind (the editors' logs and settings) for a look afterwards. */
  static async create(keep = false): Promise<RunFolder> {
    const folder = new RunFolder(await mkdtemp(join(tmpdir(), "coop-editor-")));
    await Promise.all(["home", "config", "data", "tmp"].map((name) => mkdir(join(folder.root, name), { recursive: true })));
    // Also when the run is interrupted (the code-server launcher exits on SIGINT/SIGTERM).
    if (!keep) process.once("exit", () => rmSync(folder.root, { recursive: true, force: true }));
    return folder;
  }

  /** A fresh subfolder for one part of the run (a code-server session, the extension folder, …). */
  async folder(name: string): Promise<string> {
    const path = join(this.root, name);
    await mkdir(path, { recursive: true });
    return path;
  }

  /** The environment for code-server and everything it starts. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      HOME: join(this.root, "home"),
      XDG_CONFIG_HOME: join(this.root, "config"),
      XDG_DATA_HOME: join(this.root, "data"),
      TMPDIR: join(this.root, "tmp"),
      COOP_CACHE_DIR: coopCacheDir(),
      ...extra,
    };
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
