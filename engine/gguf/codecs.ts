import { decodeBF16, decodeF16, decodeF32, encodeBF16, encodeF16, encodeF32 } from "./floatCodecs.js";
import { encodeQ4_K, encodeQ5_K, encodeQ6_K } from "./kQuantEncoders.js";
import { encodeQ4_0, encodeQ5_0, encodeQ5_1 } from "./legacyQuantEncoders.js";
import {
  decodeQ4_0,
  decodeQ4_K,
  decodeQ5_0,
  decodeQ5_1,
  decodeQ5_K,
  decodeQ6_K,
  decodeQ8_0,
  encodeQ8_0,
} from "./quantCodecs.js";
import { ggmlTypeInfo, ggmlTypeName } from "./typeInfo.js";
import { GgmlType } from "./types.js";

export { ggmlTypeInfo, tensorByteSize, type GgmlTypeInfo } from "./typeInfo.js";

type Decoder = (bytes: Uint8Array, out: Float32Array) => void;
/** Writes the encoding of `values` into `bytes`, which has exactly its size. */
type Encoder = (values: Float32Array, bytes: Uint8Array) => void;

const decoders: Partial<Record<GgmlType, Decoder>> = {
  [GgmlType.F32]: decodeF32,
  [GgmlType.F16]: decodeF16,
  [GgmlType.BF16]: decodeBF16,
  [GgmlType.Q8_0]: decodeQ8_0,
  [GgmlType.Q4_0]: decodeQ4_0,
  [GgmlType.Q5_0]: decodeQ5_0,
  [GgmlType.Q5_1]: decodeQ5_1,
  [GgmlType.Q4_K]: decodeQ4_K,
  [GgmlType.Q5_K]: decodeQ5_K,
  [GgmlType.Q6_K]: decodeQ6_K,
};

const encoders: Partial<Record<GgmlType, Encoder>> = {
  [GgmlType.F32]: encodeF32,
  [GgmlType.F16]: encodeF16,
  [GgmlType.BF16]: encodeBF16,
  [GgmlType.Q8_0]: encodeQ8_0,
  [GgmlType.Q4_0]: encodeQ4_0,
  [GgmlType.Q5_0]: encodeQ5_0,
  [GgmlType.Q5_1]: encodeQ5_1,
  [GgmlType.Q4_K]: encodeQ4_K,
  [GgmlType.Q5_K]: encodeQ5_K,
  [GgmlType.Q6_K]: encodeQ6_K,
};

export function canDecode(type: GgmlType): boolean {
  return decoders[type] !== undefined;
}

export function canEncode(type: GgmlType): boolean {
  return encoders[type] !== undefined;
}

function checkBlocks(
  type: GgmlType,
  elementCount: number,
  verb: string,
): { blockSize: number; bytesPerBlock: number } {
  const { blockSize, bytesPerBlock } = ggmlTypeInfo(type);
  if (!Number.isSafeInteger(elementCount) || elementCount < 0 || elementCount % blockSize !== 0) {
    throw new RangeError(
      `cannot ${verb} ${elementCount} elements as ${GgmlType[type]}: not a multiple of the block size ${blockSize}`,
    );
  }
  return { blockSize, bytesPerBlock };
}

/**
 * Encodes float values as tensor data of `type` (F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q5_K or
 * Q6_K, quantized as ggml's reference quantizers do). `into`, when given,
 * receives the bytes at its start (a reused buffer instead of a new one); the result is a view of it.
 */
export function encodeTensor(type: GgmlType, values: Float32Array, into?: Uint8Array): Uint8Array {
  const encoder = encoders[type];
  if (encoder === undefined)
    throw new RangeError(`unsupported tensor type ${ggmlTypeName(type)} for encoding`);
  const { blockSize, bytesPerBlock } = checkBlocks(type, values.length, "encode");
  const length = (values.length / blockSize) * bytesPerBlock;
  if (into !== undefined && into.length < length) {
    throw new RangeError(
      `${values.length} ${GgmlType[type]} elements take ${length} bytes; the buffer given holds ${into.length}`,
    );
  }
  const bytes = into === undefined ? new Uint8Array(length) : into.subarray(0, length);
  encoder(values, bytes);
  return bytes;
}

/**
 * Decodes tensor data of `type` into `out` (one float per element); `bytes` must hold exactly those elements.
 */
export function decodeTensorInto(type: GgmlType, bytes: Uint8Array, out: Float32Array): Float32Array {
  const decoder = decoders[type];
  if (decoder === undefined)
    throw new RangeError(`unsupported tensor type ${ggmlTypeName(type)} for decoding`);
  const { blockSize, bytesPerBlock } = checkBlocks(type, out.length, "decode");
  const expected = (out.length / blockSize) * bytesPerBlock;
  if (bytes.length !== expected) {
    throw new RangeError(
      `${out.length} ${GgmlType[type]} elements take ${expected} bytes, got ${bytes.length}`,
    );
  }
  decoder(bytes, out);
  return out;
}

/** Decodes (dequantizes) tensor data of `type` to floats, bit-exact with ggml's dequantize_row_*. */
export function decodeTensor(type: GgmlType, bytes: Uint8Array, elementCount: number): Float32Array {
  const decoder = decoders[type];
  if (decoder === undefined)
    throw new RangeError(`unsupported tensor type ${ggmlTypeName(type)} for decoding`);
  checkBlocks(type, elementCount, "decode");
  return decodeTensorInto(type, bytes, new Float32Array(elementCount));
}
