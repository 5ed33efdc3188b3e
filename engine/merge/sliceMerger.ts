import { decodeTensorInto, encodeTensor, GgmlType, ggmlTypeInfo } from "../gguf/index.js";
import type { HalfSliceStream, TensorMergeStream } from "./methods/index.js";

/**
 * Elements decoded and merged at a time. Every input's decoded slice, the merged slice and its encoding
 * then stay in the core's own cache (a few hundred KiB), where doing each step on a whole 16 MiB block
 * would go through memory three times over; measured, that was most of the merge's time.
 */
const SLICE_TARGET_ELEMENTS = 1 << 14;

/** GGUF is little-endian: its F16 bytes are halves in place only on a little-endian host. */
const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

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
  /** The stream's way of taking F16 slices undecoded, where every input and the base are F16. */
  private readonly halves: HalfSliceStream | undefined;

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
    const allHalves =
      hostIsLittleEndian && baseType === GgmlType.F16 && inputTypes.every((type) => type === GgmlType.F16);
    this.halves = allHalves ? stream.halves : undefined;
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
    const halves = this.halves;
    if (halves !== undefined && base !== undefined && isHalfAligned(base, inputs)) {
      for (let start = from; start < to; start += this.sliceElements) {
        const count = Math.min(this.sliceElements, to - start);
        halves.observe(
          pass,
          halvesOf(base, start, count),
          inputs.map((bytes) => halvesOf(bytes, start, count)),
        );
      }
      return;
    }
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
    const encode = (merged: Float32Array, start: number): void => {
      const at = encodedLength(this.outputType, start);
      encodeTensor(
        this.outputType,
        merged,
        output.subarray(at, at + encodedLength(this.outputType, merged.length)),
      );
    };
    const halves = this.halves;
    if (halves !== undefined && base !== undefined && isHalfAligned(base, [...inputs, output])) {
      for (let start = from; start < to; start += this.sliceElements) {
        const count = Math.min(this.sliceElements, to - start);
        // An F16 output takes the stream's halves as they are; another type is encoded from its floats.
        const merged =
          this.outputType === GgmlType.F16
            ? halvesOf(output, start, count)
            : this.mergedSlice.subarray(0, count);
        const finite = halves.mergeIfFinite(
          halvesOf(base, start, count),
          inputs.map((bytes) => halvesOf(bytes, start, count)),
          merged,
        );
        // Where the stream gives up (a non-finite value), the slice goes the general way, decoded.
        if (!finite) {
          this.forEachSlice(inputs, base, start, start + count, (decodedBase, decoded) =>
            encode(this.mergeDecoded(decodedBase, decoded), start),
          );
        } else if (merged instanceof Float32Array) {
          encode(merged, start);
        }
      }
      return;
    }
    this.forEachSlice(inputs, base, from, to, (decodedBase, decoded, start) =>
      encode(this.mergeDecoded(decodedBase, decoded), start),
    );
  }

  private mergeDecoded(base: Float32Array | undefined, decoded: Float32Array[]): Float32Array {
    return this.stream.merge(base, decoded, this.mergedSlice.subarray(0, decoded[0]!.length));
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

/** Elements [start, start + count) of an F16 tensor's bytes, as halves (no copy). */
function halvesOf(bytes: Uint8Array, start: number, count: number): Uint16Array {
  return new Uint16Array(bytes.buffer, bytes.byteOffset + 2 * start, count);
}

/** Whether the bytes can be viewed as halves in place (a Uint16Array needs an even offset). */
function isHalfAligned(base: Uint8Array, inputs: readonly Uint8Array[]): boolean {
  return base.byteOffset % 2 === 0 && inputs.every((bytes) => bytes.byteOffset % 2 === 0);
}
