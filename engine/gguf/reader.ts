import { constants } from "node:buffer";
import { open, type FileHandle } from "node:fs/promises";
import { ByteSource } from "./byteSource.js";
import { canDecode, decodeTensorInto } from "./codecs.js";
import { GgufFormatError } from "./errors.js";
import { defaultHeaderLimits, parseHeader, type HeaderLimits, type ParsedHeader } from "./headerParser.js";
import { ggmlTypeInfo, ggmlTypeName, rowByteSize } from "./typeInfo.js";
import { GgufValueType, type GgufPlainValue, type GgufTensorInfo, type GgufValue } from "./types.js";
import { plainValue, valueTypeName } from "./values.js";

export interface OpenGgufOptions extends Partial<HeaderLimits> {
  /** Size of the header read window in bytes (default 1 MiB). */
  bufferSize?: number;
}

/**
 * Raw bytes decoded per step by readTensor, so a large tensor does not need its raw copy in memory at once.
 */
const DECODE_STEP_BYTES = 16 << 20;

/** Opens a GGUF file and reads its header; tensor data is read on demand. Close it when done. */
export async function openGguf(path: string, options: OpenGgufOptions = {}): Promise<GgufFile> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const limits: HeaderLimits = {
      maxStringLength: options.maxStringLength ?? defaultHeaderLimits.maxStringLength,
      maxMetadataValues: options.maxMetadataValues ?? defaultHeaderLimits.maxMetadataValues,
      maxTensorCount: options.maxTensorCount ?? defaultHeaderLimits.maxTensorCount,
    };
    const header = await parseHeader(new ByteSource(handle, size, options.bufferSize), limits);
    return new GgufFile(handle, path, size, header);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

type TensorRef = GgufTensorInfo | string;

/** A clear error instead of V8's "Invalid typed array length" for reads too large for one buffer. */
function checkAllocation(bytes: number, what: string): void {
  if (bytes > constants.MAX_LENGTH) {
    throw new RangeError(
      `${what} would take ${bytes} bytes, more than one buffer can hold; read it with readRows or streamTensorBytes`,
    );
  }
}

export class GgufFile {
  readonly version: number;
  /** Metadata in file order. */
  readonly metadata: Map<string, GgufValue>;
  /** Tensor infos in file order. */
  readonly tensors: GgufTensorInfo[];
  readonly alignment: number;
  /** File offset where the data section starts; tensor offsets are relative to it. */
  readonly dataOffset: number;
  private readonly byName: Map<string, GgufTensorInfo>;
  private handle: FileHandle | undefined;

  /** Use openGguf. */
  constructor(
    handle: FileHandle,
    readonly path: string,
    readonly fileSize: number,
    header: ParsedHeader,
  ) {
    this.handle = handle;
    this.version = header.version;
    this.metadata = header.metadata;
    this.tensors = header.tensors;
    this.alignment = header.alignment;
    this.dataOffset = header.dataOffset;
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /** The value of `key` as plain JS, or undefined when absent. */
  get(key: string): GgufPlainValue | undefined {
    const value = this.metadata.get(key);
    return value === undefined ? undefined : plainValue(value);
  }

  /** A numeric value (bigint for 64-bit integers); undefined when absent, TypeError when not a number. */
  getNumber(key: string): number | bigint | undefined {
    const value = this.metadata.get(key);
    if (value === undefined) return undefined;
    if (
      value.type === GgufValueType.ARRAY ||
      value.type === GgufValueType.STRING ||
      value.type === GgufValueType.BOOL
    ) {
      throw this.mismatch(key, value, "a number");
    }
    return value.value;
  }

  /** A string value; undefined when absent, TypeError when not a string. */
  getString(key: string): string | undefined {
    const value = this.metadata.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.STRING) throw this.mismatch(key, value, "a string");
    return value.value;
  }

  /** An array value as plain JS; undefined when absent, TypeError when not an array. */
  getArray(key: string): GgufPlainValue[] | undefined {
    const value = this.metadata.get(key);
    if (value === undefined) return undefined;
    if (value.type !== GgufValueType.ARRAY) throw this.mismatch(key, value, "an array");
    return value.items.map(plainValue);
  }

  private mismatch(key: string, value: GgufValue, expected: string): TypeError {
    return new TypeError(`metadata key '${key}' is ${valueTypeName(value.type)}, not ${expected}`);
  }

  tensor(name: string): GgufTensorInfo | undefined {
    return this.byName.get(name);
  }

  /** Resolves to this file's own info, so a caller-made info cannot point reads elsewhere. */
  private resolve(ref: TensorRef): GgufTensorInfo {
    const name = typeof ref === "string" ? ref : ref.name;
    const info = this.byName.get(name);
    if (info === undefined) throw new RangeError(`${this.path} has no tensor '${name}'`);
    return info;
  }

