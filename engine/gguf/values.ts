import {
  GgufValueType,
  type GgufArrayValue,
  type GgufBigIntType,
  type GgufNumberType,
  type GgufPlainValue,
  type GgufValue,
} from "./types.js";
import { describeError } from "../errors/index.js";

/** Arrays nested deeper than this are rejected on read and write (recursion depth guard). */
export const MAX_ARRAY_NESTING = 16;

const integerRanges: Partial<Record<GgufValueType, [number, number]>> = {
  [GgufValueType.UINT8]: [0, 0xff],
  [GgufValueType.INT8]: [-0x80, 0x7f],
  [GgufValueType.UINT16]: [0, 0xffff],
  [GgufValueType.INT16]: [-0x8000, 0x7fff],
  [GgufValueType.UINT32]: [0, 0xffffffff],
  [GgufValueType.INT32]: [-0x80000000, 0x7fffffff],
};

const bigIntRanges: Partial<Record<GgufValueType, [bigint, bigint]>> = {
  [GgufValueType.UINT64]: [0n, (1n << 64n) - 1n],
  [GgufValueType.INT64]: [-(1n << 63n), (1n << 63n) - 1n],
};

/** Bytes a scalar of this type takes in the file; 0 for STRING and ARRAY, whose size varies. */
export function scalarByteSize(type: GgufValueType): number {
  switch (type) {
    case GgufValueType.UINT8:
    case GgufValueType.INT8:
    case GgufValueType.BOOL:
      return 1;
    case GgufValueType.UINT16:
    case GgufValueType.INT16:
      return 2;
    case GgufValueType.UINT32:
    case GgufValueType.INT32:
    case GgufValueType.FLOAT32:
      return 4;
    case GgufValueType.UINT64:
    case GgufValueType.INT64:
    case GgufValueType.FLOAT64:
      return 8;
    default:
      return 0;
  }
}

const firstValueType: number = GgufValueType.UINT8;
const lastValueType: number = GgufValueType.FLOAT64;

export function isGgufValueType(type: number): type is GgufValueType {
  return Number.isInteger(type) && type >= firstValueType && type <= lastValueType;
}

export function valueTypeName(type: number): string {
  return isGgufValueType(type) ? GgufValueType[type] : `unknown type ${type}`;
}

function numberValue(type: GgufNumberType, value: number): GgufValue {
  if (typeof value !== "number")
    throw new TypeError(`${GgufValueType[type]} value must be a number, got ${typeof value}`);
  const range = integerRanges[type];
  if (range !== undefined && !(Number.isInteger(value) && value >= range[0] && value <= range[1])) {
    throw new RangeError(
      `${value} is not a valid ${GgufValueType[type]} (integer in [${range[0]}, ${range[1]}])`,
    );
  }
  return { type, value };
}

function bigIntValue(type: GgufBigIntType, value: bigint | number): GgufValue {
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`${value} is not a safe integer; pass a bigint for ${GgufValueType[type]}`);
  }
  const big = BigInt(value);
  const [min, max] = bigIntRanges[type]!;
  if (big < min || big > max) throw new RangeError(`${big} is out of range for ${GgufValueType[type]}`);
  return { type, value: big };
}

