import { rmSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultCacheDir as coopCacheDir } from "../../engine/paths.js";

/**
 * The folder that holds what an editor session writes, outside the repo: code-server's config, user
 * data and extensions. For a test run it is a fresh temporary folder, and HOME, the XDG folders and
 * TMPDIR point into it too, so nothing leaks into the user's own editor settings. For `npm start` it
 * is a folder in Coop's cache that persists between runs, and the environment stays the user's own
 * (a terminal in the editor is the user's terminal; code-server keeps its small logs in
 * ~/.local/share/code-server, as any code-server does).
 * Coop's cache is the exception: COOP_CACHE_DIR keeps pointing at the real one, so the tiny models
 * built by earlier runs (and by `npm test`) are reused rather than rebuilt.
 */
export class RunFolder {
  private constructor(
    readonly root: string,
    private readonly isolated: boolean,
  ) {}

  /**
   * A fresh temporary folder for a test run; `keep`: leave it behind (the editors' logs and settings) for a
   * look afterwards.
   */
  static async create(keep = false): Promise<RunFolder> {
    const folder = new RunFolder(await mkdtemp(join(tmpdir(), "coop-editor-")), true);
    await Promise.all(["home", "config", "data", "tmp"].map((name) => folder.folder(name)));
    // Also when the run is interrupted (the runner exits on SIGINT/SIGTERM).
    if (!keep) process.once("exit", () => rmSync(folder.root, { recursive: true, force: true }));
    return folder;
  }

  /** A folder that persists between runs (`npm start`'s session); created if missing, never removed. */
  static async persistent(root: string): Promise<RunFolder> {
    await mkdir(root, { recursive: true });
    return new RunFolder(root, false);
  }

  /**
   * A subfolder for one part of the run (a code-server session, the extension folder, …), created if missing.
   */
  async folder(name: string): Promise<string> {
    const path = join(this.root, name);
    await mkdir(path, { recursive: true });
    return path;
  }

  /** The environment for code-server and everything it starts. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...(this.isolated
        ? {
            HOME: join(this.root, "home"),
            XDG_CONFIG_HOME: join(this.root, "config"),
            XDG_DATA_HOME: join(this.root, "data"),
            TMPDIR: join(this.root, "tmp"),
          }
        : {}),
      COOP_CACHE_DIR: coopCacheDir(),
      ...extra,
    };
  }

  async dispose(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
