import { mkdir, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { GgufWriter } from "../gguf/index.js";

/**
 * Writes through a GgufWriter into a temp file beside `path` and renames it into place only when
 * `write` succeeds, so a failure or cancellation never leaves a partial model at `path`.
 */
export async function writeAtomically<T>(
  path: string,
  alignment: number,
  write: (writer: GgufWriter) => Promise<T>,
): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  const writer = await GgufWriter.create(temp, { alignment, bufferSize: 8 << 20 });
  try {
    const result = await write(writer);
    await writer.finish();
    await rename(temp, path);
    return result;
  } catch (error) {
    await writer.abort();
    await rm(temp, { force: true });
    throw error;
  }
}
