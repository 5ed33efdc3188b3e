import { type ByteSource, labelText, type Label } from "./byteSource.js";
import { GgufFormatError } from "./errors.js";
import {
  elementCount,
  ggmlTypeName,
  tensorByteSize,
  tensorShapeProblem,
  unknownGgmlTypeProblem,
} from "./typeInfo.js";
import {
  GGML_MAX_DIMS,
  GGUF_DEFAULT_ALIGNMENT,
  GgufValueType,
  type GgufTensorInfo,
  type GgufValue,
} from "./types.js";
import { MAX_ARRAY_NESTING, isGgufValueType, scalarByteSize, valueTypeName } from "./values.js";

export interface HeaderLimits {
  /** Longest string accepted, in bytes. */
  maxStringLength: number;
  /** Most metadata values (scalars plus array items, all keys together) accepted. */
  maxMetadataValues: number;
  /** Most tensors accepted. */
  maxTensorCount: number;
}

export const defaultHeaderLimits: HeaderLimits = {
  // gguf.cpp allows 1 GiB; the longest real strings (a whole tokenizer.json in tokenizer.huggingface.json)
  // are a few MiB, and a corrupt length must not make us allocate a gigabyte.
  maxStringLength: 64 << 20,
  // A 262k-token vocabulary with scores and types is under a million values; this bounds memory.
  maxMetadataValues: 1 << 24,
  maxTensorCount: 1 << 20,
};

export interface ParsedHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** File offset of the data section: the end of the tensor infos, aligned. */
  dataOffset: number;
}

const MAGIC = [0x47, 0x47, 0x55, 0x46]; // "GGUF"
// Smallest possible encodings, used to reject counts the remaining bytes cannot hold before looping.
const MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8; // name length, n_dims, type, offset
const MIN_KV_BYTES = 8 + 1 + 4 + 1; // key length, a 1-byte key, type, a 1-byte value
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function minEncodedSize(type: GgufValueType): number {
  if (type === GgufValueType.STRING) return 8;
  if (type === GgufValueType.ARRAY) return 4 + 8;
  return scalarByteSize(type);
}

function alignUp(offset: number, alignment: number): number {
  return Math.ceil(offset / alignment) * alignment;
}

class HeaderParser {
  private valueCount = 0;
  /** File offset of the general.alignment value, for errors about it. */
  private alignmentOffset = -1;

  constructor(
    private readonly source: ByteSource,
    private readonly limits: HeaderLimits,
  ) {}

  private fail(problem: string, offset: number, label: Label): never {
    throw new GgufFormatError(problem, offset, labelText(label));
  }

