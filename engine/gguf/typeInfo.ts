import { GGML_MAX_DIMS, GgmlType } from "./types.js";

export interface GgmlTypeInfo {
  name: string;
  /** Elements per block. */
  blockSize: number;
  /** Bytes per block. */
  bytesPerBlock: number;
}

const QK_K = 256;

// [elements per block, bytes per block], as in ggml-common.h / gguf-py GGML_QUANT_SIZES.
const layouts: Record<GgmlType, [number, number]> = {
  [GgmlType.F32]: [1, 4],
  [GgmlType.F16]: [1, 2],
  [GgmlType.Q4_0]: [32, 2 + 16],
  [GgmlType.Q4_1]: [32, 2 + 2 + 16],
  [GgmlType.Q5_0]: [32, 2 + 4 + 16],
  [GgmlType.Q5_1]: [32, 2 + 2 + 4 + 16],
  [GgmlType.Q8_0]: [32, 2 + 32],
  [GgmlType.Q8_1]: [32, 2 + 2 + 32],
  [GgmlType.Q2_K]: [QK_K, 2 + 2 + QK_K / 16 + QK_K / 4],
  [GgmlType.Q3_K]: [QK_K, 2 + QK_K / 4 + QK_K / 8 + 12],
  [GgmlType.Q4_K]: [QK_K, 2 + 2 + QK_K / 2 + 12],
  [GgmlType.Q5_K]: [QK_K, 2 + 2 + QK_K / 2 + QK_K / 8 + 12],
  [GgmlType.Q6_K]: [QK_K, 2 + QK_K / 2 + QK_K / 4 + QK_K / 16],
  [GgmlType.Q8_K]: [QK_K, 4 + QK_K + QK_K / 8],
  [GgmlType.IQ2_XXS]: [QK_K, 2 + QK_K / 4],
  [GgmlType.IQ2_XS]: [QK_K, 2 + QK_K / 4 + QK_K / 32],
  [GgmlType.IQ3_XXS]: [QK_K, 2 + QK_K / 4 + QK_K / 8],
  [GgmlType.IQ1_S]: [QK_K, 2 + QK_K / 8 + QK_K / 16],
  [GgmlType.IQ4_NL]: [32, 2 + 16],
  [GgmlType.IQ3_S]: [QK_K, 2 + QK_K / 4 + QK_K / 8 + QK_K / 32 + 4],
  [GgmlType.IQ2_S]: [QK_K, 2 + QK_K / 4 + QK_K / 16],
  [GgmlType.IQ4_XS]: [QK_K, 2 + 2 + QK_K / 2 + QK_K / 64],
  [GgmlType.I8]: [1, 1],
  [GgmlType.I16]: [1, 2],
  [GgmlType.I32]: [1, 4],
  [GgmlType.I64]: [1, 8],
  [GgmlType.F64]: [1, 8],
  [GgmlType.IQ1_M]: [QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32],
  [GgmlType.BF16]: [1, 2],
  [GgmlType.TQ1_0]: [QK_K, 2 + 4 * 13],
  [GgmlType.TQ2_0]: [QK_K, 2 + 64],
  [GgmlType.MXFP4]: [32, 1 + 16],
  [GgmlType.NVFP4]: [64, 4 + 32],
  [GgmlType.Q1_0]: [128, 2 + 16],
  [GgmlType.Q2_0]: [64, 2 + 16],
};

/** Type numbers ggml once had and no longer accepts in GGUF files, for clearer errors. */
const removedTypes: Record<number, string> = {
  4: "Q4_2",
  5: "Q4_3",
  31: "Q4_0_4_4",
  32: "Q4_0_4_8",
  33: "Q4_0_8_8",
  36: "IQ4_NL_4_4",
  37: "IQ4_NL_4_8",
  38: "IQ4_NL_8_8",
};

export function isKnownGgmlType(type: number): type is GgmlType {
  return Object.prototype.hasOwnProperty.call(layouts, type);
}

/** Why a type number is not usable, or undefined when it is a known type. */
export function unknownGgmlTypeProblem(type: number): string | undefined {
  if (isKnownGgmlType(type)) return undefined;
  const removed = removedTypes[type];
  return removed !== undefined
    ? `ggml type ${type} (${removed}) was removed from ggml and is not valid in GGUF files`
    : `unknown ggml type ${type}`;
}

export function ggmlTypeName(type: number): string {
  return isKnownGgmlType(type) ? GgmlType[type] : (removedTypes[type] ?? `type ${type}`);
}

export function ggmlTypeInfo(type: GgmlType): GgmlTypeInfo {
  const problem = unknownGgmlTypeProblem(type);
  if (problem !== undefined) throw new RangeError(problem);
  const [blockSize, bytesPerBlock] = layouts[type];
  return { name: GgmlType[type], blockSize, bytesPerBlock };
}

/**
 * Why these dims cannot describe a tensor of this type, or undefined when they can.
 * Shared by the writer (which throws it) and the reader (which reports it with a file offset).
 */
export function tensorShapeProblem(type: GgmlType, dims: readonly number[]): string | undefined {
  const typeProblem = unknownGgmlTypeProblem(type);
  if (typeProblem !== undefined) return typeProblem;
  if (dims.length > GGML_MAX_DIMS)
    return `${dims.length} dimensions, more than GGML_MAX_DIMS (${GGML_MAX_DIMS})`;
  let count = 1;
  for (let i = 0; i < dims.length; i++) {
    const ne = dims[i]!;
    if (!Number.isSafeInteger(ne) || ne <= 0) return `dimension ${i} is ${ne}, not a positive integer`;
    count *= ne;
    if (count > Number.MAX_SAFE_INTEGER) return `element count of shape [${dims.join(", ")}] exceeds 2^53`;
  }
  const { blockSize, bytesPerBlock } = ggmlTypeInfo(type);
  const ne0 = dims[0] ?? 1;
  if (ne0 % blockSize !== 0) {
    return `row length ${ne0} is not a multiple of the ${GgmlType[type]} block size ${blockSize}`;
  }
  if ((count / blockSize) * bytesPerBlock > Number.MAX_SAFE_INTEGER)
    return `byte size of shape [${dims.join(", ")}] exceeds 2^53`;
  return undefined;
}

export function elementCount(dims: readonly number[]): number {
  let count = 1;
  for (const ne of dims) count *= ne;
  return count;
}

/** Bytes a tensor of this type and shape takes; throws when the shape does not fit the type. */
export function tensorByteSize(type: GgmlType, dims: readonly number[]): number {
  const problem = tensorShapeProblem(type, dims);
  if (problem !== undefined)
    throw new RangeError(
      `${(GgmlType[type] as string | undefined) ?? `type ${type}`} tensor of shape [${dims.join(", ")}]: ${problem}`,
    );
  const { blockSize, bytesPerBlock } = ggmlTypeInfo(type);
  return (elementCount(dims) / blockSize) * bytesPerBlock;
}

/** Bytes one row (ne0 elements) takes. */
export function rowByteSize(type: GgmlType, rowLength: number): number {
  const { blockSize, bytesPerBlock } = ggmlTypeInfo(type);
  return (rowLength / blockSize) * bytesPerBlock;
}
