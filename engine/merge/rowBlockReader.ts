import type { GgmlType, GgufFile, GgufTensorInfo } from "../gguf/index.js";
import { SharedBuffers } from "./sharedBuffers.js";
import { encodedLength } from "./sliceMerger.js";

/** One block of whole rows of a tensor, as each input's (and the base's) encoded bytes. */
export interface RowBlock {
  index: number;
  inputs: Uint8Array[];
  base: Uint8Array | undefined;
  elements: number;
  last: boolean;
}

/**
 * Reads one tensor from every input (and the base) in blocks of whole rows, in order, each block
 * into one of two sets of reused buffers (fresh ones would cost page faults and zero-filling) while
 * the caller works on the block before it. The buffers are shared memory, so a worker thread can read
 * a block without a copy, taken from `sharedBuffers`, which a merge reuses for all its tensors.
 */
export class RowBlockReader {
  readonly inputTypes: GgmlType[];
  readonly baseType: GgmlType | undefined;
  /** Elements in a full block. */
  readonly blockElements: number;
  private readonly rows: number;
  private readonly rowsPerBlock: number;
  /** At least one, so an empty tensor still gets its (empty) block written. */
  private readonly blockCount: number;
  private readonly buffers: { inputs: Uint8Array[]; base: Uint8Array | undefined }[];

  constructor(
    private readonly tensor: GgufTensorInfo,
    private readonly base: GgufFile | undefined,
    private readonly inputs: readonly GgufFile[],
    targetBlockElements: number,
    sharedBuffers = new SharedBuffers(),
  ) {
    const rowLength = tensor.dims[0]!;
    this.rows = tensor.elementCount === 0 ? 0 : tensor.elementCount / rowLength;
    this.rowsPerBlock = Math.max(1, Math.min(this.rows, Math.floor(targetBlockElements / rowLength)));
    this.blockCount = Math.max(1, Math.ceil(this.rows / this.rowsPerBlock));
    this.blockElements = this.rowsPerBlock * rowLength;
    this.inputTypes = inputs.map((input) => input.tensor(tensor.name)!.type);
    this.baseType = base?.tensor(tensor.name)!.type;
    const buffer = (name: string, type: GgmlType): Uint8Array =>
      sharedBuffers.bytes(name, encodedLength(type, this.blockElements));
    this.buffers = [0, 1].map((set) => ({
      inputs: this.inputTypes.map((type, i) => buffer(`block ${set} input ${i}`, type)),
      base: this.baseType === undefined ? undefined : buffer(`block ${set} base`, this.baseType),
    }));
  }

  /**
   * The tensor's blocks in order; the next is read while the caller holds this one, which it must not keep.
   */
  async *blocks(): AsyncGenerator<RowBlock, void, undefined> {
    let next = this.read(0);
    try {
      for (let index = 0; index < this.blockCount; index++) {
        const block = await next;
        if (index + 1 < this.blockCount) next = this.read(index + 1);
        yield block;
      }
    } finally {
      // Nothing may still read the files when the caller closes them.
      await Promise.allSettled([next]);
    }
  }

  private read(index: number): Promise<RowBlock> {
    const first = index * this.rowsPerBlock;
    const count = Math.max(0, Math.min(this.rowsPerBlock, this.rows - first));
    const { inputs, base } = this.buffers[index % 2]!;
    const name = this.tensor.name;
    const reading = Promise.all([
      Promise.all(this.inputs.map((input, i) => input.readRowBytes(name, first, count, inputs[i]))),
      this.base?.readRowBytes(name, first, count, base),
    ]).then(([inputBytes, baseBytes]): RowBlock => ({
      index,
      inputs: inputBytes,
      base: baseBytes,
      elements: count * this.tensor.dims[0]!,
      last: index === this.blockCount - 1,
    }));
    // Awaited in blocks(); this only keeps a failure from surfacing as unhandled first.
    reading.catch(() => {});
    return reading;
  }
}
