import { open, rm, type FileHandle } from "node:fs/promises";
import { ByteSink } from "./byteSink.js";
import { encodeTensor } from "./codecs.js";
import { encodeHeader } from "./headerEncoder.js";
import { elementCount, ggmlTypeName, tensorByteSize } from "./typeInfo.js";
import {
  GGML_MAX_NAME,
  GGUF_DEFAULT_ALIGNMENT,
  GgufValueType,
  type GgmlType,
  type GgufTensorInfo,
  type GgufValue,
} from "./types.js";
import { gguf, validateValue } from "./values.js";

export interface GgufWriterOptions {
  /** Data alignment in bytes, a power of two (default 32); written as general.alignment when not 32. */
  alignment?: number;
  /** Write buffer size in bytes (default 1 MiB). */
  bufferSize?: number;
}

type WriterState = "declaring" | "writing" | "finished" | "aborted" | "failed";

const utf8 = new TextEncoder();

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

/**
 * Writes a GGUF v3 file front to back without holding it in memory: declare metadata and tensors
 * first, then write each tensor's data in declaration order (whole, or in chunks), then finish().
 * On failure call abort(), which closes and deletes the partial file.
 */
export class GgufWriter {
  private readonly metadata = new Map<string, GgufValue>();
  private readonly declared: GgufTensorInfo[] = [];
  private readonly names = new Set<string>();
  private state: WriterState = "declaring";
  private busy = false;
  private sink: ByteSink | undefined;
  private dataStart = 0;
  /** Index of the tensor whose data comes next, and how many of its bytes are already written. */
  private current = 0;
  private currentWritten = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle | undefined,
    readonly alignment: number,
    private readonly bufferSize: number,
  ) {
    if (alignment !== GGUF_DEFAULT_ALIGNMENT) this.metadata.set("general.alignment", gguf.u32(alignment));
  }

  /** Creates (or truncates) the file at `path`. */
  static async create(path: string, options: GgufWriterOptions = {}): Promise<GgufWriter> {
    const alignment = options.alignment ?? GGUF_DEFAULT_ALIGNMENT;
    if (
      !Number.isInteger(alignment) ||
      alignment <= 0 ||
      alignment > 0x80000000 ||
      (alignment & (alignment - 1)) !== 0
    ) {
      throw new RangeError(`alignment must be a power of two that fits in 32 bits, got ${alignment}`);
    }
    const handle = await open(path, "w");
    return new GgufWriter(path, handle, alignment, options.bufferSize ?? 1 << 20);
  }

  private requireDeclaring(what: string): void {
    if (this.state !== "declaring")
      throw new Error(`${what}: the header of ${this.path} is already written (state ${this.state})`);
  }

  /** Sets a metadata value; keys keep the order of their first setting. */
  setMetadata(key: string, value: GgufValue): void {
    this.requireDeclaring(`setMetadata('${key}')`);
    if (typeof key !== "string" || key.length === 0)
      throw new TypeError("metadata key must be a non-empty string");
    validateValue(value, `metadata '${key}'`);
    if (
      key === "general.alignment" &&
      (value.type !== GgufValueType.UINT32 || value.value !== this.alignment)
    ) {
      throw new RangeError(
        `general.alignment must be UINT32 ${this.alignment}; choose it with GgufWriter.create(path, { alignment })`,
      );
    }
    this.metadata.set(key, value);
  }

  /**
   * Declares a tensor (dims in ggml order, ne0 first); its data offset follows the previous tensor, aligned.
   */
  addTensor(name: string, dims: readonly number[], type: GgmlType): GgufTensorInfo {
    this.requireDeclaring(`addTensor('${name}')`);
    if (typeof name !== "string" || name.length === 0)
      throw new TypeError("tensor name must be a non-empty string");
    const nameBytes = utf8.encode(name).length;
    if (nameBytes >= GGML_MAX_NAME)
      throw new RangeError(
        `tensor name '${name}' is ${nameBytes} bytes; llama.cpp allows at most ${GGML_MAX_NAME - 1}`,
      );
    if (this.names.has(name)) throw new Error(`tensor '${name}' is already declared`);
    const declaredDims: unknown = dims; // Array.isArray(dims) would narrow dims itself to any[]
    if (!Array.isArray(declaredDims) || dims.length === 0)
      throw new RangeError(`tensor '${name}' needs at least one dimension`);
    const byteSize = tensorByteSize(type, dims);
    const last = this.declared[this.declared.length - 1];
    const offset = last === undefined ? 0 : alignUp(last.offset + last.byteSize, this.alignment);
    const info: GgufTensorInfo = {
      name,
      dims: [...dims],
      type,
      offset,
      byteSize,
      elementCount: elementCount(dims),
    };
    this.declared.push(info);
    this.names.add(name);
    return { ...info, dims: [...info.dims] };
  }

  /** The declared tensors, in order. */
  get tensors(): readonly GgufTensorInfo[] {
    return this.declared;
  }

  /** Writes a tensor's whole data: floats (encoded to its type) or bytes already encoded. */
  writeTensor(name: string, data: Float32Array | Uint8Array): Promise<void> {
    return this.run(async () => {
      const tensor = this.expectNext(name);
      if (this.currentWritten > 0) {
        throw new Error(
          `tensor '${name}' was started with writeTensorChunk; write the rest with writeTensorChunk`,
        );
      }
      let bytes: Uint8Array;
      if (data instanceof Float32Array) {
        if (data.length !== tensor.elementCount) {
          throw new RangeError(
            `tensor '${name}' has ${tensor.elementCount} elements, got ${data.length} values`,
          );
        }
        bytes = encodeTensor(tensor.type, data);
      } else if (data instanceof Uint8Array) {
        if (data.length !== tensor.byteSize) {
          throw new RangeError(
            `tensor '${name}' (${ggmlTypeName(tensor.type)}) takes ${tensor.byteSize} bytes, got ${data.length}`,
          );
        }
        bytes = data;
      } else {
        throw new TypeError(`tensor '${name}': data must be a Float32Array or a Uint8Array`);
      }
      await this.emit(tensor, bytes);
    });
  }

  /** Writes the next piece of a tensor's encoded bytes; the pieces must add up to its byte size exactly. */
  writeTensorChunk(name: string, bytes: Uint8Array): Promise<void> {
    return this.run(async () => {
      const tensor = this.expectNext(name);
      if (!(bytes instanceof Uint8Array))
        throw new TypeError(`tensor '${name}': a chunk must be a Uint8Array`);
      if (this.currentWritten + bytes.length > tensor.byteSize) {
        throw new RangeError(
          `tensor '${name}' takes ${tensor.byteSize} bytes; this chunk of ${bytes.length} would make ${this.currentWritten + bytes.length}`,
        );
      }
      await this.emit(tensor, bytes);
    });
  }

  /** Checks every tensor was written completely, pads, flushes to disk and closes the file. */
  finish(): Promise<void> {
    return this.run(async () => {
      if (this.current < this.declared.length) {
        const missing = this.declared
          .slice(this.current)
          .map((t, i) =>
            i === 0 && this.currentWritten > 0
              ? `'${t.name}' (${this.currentWritten} of ${t.byteSize} bytes)`
              : `'${t.name}'`,
          );
        throw new Error(`cannot finish ${this.path}: tensor data not written for ${missing.join(", ")}`);
      }
      await this.io(async () => {
        await this.sink!.flush();
        await this.handle!.sync();
        await this.handle!.close();
      });
      this.handle = undefined;
      this.state = "finished";
    });
  }

  /** Closes and deletes the partial file. Does nothing after a successful finish(). */
  async abort(): Promise<void> {
    if (this.state === "finished" || this.state === "aborted") return;
    this.state = "aborted";
    const handle = this.handle;
    this.handle = undefined;
    try {
      await handle?.close();
    } catch {
      // the file is deleted next; a failed close changes nothing
    }
    await rm(this.path, { force: true });
  }

  /** Runs one operation at a time; an I/O failure leaves the writer unusable except for abort(). */
  private async run(operation: () => Promise<void>): Promise<void> {
    if (this.busy) throw new Error("a previous GgufWriter call has not finished; await each call");
    if (this.state === "finished" || this.state === "aborted" || this.state === "failed") {
      throw new Error(`${this.path}: the writer is ${this.state}`);
    }
    this.busy = true;
    try {
      if (this.state === "declaring") await this.writeHeader();
      await operation();
    } finally {
      this.busy = false;
    }
  }

  private async writeHeader(): Promise<void> {
    const header = encodeHeader(this.metadata, this.declared, this.alignment);
    this.sink = new ByteSink(this.handle!, this.bufferSize);
    this.state = "writing";
    await this.io(() => this.sink!.write(header));
    this.dataStart = header.length;
  }

  private expectNext(name: string): GgufTensorInfo {
    const next = this.declared[this.current];
    if (next !== undefined && next.name === name) return next;
    if (!this.names.has(name)) throw new Error(`no tensor '${name}' was declared`);
    if (next === undefined || this.declared.findIndex((t) => t.name === name) < this.current) {
      throw new Error(`tensor '${name}' is already written`);
    }
    throw new Error(`tensors must be written in declaration order: '${next.name}' comes before '${name}'`);
  }

  private async emit(tensor: GgufTensorInfo, bytes: Uint8Array): Promise<void> {
    const sink = this.sink!;
    await this.io(async () => {
      if (this.currentWritten === 0 && sink.position !== this.dataStart + tensor.offset) {
        throw new Error(
          `internal error: tensor '${tensor.name}' would start at ${sink.position}, not ${this.dataStart + tensor.offset}`,
        );
      }
      await sink.write(bytes);
      this.currentWritten += bytes.length;
      if (this.currentWritten === tensor.byteSize) {
        await sink.zeros(alignUp(sink.position, this.alignment) - sink.position);
        this.current++;
        this.currentWritten = 0;
      }
    });
  }

  private async io(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      this.state = "failed";
      throw error;
    }
  }
}

export interface GgufTensorData {
  name: string;
  dims: readonly number[];
  type: GgmlType;
  /** Floats to encode to `type`, or bytes already encoded. */
  data: Float32Array | Uint8Array;
}

export interface GgufFileContents {
  metadata: Iterable<[string, GgufValue]> | Record<string, GgufValue>;
  tensors: readonly GgufTensorData[];
  alignment?: number;
}

/** Writes a whole GGUF file in one call; deletes the partial file on failure. */
export async function writeGguf(path: string, contents: GgufFileContents): Promise<void> {
  const writer = await GgufWriter.create(path, { alignment: contents.alignment });
  try {
    const entries =
      Symbol.iterator in contents.metadata ? contents.metadata : Object.entries(contents.metadata);
    for (const [key, value] of entries) writer.setMetadata(key, value);
    for (const tensor of contents.tensors) writer.addTensor(tensor.name, tensor.dims, tensor.type);
    for (const tensor of contents.tensors) await writer.writeTensor(tensor.name, tensor.data);
    await writer.finish();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
