import type { GgufFile, GgufTensorInfo } from "../gguf/index.js";
import { checkDecodable } from "./checkCompatibility.js";
import { checkFinite } from "./finiteInputs.js";
import { MergeError } from "./mergeError.js";

export interface LoraPair {
  adapter: GgufFile;
  /** The base tensor it adapts. */
  target: string;
  a: GgufTensorInfo;
  b: GgufTensorInfo;
  rank: number;
  inputLength: number;
  outputLength: number;
  /** alpha / rank, the factor llama.cpp applies to B·A before the user's scale. */
  alphaOverRank: number;
}

/** The (A, B) pairs of a LoRA adapter GGUF as llama.cpp reads them (`<target>.lora_a` / `.lora_b`). */
export function loraPairs(adapter: GgufFile): LoraPair[] {
  if (adapter.get("adapter.type") !== "lora") {
    throw new MergeError(
      `${adapter.path} is an adapter but not a LoRA one (adapter.type is ${JSON.stringify(adapter.get("adapter.type"))})`,
    );
  }
  const alphaValue = adapter.get("adapter.lora.alpha");
  const alpha = typeof alphaValue === "number" ? alphaValue : 0;
  const pairs: LoraPair[] = [];
  for (const a of adapter.tensors) {
    if (!a.name.endsWith(".lora_a")) continue;
    const target = a.name.slice(0, -".lora_a".length);
    const b = adapter.tensor(`${target}.lora_b`);
    if (b === undefined)
      throw new MergeError(`${adapter.path}: tensor '${a.name}' has no matching '${target}.lora_b'`);
    checkDecodable(adapter, a);
    checkDecodable(adapter, b);
    // A is ggml [inputLength, rank], B is [rank, outputLength].
    const [inputLength, rank] = a.dims;
    const [bRank, outputLength] = b.dims;
    if (a.dims.length !== 2 || b.dims.length !== 2 || rank !== bRank) {
      throw new MergeError(
        `${adapter.path}: '${a.name}' [${a.dims.join(", ")}] and '${b.name}' [${b.dims.join(", ")}] do not form a LoRA pair`,
      );
    }
    // llama.cpp: scale * alpha / rank when alpha is set, else the scale alone.
    pairs.push({
      adapter,
      target,
      a,
      b,
      rank: rank!,
      inputLength: inputLength!,
      outputLength: outputLength!,
      alphaOverRank: alpha ? alpha / rank! : 1,
    });
  }
  if (pairs.length === 0)
    throw new MergeError(`${adapter.path} has no LoRA tensor pairs (*.lora_a / *.lora_b)`);
  return pairs;
}

/**
 * delta = (alpha / rank) · B·A as an outputLength x inputLength row-major matrix (the base tensor's layout).
 */
export async function materializeDelta(pair: LoraPair): Promise<Float32Array> {
  const a = await pair.adapter.readTensor(pair.a);
  const b = await pair.adapter.readTensor(pair.b);
  checkFinite(a, pair.adapter.path, pair.a.name);
  checkFinite(b, pair.adapter.path, pair.b.name);
  const { rank, inputLength, outputLength, alphaOverRank } = pair;
  const delta = new Float32Array(outputLength * inputLength);
  for (let o = 0; o < outputLength; o++) {
    const row = delta.subarray(o * inputLength, (o + 1) * inputLength);
    for (let k = 0; k < rank; k++) {
      const coefficient = alphaOverRank * b[o * rank + k]!;
      if (coefficient === 0) continue;
      const aRow = a.subarray(k * inputLength, (k + 1) * inputLength);
      for (let j = 0; j < inputLength; j++) row[j]! += coefficient * aRow[j]!;
    }
  }
  return delta;
}
