import { readFile } from "node:fs/promises";
import type { CompletionRequest, ContextChunk } from "../completion/index.js";
import { workspaceFromFiles, type IndexedWorkspace } from "../detector/index.js";
import { Retriever, walkWorkspace } from "../retriever/index.js";
import { checkWorkspaceRoot } from "../workspace/index.js";

/** The detector reads every text file it indexes; beyond this it keeps the first files only. */
const maxDetectorFiles = 5000;
const maxDetectorFileBytes = 512 * 1024;

/**
 * The cooperators of one workspace: the retriever that grounds prompts in the workspace's code, and
 * the detector's index of what exists there (definitions, dependencies), both built where the engine
 * runs and disposed together.
 */
export class WorkspaceCooperators {
  private constructor(
    readonly root: string,
    readonly retriever: Retriever,
    readonly detectorWorkspace: IndexedWorkspace,
    /** Files the retriever indexed. */
    readonly fileCount: number,
  ) {}

  /**
   * Indexes the workspace at `root`. A root that is not an absolute path to a folder is refused with a
   * WorkspaceRootError before anything is read; nothing outside the root is read (symbolic links out
   * of it are not followed).
   */
  static async open(root: string, cacheDir: string): Promise<WorkspaceCooperators> {
    await checkWorkspaceRoot(root);
    const retriever = await Retriever.open({ root, cacheDir });
    try {
      const summary = await retriever.index();
      const files: { path: string; text: string }[] = [];
      for await (const file of walkWorkspace(root)) {
        if (files.length >= maxDetectorFiles) break;
        if (file.size > maxDetectorFileBytes) continue;
        const text = await readFile(file.absolutePath, "utf8").catch(() => undefined);
        if (text !== undefined && !text.includes("\0")) files.push({ path: file.path, text });
      }
      return new WorkspaceCooperators(
        root,
        retriever,
        await workspaceFromFiles(files, { root }),
        summary.files,
      );
    } catch (error) {
      await retriever.dispose();
      throw error;
    }
  }

  /** Chunks of the workspace relevant to the code around the cursor (not the cursor's own lines). */
  async contextFor(
    request: CompletionRequest,
    cursorLine: number | undefined,
    budgetTokens: number,
  ): Promise<ContextChunk[]> {
    const before = request.prefix.split("\n").slice(-20);
    const after = request.suffix.split("\n").slice(0, 5);
    const query = [...before, ...after].join("\n");
    const from =
      cursorLine === undefined
        ? undefined
        : {
            path: request.path,
            startLine: Math.max(0, cursorLine - before.length + 1),
            endLine: cursorLine + after.length - 1,
          };
    const chunks = await this.retriever.query(query, { k: 6, budgetTokens, from });
    return chunks.map((chunk) => ({ path: chunk.path, text: chunk.text }));
  }

  async dispose(): Promise<void> {
    await this.retriever.dispose();
  }
}
