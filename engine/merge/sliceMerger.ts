import { decodeTensorInto, encodeTensor, ggmlTypeInfo, type GgmlType } from "../gguf/index.js";
import type { TensorMergeStream } from "./methods/index.js";

/**
 * Elements decoded and merged at a time. Every input's decoded slice, the merged slice and its encoding
 * then stay in the core's own cache (a few hundred KiB), where doing each step on a whole 16 MiB block
 * would go through memory three times over; measured, that was most of the merge's time.
 */
const SLICE_TARGET_ELEMENTS = 1 << 14;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Bytes `elements` elements of `type` take (elements a whole number of its blocks). */
export function encodedLength(type: GgmlType, elements: number): number {
  const { blockSize, bytesPerBlock } = ggmlTypeInfo(type);
  return (elements / blockSize) * bytesPerBlock;
}

/**
 * Feeds blocks of a tensor's encoded bytes (each input's, and the base's) to a TensorMergeStream slice
 * by slice: decodes each slice to floats, and in the merging pass encodes the merged slice into the
 * output. Blocks must come in position order, each pass over the whole tensor.
 */
export class SliceMerger {
  /** A multiple of every block size involved, so a slice boundary never cuts a quantization block. */
  readonly sliceElements: number;
  private readonly inputSlices: Float32Array[];
  private readonly baseSlice: Float32Array | undefined;
  private readonly mergedSlice: Float32Array;

  constructor(
    private readonly inputTypes: readonly GgmlType[],
    private readonly baseType: GgmlType | undefined,
    private readonly outputType: GgmlType,
    private readonly stream: TensorMergeStream,
  ) {
    const blockSizes = [...inputTypes, ...(baseType === undefined ? [] : [baseType]), outputType].map(
      (type) => ggmlTypeInfo(type).blockSize,
    );
    const unit = blockSizes.reduce((lcm, size) => (lcm / gcd(lcm, size)) * size, 1);
    this.sliceElements = Math.max(1, Math.round(SLICE_TARGET_ELEMENTS / unit)) * unit;
    this.inputSlices = inputTypes.map(() => new Float32Array(this.sliceElements));
    this.baseSlice = baseType === undefined ? undefined : new Float32Array(this.sliceElements);
    this.mergedSlice = new Float32Array(this.sliceElements);
  }

  /**
   * Shows the stream elements [from, to) of one block during statistics pass `pass` (`from` a multiple of
   * sliceElements).
   */
  observeBlock(
    pass: number,
    inputs: readonly Uint8Array[],
    base: Uint8Array | undefined,
    to: number,
    from = 0,
  ): void {
    this.forEachSlice(inputs, base, from, to, (decodedBase, decoded) =>
      this.stream.observe(pass, decodedBase, decoded),
    );
  }

  /**
   * Merges elements [from, to) of one block, writing their encoding where it belongs in `output`, which
   * holds the whole block's (`from` a multiple of sliceElements).
   */
  mergeBlock(
    inputs: readonly Uint8Array[],
    base: Uint8Array | undefined,
    to: number,
    output: Uint8Array,
    from = 0,
  ): void {
    this.forEachSlice(inputs, base, from, to, (decodedBase, decoded, start) => {
      const merged = this.stream.merge(
        decodedBase,
        decoded,
        this.mergedSlice.subarray(0, decoded[0]!.length),
      );
      const at = encodedLength(this.outputType, start);
      encodeTensor(
        this.outputType,
        merged,
        output.subarray(at, at + encodedLength(this.outputType, merged.length)),
      );
    });
  }

  private forEachSlice(
    inputs: readonly Uint8Array[],
    base: Uint8Array | undefined,
    from: number,
    to: number,
    visit: (base: Float32Array | undefined, inputs: Float32Array[], start: number) => void,
  ): void {
    for (let start = from; start < to; start += this.sliceElements) {
      const count = Math.min(this.sliceElements, to - start);
      const decoded = this.inputSlices.map((slice, i) =>
        this.decode(this.inputTypes[i]!, inputs[i]!, start, count, slice),
      );
      visit(
        base === undefined ? undefined : this.decode(this.baseType!, base, start, count, this.baseSlice!),
        decoded,
        start,
      );
    }
  }

  private decode(
    type: GgmlType,
    bytes: Uint8Array,
    start: number,
    count: number,
    slice: Float32Array,
  ): Float32Array {
    const at = encodedLength(type, start);
    return decodeTensorInto(
      type,
      bytes.subarray(at, at + encodedLength(type, count)),
      slice.subarray(0, count),
    );
  }
}