  /**
   * `length` bytes at `position`, into the front of `into` when given (a reused buffer: no allocation, no
   * zero-filling).
   */
  private async readAt(
    position: number,
    length: number,
    context: string,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const handle = this.handle;
    if (handle === undefined) throw new Error(`${this.path} is closed`);
    let bytes: Uint8Array;
    if (into === undefined) {
      checkAllocation(length, context);
      bytes = new Uint8Array(length);
    } else if (into.length < length) {
      throw new RangeError(`${context} take ${length} bytes; the buffer given holds ${into.length}`);
    } else {
      bytes = into.subarray(0, length);
    }
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(bytes, done, length - done, position + done);
      if (bytesRead === 0) {
        throw new GgufFormatError(
          `the file ends at ${position + done}, ${length - done} bytes short (was it truncated after opening?)`,
          position + done,
          context,
        );
      }
      done += bytesRead;
    }
    return bytes;
  }

  private fileOffsetOf(info: GgufTensorInfo): number {
    return this.dataOffset + info.offset;
  }

  /** The tensor's raw (encoded) bytes. */
  readTensorBytes(ref: TensorRef): Promise<Uint8Array> {
    const info = this.resolve(ref);
    return this.readAt(this.fileOffsetOf(info), info.byteSize, `data of tensor '${info.name}'`);
  }

  /** The whole tensor as floats, dequantized. For tensors too large for memory use readRows. */
  async readTensor(ref: TensorRef): Promise<Float32Array> {
    const info = this.resolve(ref);
    this.checkDecodable(info);
    const { blockSize, bytesPerBlock } = ggmlTypeInfo(info.type);
    checkAllocation(info.elementCount * 4, `tensor '${info.name}' as floats`);
    const out = new Float32Array(info.elementCount);
    const blocks = info.byteSize / bytesPerBlock;
    const step = Math.max(1, Math.floor(DECODE_STEP_BYTES / bytesPerBlock));
    for (let block = 0; block < blocks; block += step) {
      const count = Math.min(step, blocks - block);
      const bytes = await this.readAt(
        this.fileOffsetOf(info) + block * bytesPerBlock,
        count * bytesPerBlock,
        `data of tensor '${info.name}'`,
      );
      decodeTensorInto(info.type, bytes, out.subarray(block * blockSize, (block + count) * blockSize));
    }
    return out;
  }

  /** Number of rows (ne0-element rows) of a tensor. */
  rowCount(ref: TensorRef): number {
    const info = this.resolve(ref);
    return info.elementCount / (info.dims[0] ?? 1);
  }

  /**
   * `rowCount` rows starting at `firstRow`, dequantized; rows are ne0 elements long. `into`, when
   * given and large enough, receives them (no allocation).
   */
  async readRows(
    ref: TensorRef,
    firstRow: number,
    rowCount: number,
    into?: Float32Array,
  ): Promise<Float32Array> {
    const info = this.resolve(ref);
    this.checkDecodable(info);
    this.checkRows(info, firstRow, rowCount);
    const rowLength = info.dims[0] ?? 1;
    checkAllocation(rowCount * rowLength * 4, `${rowCount} rows of tensor '${info.name}' as floats`);
    const bytes = await this.readRowBytes(info, firstRow, rowCount);
    const elements = rowCount * rowLength;
    return decodeTensorInto(
      info.type,
      bytes,
      into && into.length >= elements ? into.subarray(0, elements) : new Float32Array(elements),
    );
  }

  /**
   * The raw (encoded) bytes of `rowCount` rows starting at `firstRow`. `into`, when given, receives
   * them (it must hold them all): a streaming reader reuses one buffer instead of allocating per read.
   */
  async readRowBytes(
    ref: TensorRef,
    firstRow: number,
    rowCount: number,
    into?: Uint8Array,
  ): Promise<Uint8Array> {
    const info = this.resolve(ref);
    this.checkRows(info, firstRow, rowCount);
    const rowBytes = rowByteSize(info.type, info.dims[0] ?? 1);
    return this.readAt(
      this.fileOffsetOf(info) + firstRow * rowBytes,
      rowCount * rowBytes,
      `rows ${firstRow}..${firstRow + rowCount - 1} of tensor '${info.name}'`,
      into,
    );
  }

  private checkRows(info: GgufTensorInfo, firstRow: number, rowCount: number): void {
    const rows = this.rowCount(info);
    if (
      !Number.isSafeInteger(firstRow) ||
      !Number.isSafeInteger(rowCount) ||
      firstRow < 0 ||
      rowCount < 0 ||
      firstRow + rowCount > rows
    ) {
      throw new RangeError(
        `rows [${firstRow}, ${firstRow + rowCount}) are outside tensor '${info.name}', which has ${rows} rows`,
      );
    }
  }

  /**
   * The tensor's raw bytes in chunks of `chunkBytes` (the last one may be shorter); each chunk is a new
   * buffer.
   */
  async *streamTensorBytes(
    ref: TensorRef,
    chunkBytes = 1 << 20,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const info = this.resolve(ref);
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes <= 0)
      throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    for (let done = 0; done < info.byteSize; done += chunkBytes) {
      const length = Math.min(chunkBytes, info.byteSize - done);
      yield await this.readAt(this.fileOffsetOf(info) + done, length, `data of tensor '${info.name}'`);
    }
  }

  private checkDecodable(info: GgufTensorInfo): void {
    if (!canDecode(info.type)) {
      throw new RangeError(
        `unsupported tensor type ${ggmlTypeName(info.type)} for decoding (tensor '${info.name}')`,
      );
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }
}
