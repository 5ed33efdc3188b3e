import { createHash } from "node:crypto";
import { canDecode, GgmlType, type GgufFile, type GgufTensorInfo } from "../gguf/index.js";
import { MergeError } from "./mergeError.js";

function architecture(file: GgufFile): string {
  const value = file.get("general.architecture");
  if (typeof value !== "string") throw new MergeError(`${file.path} has no general.architecture`);
  return value;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

const dimsText = (dims: readonly number[]): string => `[${dims.join(", ")}]`;

/** A digest of the tokenizer metadata, so models that would read tokens differently are told apart. */
function tokenizerDigest(file: GgufFile): string {
  const hash = createHash("sha256");
  for (const key of [
    "tokenizer.ggml.model",
    "tokenizer.ggml.pre",
    "tokenizer.ggml.tokens",
    "tokenizer.ggml.merges",
  ]) {
    hash
      .update(key)
      .update("\0")
      .update(JSON.stringify(file.get(key) ?? null))
      .update("\0");
  }
  return hash.digest("hex");
}

export function checkDecodable(file: GgufFile, tensor: GgufTensorInfo): void {
  if (!canDecode(tensor.type)) {
    throw new MergeError(
      `${file.path}: tensor '${tensor.name}' is ${(GgmlType[tensor.type] as string | undefined) ?? `type ${tensor.type}`}, which Coop cannot dequantize (supported: F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K)`,
    );
  }
}

/**
 * Refuses full models that differ in architecture, tokenizer, tensor names or shapes. `files[0]` is the
 * reference.
 */
export function checkModelsCompatible(files: readonly GgufFile[]): void {
  const [reference, ...others] = files;
  if (reference === undefined) return;
  const arch = architecture(reference);
  const tokenizer = tokenizerDigest(reference);
  for (const tensor of reference.tensors) checkDecodable(reference, tensor);
  for (const other of others) {
    const otherArch = architecture(other);
    if (otherArch !== arch) {
      throw new MergeError(
        `architecture mismatch: ${reference.path} is '${arch}' but ${other.path} is '${otherArch}'`,
      );
    }
    if (tokenizerDigest(other) !== tokenizer) {
      throw new MergeError(
        `tokenizer mismatch: ${other.path} does not have the same tokenizer (model, pre-tokenizer, tokens, merges) as ${reference.path}`,
      );
    }
    if (other.tensors.length !== reference.tensors.length) {
      throw new MergeError(
        `${other.path} has ${other.tensors.length} tensors but ${reference.path} has ${reference.tensors.length}`,
      );
    }
    for (const tensor of reference.tensors) {
      const match = other.tensor(tensor.name);
      if (match === undefined)
        throw new MergeError(`${other.path} has no tensor '${tensor.name}', which ${reference.path} has`);
      if (!sameDims(match.dims, tensor.dims)) {
        throw new MergeError(
          `shape mismatch for tensor '${tensor.name}': ${dimsText(match.dims)} in ${other.path}, ${dimsText(tensor.dims)} in ${reference.path}`,
        );
      }
      checkDecodable(other, match);
    }
  }
}

/**
 * Refuses adapters of another architecture than the base, or adapting tensors the base lacks or shapes it
 * differently.
 */
export function checkAdaptersFitBase(
  base: GgufFile,
  adapters: readonly GgufFile[],
  targets: ReadonlyMap<string, readonly { inputLength: number; outputLength: number; adapter: GgufFile }[]>,
): void {
  const arch = architecture(base);
  for (const adapter of adapters) {
    const adapterArch = architecture(adapter);
    if (adapterArch !== arch)
      throw new MergeError(
        `architecture mismatch: adapter ${adapter.path} is for '${adapterArch}' but the base ${base.path} is '${arch}'`,
      );
  }
  for (const [name, pairs] of targets) {
    const tensor = base.tensor(name);
    if (tensor === undefined)
      throw new MergeError(
        `adapter ${pairs[0]!.adapter.path} adapts tensor '${name}', which the base ${base.path} does not have`,
      );
    checkDecodable(base, tensor);
    for (const pair of pairs) {
      if (!sameDims(tensor.dims, [pair.inputLength, pair.outputLength])) {
        throw new MergeError(
          `shape mismatch for tensor '${name}': adapter ${pair.adapter.path} makes a ${dimsText([pair.inputLength, pair.outputLength])} delta but the base has ${dimsText(tensor.dims)}`,
        );
      }
    }
  }
}
