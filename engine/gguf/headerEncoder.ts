import { GgufValueType, type GgufTensorInfo, type GgufValue } from "./types.js";

const utf8 = new TextEncoder();
const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"

/** A growable little-endian byte buffer for the header, which must be complete before any tensor data. */
class GrowableBytes {
  private bytes = new Uint8Array(1 << 16);
  private view = new DataView(this.bytes.buffer);
  length = 0;

  /**
   * Makes room for n bytes and returns where they go. It may replace `bytes` and `view`: call it before
   * reading them.
   */
  private reserve(n: number): number {
    const at = this.length;
    if (at + n > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < at + n) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length += n;
    return at;
  }

  u8(v: number): void {
    const at = this.reserve(1);
    this.bytes[at] = v;
  }
  i8(v: number): void {
    const at = this.reserve(1);
    this.view.setInt8(at, v);
  }
  u16(v: number): void {
    const at = this.reserve(2);
    this.view.setUint16(at, v, true);
  }
  i16(v: number): void {
    const at = this.reserve(2);
    this.view.setInt16(at, v, true);
  }
  u32(v: number): void {
    const at = this.reserve(4);
    this.view.setUint32(at, v, true);
  }
  i32(v: number): void {
    const at = this.reserve(4);
    this.view.setInt32(at, v, true);
  }
  f32(v: number): void {
    const at = this.reserve(4);
    this.view.setFloat32(at, v, true);
  }
  f64(v: number): void {
    const at = this.reserve(8);
    this.view.setFloat64(at, v, true);
  }
  u64(v: bigint | number): void {
    const at = this.reserve(8);
    this.view.setBigUint64(at, BigInt(v), true);
  }
  i64(v: bigint): void {
    const at = this.reserve(8);
    this.view.setBigInt64(at, v, true);
  }
  raw(bytes: ArrayLike<number>): void {
    const at = this.reserve(bytes.length);
    this.bytes.set(bytes, at);
  }
  string(value: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit; encode in place, then write the real length before it.
    const lengthAt = this.reserve(8);
    const start = this.length;
    this.reserve(value.length * 3);
    const { written } = utf8.encodeInto(value, this.bytes.subarray(start));
    this.length = start + written;
    this.view.setBigUint64(lengthAt, BigInt(written), true);
  }
  padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    const at = this.reserve(padding);
    // Zero explicitly: string() may have left bytes there when it reserved more than it wrote.
    this.bytes.fill(0, at, at + padding);
  }
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

function writeValue(out: GrowableBytes, value: GgufValue): void {
  switch (value.type) {
    case GgufValueType.UINT8:
      return out.u8(value.value);
    case GgufValueType.INT8:
      return out.i8(value.value);
    case GgufValueType.UINT16:
      return out.u16(value.value);
    case GgufValueType.INT16:
      return out.i16(value.value);
    case GgufValueType.UINT32:
      return out.u32(value.value);
    case GgufValueType.INT32:
      return out.i32(value.value);
    case GgufValueType.FLOAT32:
      return out.f32(value.value);
    case GgufValueType.FLOAT64:
      return out.f64(value.value);
    case GgufValueType.BOOL:
      return out.u8(value.value ? 1 : 0);
    case GgufValueType.STRING:
      return out.string(value.value);
    case GgufValueType.UINT64:
      return out.u64(value.value);
    case GgufValueType.INT64:
      return out.i64(value.value);
    case GgufValueType.ARRAY:
      // An array value is its item type, its count, then the items; nested arrays repeat this per item.
      out.u32(value.itemType);
      out.u64(value.items.length);
      for (const item of value.items) writeValue(out, item);
      return;
  }
}

/**
 * The complete header: magic, version 3, counts, key-value pairs, tensor infos, and zero padding up to the
 * data section. Values must have been validated (validateValue) beforehand.
 */
export function encodeHeader(
  metadata: ReadonlyMap<string, GgufValue>,
  tensors: readonly GgufTensorInfo[],
  alignment: number,
): Uint8Array {
  const out = new GrowableBytes();
  out.raw(MAGIC);
  out.u32(3);
  out.u64(tensors.length);
  out.u64(metadata.size);
  for (const [key, value] of metadata) {
    out.string(key);
    out.u32(value.type);
    writeValue(out, value);
  }
  for (const tensor of tensors) {
    out.string(tensor.name);
    out.u32(tensor.dims.length);
    for (const ne of tensor.dims) out.u64(ne);
    out.u32(tensor.type);
    out.u64(tensor.offset);
  }
  out.padTo(alignment);
  return out.result();
}
