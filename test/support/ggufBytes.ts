/**
 * Builds GGUF bytes field by field, independently of engine/gguf's writer, so tests can hand-craft
 * valid files and then patch single fields (counts, lengths, types) found through named marks.
 */
export class RawGguf {
  private bytes: number[] = [];
  /** Byte offsets of named fields. */
  readonly marks = new Map<string, number>();

  get length(): number {
    return this.bytes.length;
  }

  mark(name: string): this {
    this.marks.set(name, this.bytes.length);
    return this;
  }

  at(name: string): number {
    const offset = this.marks.get(name);
    if (offset === undefined) throw new Error(`no mark '${name}'`);
    return offset;
  }

  raw(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) this.bytes.push(values[i]! & 0xff);
    return this;
  }

  private fixed(size: number, set: (view: DataView) => void): this {
    const view = new DataView(new ArrayBuffer(size));
    set(view);
    return this.raw(new Uint8Array(view.buffer));
  }

  u8(v: number): this {
    return this.raw([v]);
  }
  u16(v: number): this {
    return this.fixed(2, (d) => d.setUint16(0, v, true));
  }
  u32(v: number): this {
    return this.fixed(4, (d) => d.setUint32(0, v, true));
  }
  i32(v: number): this {
    return this.fixed(4, (d) => d.setInt32(0, v, true));
  }
  u64(v: bigint | number): this {
    return this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }
  f32(v: number): this {
    return this.fixed(4, (d) => d.setFloat32(0, v, true));
  }
  str(s: string): this {
    const encoded = new TextEncoder().encode(s);
    return this.u64(encoded.length).raw(encoded);
  }
  padTo(alignment: number): this {
    while (this.bytes.length % alignment !== 0) this.bytes.push(0);
    return this;
  }

  build(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Overwrites bytes of `file` at `offset` with a little-endian u32 / u64 / raw bytes. */
export function patchU32(file: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = file.slice();
  new DataView(copy.buffer).setUint32(offset, value, true);
  return copy;
}

export function patchU64(file: Uint8Array, offset: number, value: bigint): Uint8Array {
  const copy = file.slice();
  new DataView(copy.buffer).setBigUint64(offset, value, true);
  return copy;
}

export function patchBytes(file: Uint8Array, offset: number, values: ArrayLike<number>): Uint8Array {
  const copy = file.slice();
  copy.set(Array.from(values), offset);
  return copy;
}

/**
 * A small valid GGUF v3 file with marks on the fields the corruption tests patch:
 * three metadata keys (a string, a string array, a u32), two F32 tensors (4x2 and 8).
 */
export function sampleGguf(): RawGguf {
  const g = new RawGguf();
  g.mark("magic").raw([0x47, 0x47, 0x55, 0x46]);
  g.mark("version").u32(3);
  g.mark("tensorCount").u64(2);
  g.mark("kvCount").u64(3);

  g.mark("key0").str("general.name");
  g.mark("key0.type").u32(8);
  g.mark("key0.length").str("sample");

  g.mark("key1").str("tokenizer.ggml.tokens");
  g.mark("key1.type").u32(9);
  g.mark("key1.itemType").u32(8);
  g.mark("key1.count").u64(3);
  g.mark("key1.item0").str("a").str("b").mark("key1.item2").str("c");

  g.mark("key2").str("sample.block_count");
  g.mark("key2.type").u32(4);
  g.u32(7);

  g.mark("tensor0").str("first.weight");
  g.mark("tensor0.nDims").u32(2);
  g.mark("tensor0.dim0").u64(4);
  g.mark("tensor0.dim1").u64(2);
  g.mark("tensor0.type").u32(0);
  g.mark("tensor0.offset").u64(0);

  g.mark("tensor1").str("second.weight");
  g.mark("tensor1.nDims").u32(1);
  g.mark("tensor1.dim0").u64(8);
  g.mark("tensor1.type").u32(0);
  g.mark("tensor1.offset").u64(32);

  g.mark("headerEnd").padTo(32).mark("data");
  for (let i = 0; i < 8; i++) g.f32(i);
  for (let i = 0; i < 8; i++) g.f32(-i);
  g.mark("dataEnd");
  return g;
}