/** Constructors for typed metadata values; they check ranges so that a bad value fails where it is made. */
export const gguf = {
  u8: (v: number): GgufValue => numberValue(GgufValueType.UINT8, v),
  i8: (v: number): GgufValue => numberValue(GgufValueType.INT8, v),
  u16: (v: number): GgufValue => numberValue(GgufValueType.UINT16, v),
  i16: (v: number): GgufValue => numberValue(GgufValueType.INT16, v),
  u32: (v: number): GgufValue => numberValue(GgufValueType.UINT32, v),
  i32: (v: number): GgufValue => numberValue(GgufValueType.INT32, v),
  f32: (v: number): GgufValue => numberValue(GgufValueType.FLOAT32, v),
  f64: (v: number): GgufValue => numberValue(GgufValueType.FLOAT64, v),
  u64: (v: bigint | number): GgufValue => bigIntValue(GgufValueType.UINT64, v),
  i64: (v: bigint | number): GgufValue => bigIntValue(GgufValueType.INT64, v),
  bool: (v: boolean): GgufValue => {
    if (typeof v !== "boolean") throw new TypeError(`BOOL value must be a boolean, got ${typeof v}`);
    return { type: GgufValueType.BOOL, value: v };
  },
  str: (v: string): GgufValue => {
    if (typeof v !== "string") throw new TypeError(`STRING value must be a string, got ${typeof v}`);
    return { type: GgufValueType.STRING, value: v };
  },
  array: (itemType: GgufValueType, items: GgufValue[]): GgufArrayValue => {
    const value: GgufArrayValue = { type: GgufValueType.ARRAY, itemType, items };
    validateValue(value, "array");
    return value;
  },
  strings: (values: readonly string[]): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.STRING,
    items: values.map((v) => gguf.str(v)),
  }),
  f32s: (values: ArrayLike<number>): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.FLOAT32,
    items: Array.from(values, (v) => gguf.f32(v)),
  }),
  i32s: (values: ArrayLike<number>): GgufArrayValue => ({
    type: GgufValueType.ARRAY,
    itemType: GgufValueType.INT32,
    items: Array.from(values, (v) => gguf.i32(v)),
  }),
};

/** The value as plain JS: scalars unwrapped, arrays mapped item by item. */
export function plainValue(value: GgufValue): GgufPlainValue {
  if (value.type === GgufValueType.ARRAY) return value.items.map(plainValue);
  return value.value;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks a value before it is written: known types, integers in range, items of the declared item type,
 * strings that are valid Unicode (a lone surrogate would be silently replaced by the UTF-8 encoder).
 * `where` names the value in the error message.
 */
/* eslint-disable
   @typescript-eslint/no-unnecessary-condition, @typescript-eslint/restrict-template-expressions --
   the value comes from callers in JavaScript and from parsed files: checked as if untyped. */
export function validateValue(value: GgufValue, where: string, depth = 0): void {
  if (value === null || typeof value !== "object") throw new TypeError(`${where}: not a GgufValue`);
  const type = value.type as number;
  if (!isGgufValueType(type)) throw new TypeError(`${where}: unknown value type ${type}`);
  if (value.type === GgufValueType.ARRAY) {
    if (depth >= MAX_ARRAY_NESTING)
      throw new RangeError(`${where}: arrays nested deeper than ${MAX_ARRAY_NESTING}`);
    if (!isGgufValueType(value.itemType))
      throw new TypeError(`${where}: unknown array item type ${value.itemType}`);
    if (!Array.isArray(value.items)) throw new TypeError(`${where}: array items must be an array`);
    for (let i = 0; i < value.items.length; i++) {
      const item = value.items[i]!;
      if (item?.type !== value.itemType) {
        throw new TypeError(
          `${where}: item ${i} has type ${valueTypeName(item?.type)} in an array of ${valueTypeName(value.itemType)}`,
        );
      }
      if (item.type === GgufValueType.ARRAY) validateValue(item, `${where}[${i}]`, depth + 1);
      else validateScalar(item, `${where}[${i}]`);
    }
    return;
  }
  validateScalar(value, where);
}
/* eslint-enable
   @typescript-eslint/no-unnecessary-condition, @typescript-eslint/restrict-template-expressions */

function validateScalar(value: GgufValue, where: string): void {
  const type: number = value.type;
  try {
    switch (value.type) {
      case GgufValueType.UINT64:
      case GgufValueType.INT64:
        if (typeof value.value !== "bigint")
          throw new TypeError(`${valueTypeName(type)} value must be a bigint`);
        bigIntValue(value.type, value.value);
        return;
      case GgufValueType.BOOL:
        gguf.bool(value.value);
        return;
      case GgufValueType.STRING:
        gguf.str(value.value);
        if (loneSurrogate.test(value.value)) throw new RangeError("string contains a lone UTF-16 surrogate");
        return;
      case GgufValueType.ARRAY:
        throw new TypeError("unexpected array");
      default:
        numberValue(value.type, value.value);
    }
  } catch (error) {
    const message = describeError(error);
    throw error instanceof RangeError
      ? new RangeError(`${where}: ${message}`)
      : new TypeError(`${where}: ${message}`);
  }
}
