import { basename } from "node:path";
import { GgufFormatError, openGguf, type GgufFile } from "../gguf/index.js";
import { MergeError } from "./mergeError.js";
import { describeError } from "../errors/index.js";

export type GgufKind = "model" | "adapter";

export function ggufKind(file: GgufFile): GgufKind {
  return file.get("general.type") === "adapter" ? "adapter" : "model";
}

/** Opens every file, closing those already opened when one fails; errors name the file. */
export async function openAll(paths: readonly string[]): Promise<GgufFile[]> {
  const opened: GgufFile[] = [];
  try {
    for (const path of paths) opened.push(await openInput(path));
    return opened;
  } catch (error) {
    await closeAll(opened);
    throw error;
  }
}

async function openInput(path: string): Promise<GgufFile> {
  try {
    return await openGguf(path);
  } catch (error) {
    const reason = describeError(error);
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new MergeError(`merge input ${path} does not exist`);
    if (error instanceof GgufFormatError)
      throw new MergeError(`merge input ${basename(path)} is not a valid GGUF file: ${reason} (${path})`);
    throw new MergeError(`cannot read merge input ${path}: ${reason}`);
  }
}

export async function closeAll(files: readonly GgufFile[]): Promise<void> {
  await Promise.allSettled(files.map((file) => file.close()));
}
