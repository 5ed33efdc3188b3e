import { readFile } from "node:fs/promises";
import type { CompletionRequest, ContextChunk } from "../completion/index.js";
import { workspaceFromFiles, type IndexedWorkspace } from "../detector/index.js";
import { Retriever, walkWorkspace } from "../retriever/index.js";
import { checkWorkspaceRoot } from "../workspace/index.js";
import { groundCompletion, type GroundedContext, type GroundingOptions } from "./grounding.js";

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
    return (await this.ground(request, cursorLine, { budgetTokens })).chunks;
  }

  /**
   * The context of a completion prompt within `options.budgetTokens`, compressed when a compressor is
   * given, with a report of what was retrieved and kept (see groundCompletion).
   */
  ground(
    request: CompletionRequest,
    cursorLine: number | undefined,
    options: GroundingOptions,
  ): Promise<GroundedContext> {
    return groundCompletion(this.retriever, request, cursorLine, options);
  }

  async dispose(): Promise<void> {
    await this.retriever.dispose();
  }
}
