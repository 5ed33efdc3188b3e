import type { FileHandle } from "node:fs/promises";

/**
 * Sequential writes to a file through one buffer: small writes are gathered, large ones go straight
 * through. Every write resolves only once its bytes are buffered or written, so a producer that awaits
 * each write never holds more than the buffer plus its own chunk.
 */
export class ByteSink {
  private readonly buffer: Uint8Array;
  private buffered = 0;
  /** Bytes already handed to the file. */
  private flushed = 0;

  constructor(
    private readonly handle: FileHandle,
    bufferSize = 1 << 20,
  ) {
    this.buffer = new Uint8Array(bufferSize);
  }

  /** Bytes accepted so far: the file offset of the next byte. */
  get position(): number {
    return this.flushed + this.buffered;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.buffered + bytes.length < this.buffer.length) {
      this.buffer.set(bytes, this.buffered);
      this.buffered += bytes.length;
      return;
    }
    await this.flush();
    if (bytes.length >= this.buffer.length) {
      await this.writeThrough(bytes);
    } else {
      this.buffer.set(bytes, 0);
      this.buffered = bytes.length;
    }
  }

  async zeros(count: number): Promise<void> {
    if (count > 0) await this.write(new Uint8Array(count));
  }

  async flush(): Promise<void> {
    if (this.buffered === 0) return;
    const pending = this.buffer.subarray(0, this.buffered);
    this.buffered = 0;
    await this.writeThrough(pending);
  }

  private async writeThrough(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.flushed);
      done += bytesWritten;
      this.flushed += bytesWritten;
    }
  }
}
