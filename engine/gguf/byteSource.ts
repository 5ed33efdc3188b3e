import type { FileHandle } from "node:fs/promises";
import { GgufFormatError } from "./errors.js";

/** Names what is being read, for error messages; a function so hot loops build the text only on failure. */
export type Label = string | (() => string);

export function labelText(label: Label): string {
  return typeof label === "function" ? label() : label;
}

/**
 * Sequential little-endian reads from a file through a window buffer. Callers check `has(n)` and
 * `await fill(n, label)` before the synchronous reads, so buffered values cost no promise.
 * Nothing is read past what the header needs; the window only grows for a single long string.
 */
export class ByteSource {
  private buffer: Uint8Array;
  private view: DataView;
  /** File offset of buffer[0]. */
  private windowStart = 0;
  /** Number of valid bytes in the buffer. */
  private windowLength = 0;
  /** File offset of the next byte to read. */
  position = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly fileSize: number,
    private readonly chunkSize = 1 << 20,
  ) {
    this.buffer = new Uint8Array(chunkSize);
    this.view = new DataView(this.buffer.buffer);
  }

  get remaining(): number {
    return this.fileSize - this.position;
  }

  has(n: number): boolean {
    return this.position + n <= this.windowStart + this.windowLength;
  }

  /**
   * Makes the next `n` bytes available, or throws a GgufFormatError naming `label` when the file ends first.
   */
  async fill(n: number, label: Label): Promise<void> {
    if (this.has(n)) return;
    if (n > this.remaining) {
      throw new GgufFormatError(
        `unexpected end of file: ${n} bytes needed, ${Math.max(0, this.remaining)} left (file is ${this.fileSize} bytes)`,
        this.position,
        labelText(label),
      );
    }
    const keep = this.windowStart + this.windowLength - this.position;
    const from = this.position - this.windowStart;
    if (n > this.buffer.length) {
      const grown = new Uint8Array(Math.max(n, this.chunkSize));
      grown.set(this.buffer.subarray(from, from + keep));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    } else {
      this.buffer.copyWithin(0, from, from + keep);
    }
    this.windowStart = this.position;
    this.windowLength = keep;
    const want = Math.min(this.buffer.length, this.fileSize - this.position);
    while (this.windowLength < want) {
      const { bytesRead } = await this.handle.read(
        this.buffer,
        this.windowLength,
        want - this.windowLength,
        this.windowStart + this.windowLength,
      );
      if (bytesRead === 0) break;
      this.windowLength += bytesRead;
    }
    if (this.windowLength < n) {
      throw new GgufFormatError(
        `the file ended at ${this.windowStart + this.windowLength} while ${n} bytes were needed (was it truncated while being read?)`,
        this.position,
        labelText(label),
      );
    }
  }

  private at(n: number): number {
    const offset = this.position - this.windowStart;
    this.position += n;
    return offset;
  }

  u8(): number {
    return this.buffer[this.at(1)]!;
  }
  i8(): number {
    return this.view.getInt8(this.at(1));
  }
  u16(): number {
    return this.view.getUint16(this.at(2), true);
  }
  i16(): number {
    return this.view.getInt16(this.at(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.at(4), true);
  }
  i32(): number {
    return this.view.getInt32(this.at(4), true);
  }
  f32(): number {
    return this.view.getFloat32(this.at(4), true);
  }
  f64(): number {
    return this.view.getFloat64(this.at(8), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.at(8), true);
  }
  i64(): bigint {
    return this.view.getBigInt64(this.at(8), true);
  }
  /** A view of the next n bytes, valid until the next fill. */
  bytes(n: number): Uint8Array {
    const offset = this.at(n);
    return this.buffer.subarray(offset, offset + n);
  }
}
