import type { GgmlType } from "../gguf/index.js";
import type {
  MagnitudeWindow,
  MergeContext,
  MergeCursor,
  MergeMethod,
  MergeParams,
  PassStatistics,
  StreamedInput,
} from "./methods/index.js";

/** What both threads need to open the same merge stream of one tensor and decode and encode its slices. */
export interface TensorStreamSpec {
  method: MergeMethod;
  hasBase: boolean;
  inputs: StreamedInput[];
  params: MergeParams;
  context: MergeContext;
  elementCount: number;
  inputTypes: GgmlType[];
  baseType: GgmlType | undefined;
  outputType: GgmlType;
  /** ties: where a sample puts each input's cut (sampledTiesWindows). */
  tiesWindows?: (MagnitudeWindow | undefined)[];
  /** The tensor and files a non-finite input value is reported with (checkingFiniteInputs). */
  names: { tensor: string; baseFile: string | undefined; inputFiles: string[] };
}

/** One row block's encoded bytes, in shared memory. */
export interface SharedBlock {
  inputs: Uint8Array[];
  base: Uint8Array | undefined;
}

/** Elements [from, to) of a block are the worker's share. */
export type WorkerRequest =
  | { kind: "open"; spec: TensorStreamSpec }
  | { kind: "observe"; pass: number; block: SharedBlock; from: number; to: number }
  | { kind: "take"; pass: number }
  | { kind: "add"; pass: number; statistics: PassStatistics[] }
  | {
      kind: "merge";
      block: SharedBlock;
      from: number;
      to: number;
      output: Uint8Array;
      cursor: MergeCursor;
    };

export interface WorkerReply {
  statistics?: PassStatistics;
  /** After a merge: the cursor the worker's share left. */
  cursor?: MergeCursor;
  /** After an observe or a merge: the seconds the worker spent on it (its speed, to balance the shares). */
  seconds?: number;
}

export type WorkerMessage =
  | { id: number; reply: WorkerReply }
  | { id: number; error: { name: string; message: string; code?: string } };