  async parse(): Promise<ParsedHeader> {
    const s = this.source;
    await s.fill(4, "file magic");
    const magic = Array.from(s.bytes(4));
    if (magic.some((byte, i) => byte !== MAGIC[i])) {
      const shown = magic.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : "?")).join("");
      const hex = magic.map((b) => b.toString(16).padStart(2, "0")).join(" ");
      this.fail(`not a GGUF file: magic is "${shown}" (${hex}), expected "GGUF"`, 0, "file magic");
    }

    await s.fill(4, "GGUF version");
    const version = s.u32();
    if (version !== 2 && version !== 3) {
      const why =
        version === 1
          ? "GGUF version 1 is no longer supported"
          : (version & 0xffff) === 0 && version !== 0
            ? `GGUF version ${version} looks byte-swapped: big-endian GGUF files are not supported`
            : `unsupported GGUF version ${version} (versions 2 and 3 are supported)`;
      this.fail(why, 4, "GGUF version");
    }

    await s.fill(16, "tensor and metadata counts");
    const tensorCount = s.u64();
    const kvCount = s.u64();
    const left = BigInt(s.remaining);
    if (tensorCount * BigInt(MIN_TENSOR_INFO_BYTES) > left) {
      this.fail(
        `tensor count ${tensorCount} is impossible: the ${left} bytes after the header cannot hold that many tensor infos`,
        8,
        "tensor count",
      );
    }
    if (tensorCount > BigInt(this.limits.maxTensorCount)) {
      this.fail(
        `tensor count ${tensorCount} exceeds the limit of ${this.limits.maxTensorCount} (maxTensorCount)`,
        8,
        "tensor count",
      );
    }
    if (kvCount * BigInt(MIN_KV_BYTES) + tensorCount * BigInt(MIN_TENSOR_INFO_BYTES) > left) {
      this.fail(
        `metadata count ${kvCount} is impossible: the ${left} bytes after the header cannot hold that many key-value pairs`,
        16,
        "metadata count",
      );
    }

    const metadata = await this.readMetadata(Number(kvCount));
    const alignment = this.alignmentOf(metadata);
    const tensors = await this.readTensorInfos(Number(tensorCount), alignment);
    const dataOffset = alignUp(s.position, alignment);
    this.checkTensorPlacement(tensors, dataOffset);
    return { version, metadata, tensors, alignment, dataOffset };
  }

  private async readMetadata(count: number): Promise<Map<string, GgufValue>> {
    const s = this.source;
    const metadata = new Map<string, GgufValue>();
    for (let i = 0; i < count; i++) {
      const keyOffset = s.position;
      const key = await this.readString(`key of metadata entry #${i}`);
      if (key.length === 0) this.fail("empty key", keyOffset, `metadata entry #${i}`);
      if (metadata.has(key)) this.fail(`duplicate key '${key}'`, keyOffset, `metadata entry #${i}`);
      const typeOffset = s.position;
      await s.fill(4, `value type of key '${key}'`);
      const type = s.u32();
      if (!isGgufValueType(type))
        this.fail(`unknown value type ${type}`, typeOffset, `value type of key '${key}'`);
      if (key === "general.alignment") this.alignmentOffset = s.position;
      metadata.set(key, await this.readValue(type, `value of key '${key}'`, 0));
    }
    return metadata;
  }

  private alignmentOf(metadata: Map<string, GgufValue>): number {
    const value = metadata.get("general.alignment");
    if (value === undefined) return GGUF_DEFAULT_ALIGNMENT;
    if (value.type !== GgufValueType.UINT32) {
      this.fail(
        `must be UINT32, not ${valueTypeName(value.type)}`,
        this.alignmentOffset,
        "key 'general.alignment'",
      );
    }
    const alignment = value.value;
    if (alignment === 0 || (alignment & (alignment - 1)) !== 0) {
      this.fail(
        `alignment ${alignment} is not a power of two`,
        this.alignmentOffset,
        "key 'general.alignment'",
      );
    }
    return alignment;
  }

  private countValues(n: number, offset: number, label: Label): void {
    this.valueCount += n;
    if (this.valueCount > this.limits.maxMetadataValues) {
      this.fail(
        `metadata holds more than ${this.limits.maxMetadataValues} values (limit maxMetadataValues)`,
        offset,
        label,
      );
    }
  }

  private async readValue(type: GgufValueType, label: Label, depth: number): Promise<GgufValue> {
    const s = this.source;
    this.countValues(1, s.position, label);
    if (type === GgufValueType.STRING) return { type, value: await this.readString(label) };
    if (type === GgufValueType.ARRAY) return this.readArray(label, depth);
    await s.fill(scalarByteSize(type), label);
    return this.readScalar(type);
  }

  private readScalar(type: GgufValueType): GgufValue {
    const s = this.source;
    switch (type) {
      case GgufValueType.UINT8:
        return { type, value: s.u8() };
      case GgufValueType.INT8:
        return { type, value: s.i8() };
      case GgufValueType.UINT16:
        return { type, value: s.u16() };
      case GgufValueType.INT16:
        return { type, value: s.i16() };
      case GgufValueType.UINT32:
        return { type, value: s.u32() };
      case GgufValueType.INT32:
        return { type, value: s.i32() };
      case GgufValueType.FLOAT32:
        return { type, value: s.f32() };
      case GgufValueType.FLOAT64:
        return { type, value: s.f64() };
      case GgufValueType.BOOL:
        return { type, value: s.u8() !== 0 };
      case GgufValueType.UINT64:
        return { type, value: s.u64() };
      case GgufValueType.INT64:
        return { type, value: s.i64() };
      default:
        throw new Error(`readScalar called with ${valueTypeName(type)}`);
    }
  }

  private async readArray(label: Label, depth: number): Promise<GgufValue> {
    const s = this.source;
    const start = s.position;
    await s.fill(12, label);
    const itemType = s.u32();
    const count = s.u64();
    if (!isGgufValueType(itemType)) this.fail(`unknown array item type ${itemType}`, start, label);
    if (depth >= MAX_ARRAY_NESTING) this.fail(`arrays nested deeper than ${MAX_ARRAY_NESTING}`, start, label);
    if (count * BigInt(minEncodedSize(itemType)) > BigInt(s.remaining)) {
      this.fail(
        `array count ${count} of ${valueTypeName(itemType)} exceeds what the ${s.remaining} bytes left in the file can hold`,
        start + 4,
        label,
      );
    }
    const n = Number(count);
    this.countValues(n, start + 4, label);
    const items: GgufValue[] = [];
    const itemLabel = (i: number) => () => `item ${i} of ${labelText(label)}`;
    if (itemType === GgufValueType.STRING) {
      for (let i = 0; i < n; i++) {
        const value = this.readBufferedString() ?? (await this.readString(itemLabel(i)));
        items.push({ type: GgufValueType.STRING, value });
      }
    } else if (itemType === GgufValueType.ARRAY) {
      for (let i = 0; i < n; i++) items.push(await this.readArray(itemLabel(i), depth + 1));
    } else {
      const size = scalarByteSize(itemType);
      const batch = Math.max(1, Math.floor((1 << 16) / size));
      for (let i = 0; i < n;) {
        const take = Math.min(batch, n - i);
        await s.fill(take * size, itemLabel(i));
        for (let k = 0; k < take; k++) items.push(this.readScalar(itemType));
        i += take;
      }
    }
    return { type: GgufValueType.ARRAY, itemType, items };
  }

  /** The next string when it is entirely buffered and valid; otherwise undefined and nothing consumed. */
  private readBufferedString(): string | undefined {
    const s = this.source;
    if (!s.has(8)) return undefined;
    const start = s.position;
    const length = s.u64();
    if (length <= BigInt(this.limits.maxStringLength) && s.has(Number(length))) {
      try {
        return utf8.decode(s.bytes(Number(length)));
      } catch {
        // fall through: the slow path reports the error with its label
      }
    }
    s.position = start;
    return undefined;
  }

  private async readString(label: Label): Promise<string> {
    const s = this.source;
    const start = s.position;
    await s.fill(8, label);
    const length = s.u64();
    if (length > BigInt(s.remaining)) {
      this.fail(`string length ${length} exceeds the ${s.remaining} bytes left in the file`, start, label);
    }
    if (length > BigInt(this.limits.maxStringLength)) {
      this.fail(
        `string length ${length} exceeds the limit of ${this.limits.maxStringLength} bytes`,
        start,
        label,
      );
    }
    const n = Number(length);
    await s.fill(n, label);
    try {
      return utf8.decode(s.bytes(n));
    } catch {
      return this.fail(`string of ${n} bytes is not valid UTF-8`, start + 8, label);
    }
  }

  private async readTensorInfos(count: number, alignment: number): Promise<GgufTensorInfo[]> {
    const s = this.source;
    const tensors: GgufTensorInfo[] = [];
    const names = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const nameOffset = s.position;
      const name = await this.readString(`name of tensor #${i}`);
      const previous = names.get(name);
      if (previous !== undefined)
        this.fail(`duplicate tensor name '${name}' (also tensor #${previous})`, nameOffset, `tensor #${i}`);
      names.set(name, i);
      const where = `tensor #${i} '${name}'`;

      const dimsOffset = s.position;
      await s.fill(4, `number of dimensions of ${where}`);
      const nDims = s.u32();
      if (nDims > GGML_MAX_DIMS)
        this.fail(`${nDims} dimensions, more than GGML_MAX_DIMS (${GGML_MAX_DIMS})`, dimsOffset, where);
      await s.fill(8 * nDims, `dimensions of ${where}`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) {
        const at = s.position;
        const ne = s.u64();
        if (ne >= 1n << 63n) this.fail(`dimension ${d} is negative (${BigInt.asIntN(64, ne)})`, at, where);
        if (ne === 0n) this.fail(`dimension ${d} is 0`, at, where);
        if (ne > MAX_SAFE) this.fail(`dimension ${d} is ${ne}, larger than 2^53`, at, where);
        dims.push(Number(ne));
      }

      const typeOffset = s.position;
      await s.fill(4, `type of ${where}`);
      const type = s.u32();
      const typeProblem = unknownGgmlTypeProblem(type);
      if (typeProblem !== undefined) this.fail(typeProblem, typeOffset, where);
      const shapeProblem = tensorShapeProblem(type, dims);
      if (shapeProblem !== undefined)
        this.fail(`${ggmlTypeName(type)} shape [${dims.join(", ")}]: ${shapeProblem}`, dimsOffset, where);

      const offsetOffset = s.position;
      await s.fill(8, `data offset of ${where}`);
      const offset = s.u64();
      if (offset > MAX_SAFE) this.fail(`data offset ${offset} is larger than 2^53`, offsetOffset, where);
      if (Number(offset) % alignment !== 0) {
        this.fail(
          `data offset ${offset} is not a multiple of the alignment ${alignment}`,
          offsetOffset,
          where,
        );
      }
      tensors.push({
        name,
        dims,
        type: type,
        offset: Number(offset),
        byteSize: tensorByteSize(type, dims),
        elementCount: elementCount(dims),
      });
    }
    return tensors;
  }

  private checkTensorPlacement(tensors: GgufTensorInfo[], dataOffset: number): void {
    const fileSize = this.source.fileSize;
    tensors.forEach((t, i) => {
      const start = dataOffset + t.offset;
      if (start + t.byteSize > fileSize) {
        this.fail(
          `data [${start}, ${start + t.byteSize}) extends past the end of the file (${fileSize} bytes)`,
          Math.min(start, fileSize),
          `tensor #${i} '${t.name}'`,
        );
      }
    });
    const order = tensors.map((_, i) => i).sort((a, b) => tensors[a]!.offset - tensors[b]!.offset);
    for (let k = 1; k < order.length; k++) {
      const before = tensors[order[k - 1]!]!;
      const after = tensors[order[k]!]!;
      if (after.offset < before.offset + before.byteSize) {
        this.fail(
          `data overlaps tensor #${order[k - 1]} '${before.name}' (data offsets ${after.offset} < ${before.offset} + ${before.byteSize})`,
          dataOffset + after.offset,
          `tensor #${order[k]} '${after.name}'`,
        );
      }
    }
  }
}

export function parseHeader(
  source: ByteSource,
  limits: HeaderLimits = defaultHeaderLimits,
): Promise<ParsedHeader> {
  return new HeaderParser(source, limits).parse();
}
