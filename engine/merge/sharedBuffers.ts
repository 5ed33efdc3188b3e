/**
 * Byte buffers in shared memory (a worker thread reads and writes them without a copy), kept by name
 * and reused for every tensor of a merge: a worker that has seen a buffer keeps it alive until its own
 * garbage collection, so fresh ones per tensor would pile up, and cost page faults besides.
 */
export class SharedBuffers {
  private readonly buffers = new Map<string, SharedArrayBuffer>();

  /** `length` bytes for `name`: the memory last given for it, unless that is too small. */
  bytes(name: string, length: number): Uint8Array {
    let buffer = this.buffers.get(name);
    if (buffer === undefined || buffer.byteLength < length) {
      buffer = new SharedArrayBuffer(length);
      this.buffers.set(name, buffer);
    }
    return new Uint8Array(buffer, 0, length);
  }
}
