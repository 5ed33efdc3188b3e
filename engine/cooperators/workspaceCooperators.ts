import { readFile } from "node:fs/promises";
import type { CompletionRequest, ContextChunk } from "../completion/index.js";
import { workspaceFromFiles, type IndexedWorkspace } from "../detector/index.js";
import { TypeScriptChecker } from "../detector/typescript/index.js";
import { Retriever, walkWorkspace } from "../retriever/index.js";
import { checkWorkspaceRoot } from "../workspace/index.js";
import type { WorkspaceChange } from "../host/contract/engineApi.js";
import { EditorSync } from "./editorSync.js";
import { groundCompletion, type GroundedContext, type GroundingOptions } from "./grounding.js";

/** The detector reads every text file it indexes; beyond this it keeps the first files only. */
const maxDetectorFiles = 5000;
const maxDetectorFileBytes = 512 * 1024;
/** The files that make a workspace worth the TypeScript compiler's check. */
const typeScriptOrJavaScript = /\.(?:[cm]?tsx?|[cm]?jsx?)$/;

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
    /**
     * The TypeScript compiler's check of the workspace's project, warming in its own thread (absent in a
     * workspace without TypeScript or JavaScript files). The editor's documents go to its updateDocument.
     */
    readonly typeScript: TypeScriptChecker | undefined,
  ) {
    // The compiler sees the documents being edited as the detector's index does, and files on disk anew.
    if (typeScript) this.editor.onDocument((path, text) => typeScript.updateDocument(path, text));
  }

  /**
   * Indexes the workspace at `root`. A root that is not an absolute path to a folder is refused with a
   * WorkspaceRootError before anything is read; no workspace file outside the root is read (symbolic
   * links out of it are not followed), only installed packages' manifests and typings, for names.
   */
  static async open(root: string, cacheDir: string): Promise<WorkspaceCooperators> {
    await checkWorkspaceRoot(root);
    const retriever = await Retriever.open({ root, cacheDir });
    let typeScript: TypeScriptChecker | undefined;
    try {
      const summary = await retriever.index();
      const files: { path: string; text: string }[] = [];
      for await (const file of walkWorkspace(root)) {
        if (files.length >= maxDetectorFiles) break;
        if (file.size > maxDetectorFileBytes) continue;
        const text = await readFile(file.absolutePath, "utf8").catch(() => undefined);
        if (text !== undefined && !text.includes("\0")) files.push({ path: file.path, text });
      }
      if (files.some((file) => typeScriptOrJavaScript.test(file.path)))
        typeScript = TypeScriptChecker.start(root);
      return new WorkspaceCooperators(
        root,
        retriever,
        await workspaceFromFiles(files, { root }),
        summary.files,
        typeScript,
      );
    } catch (error) {
      await Promise.all([retriever.dispose(), typeScript?.dispose()]);
      throw error;
    }
  }

  private sync: EditorSync | undefined;

  /** What keeps these cooperators in step with the editor's documents and the files on disk. */
  get editor(): EditorSync {
    return (this.sync ??= new EditorSync({
      root: this.root,
      retriever: this.retriever,
      detectorWorkspace: this.detectorWorkspace,
      maxFileBytes: maxDetectorFileBytes,
    }));
  }

  /** Brings the retriever and the detector up to date with what changed in the editor. */
  applyChanges(change: WorkspaceChange): Promise<{ applied: number; ignored: string[] }> {
    return this.editor.apply(change);
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

  /**
   * Resolves once the TypeScript compiler's project is warm (true), or will not be loaded (false: no
   * TypeScript or JavaScript here, too many files, no compiler), so a check can be measured warm.
   */
  async typeScriptReady(): Promise<boolean> {
    return (await this.typeScript?.ready()) ?? false;
  }

  async dispose(): Promise<void> {
    await Promise.all([this.retriever.dispose(), this.typeScript?.dispose()]);
  }
}
