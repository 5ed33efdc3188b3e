import type { CheckInput, CompilerVerdict } from "./typeScriptProject.js";

/** What the thread that runs the language service starts with. */
export interface TypeScriptWorkerData {
  root: string;
  /** Projects with more files of their own are not loaded. */
  maxFiles: number;
  /** Int32Array[1]: the id of the latest check the engine gave up on (its budget ran out). */
  cancelled: SharedArrayBuffer;
}

export type ToTypeScriptWorker =
  | { type: "update"; path: string; text: string | undefined }
  | { type: "check"; id: number; input: CheckInput };

export type FromTypeScriptWorker =
  | { type: "ready"; files: number; warmMs: number }
  | { type: "unavailable"; reason: string }
  | { type: "checked"; id: number; verdict: CompilerVerdict }
  | { type: "cancelled"; id: number };
