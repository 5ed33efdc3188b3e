/** Metadata value types, numbered as in gguf.h (`enum gguf_type`). */
export enum GgufValueType {
  UINT8 = 0,
  INT8 = 1,
  UINT16 = 2,
  INT16 = 3,
  UINT32 = 4,
  INT32 = 5,
  FLOAT32 = 6,
  BOOL = 7,
  STRING = 8,
  ARRAY = 9,
  UINT64 = 10,
  INT64 = 11,
  FLOAT64 = 12,
}

/** Tensor element types, numbered as in ggml.h (`enum ggml_type`). Gaps are types removed from ggml. */
export enum GgmlType {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ2_XXS = 16,
  IQ2_XS = 17,
  IQ3_XXS = 18,
  IQ1_S = 19,
  IQ4_NL = 20,
  IQ3_S = 21,
  IQ2_S = 22,
  IQ4_XS = 23,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  IQ1_M = 29,
  BF16 = 30,
  TQ1_0 = 34,
  TQ2_0 = 35,
  MXFP4 = 39,
  NVFP4 = 40,
  Q1_0 = 41,
  Q2_0 = 42,
}

export type GgufNumberType =
  | GgufValueType.UINT8
  | GgufValueType.INT8
  | GgufValueType.UINT16
  | GgufValueType.INT16
  | GgufValueType.UINT32
  | GgufValueType.INT32
  | GgufValueType.FLOAT32
  | GgufValueType.FLOAT64;

export type GgufBigIntType = GgufValueType.UINT64 | GgufValueType.INT64;

export type GgufScalarType = Exclude<GgufValueType, GgufValueType.ARRAY>;

/** A scalar metadata value; 64-bit integers are bigints so no value is rounded. */
export type GgufScalarValue =
  | { type: GgufNumberType; value: number }
  | { type: GgufBigIntType; value: bigint }
  | { type: GgufValueType.BOOL; value: boolean }
  | { type: GgufValueType.STRING; value: string };

/** An array value: every item has type `itemType`, which may itself be ARRAY (nested arrays). */
export interface GgufArrayValue {
  type: GgufValueType.ARRAY;
  itemType: GgufValueType;
  items: GgufValue[];
}

export type GgufValue = GgufScalarValue | GgufArrayValue;

/**
 * A metadata value as plain JS: numbers, bigints (64-bit integers), booleans, strings and arrays of those.
 */
export type GgufPlainValue = number | bigint | boolean | string | GgufPlainValue[];

export interface GgufTensorInfo {
  name: string;
  /** ggml order: ne0 (the row length) first. */
  dims: number[];
  type: GgmlType;
  /** Relative to the start of the data section. */
  offset: number;
  byteSize: number;
  elementCount: number;
}

/** Default of `general.alignment` (GGUF_DEFAULT_ALIGNMENT). */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** GGML_MAX_DIMS. */
export const GGML_MAX_DIMS = 4;
/** GGML_MAX_NAME: tensor names must be shorter than this many bytes for llama.cpp to load them. */
export const GGML_MAX_NAME = 64;
