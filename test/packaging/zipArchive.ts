import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { inflateRawSync } from "node:zlib";

export interface ZipEntry {
  name: string;
  /** 0: stored, 8: deflated. */
  method: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

const endOfCentralDirectory = 0x06054b50;
const centralDirectoryEntry = 0x02014b50;
const localFileHeader = 0x04034b50;

/**
 * A zip file (a VSIX) read from its central directory: enough to list and extract what vsce writes.
 * No ZIP64: a VSIX with more than 65535 files or over 4 GiB is refused, not misread.
 */
export class ZipArchive {
  private readonly byName: Map<string, ZipEntry>;

  private constructor(
    private readonly bytes: Buffer,
    readonly entries: readonly ZipEntry[],
  ) {
    this.byName = new Map(entries.map((entry) => [entry.name, entry]));
  }

  static async open(path: string): Promise<ZipArchive> {
    const bytes = await readFile(path);
    const end = findEndOfCentralDirectory(bytes, path);
    const count = bytes.readUInt16LE(end + 10);
    const offset = bytes.readUInt32LE(end + 16);
    if (count === 0xffff || offset === 0xffffffff)
      throw new Error(`${path} is a ZIP64 archive, which this reader does not handle`);
    const entries: ZipEntry[] = [];
    let at = offset;
    for (let i = 0; i < count; i++) {
      if (bytes.readUInt32LE(at) !== centralDirectoryEntry)
        throw new Error(`${path}: central directory entry ${i} is corrupt`);
      const nameLength = bytes.readUInt16LE(at + 28);
      entries.push({
        method: bytes.readUInt16LE(at + 10),
        compressedSize: bytes.readUInt32LE(at + 20),
        size: bytes.readUInt32LE(at + 24),
        localHeaderOffset: bytes.readUInt32LE(at + 42),
        name: bytes.toString("utf8", at + 46, at + 46 + nameLength),
      });
      at += 46 + nameLength + bytes.readUInt16LE(at + 30) + bytes.readUInt16LE(at + 32);
    }
    return new ZipArchive(bytes, entries);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** An entry's contents, inflated. */
  read(name: string): Buffer {
    const entry = this.byName.get(name);
    if (entry === undefined) throw new Error(`no ${name} in the archive`);
    const at = entry.localHeaderOffset;
    if (this.bytes.readUInt32LE(at) !== localFileHeader) throw new Error(`${name}: local header is corrupt`);
    const start = at + 30 + this.bytes.readUInt16LE(at + 26) + this.bytes.readUInt16LE(at + 28);
    const data = this.bytes.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) return data;
    if (entry.method === 8) return inflateRawSync(data);
    throw new Error(`${name}: compression method ${entry.method} is not supported`);
  }

  /** Writes every file under `folder`, refusing names that would land outside it. */
  async extractTo(folder: string): Promise<void> {
    const root = resolve(folder);
    for (const entry of this.entries) {
      if (entry.name.endsWith("/")) continue;
      const path = resolve(join(root, entry.name));
      if (!path.startsWith(root + sep)) throw new Error(`${entry.name} would be written outside ${root}`);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, this.read(entry.name));
    }
  }
}

function findEndOfCentralDirectory(bytes: Buffer, path: string): number {
  // The record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes.readUInt32LE(at) === endOfCentralDirectory) return at;
  }
  throw new Error(`${path} is not a zip file (no end of central directory record)`);
}
