import { GgmlType, gguf, type GgufFile } from "../gguf/index.js";
import { frobeniusNormSquared, truncatedSvd } from "../linalg/index.js";
import { mergeTensor } from "./methods/index.js";
import { writeAtomically } from "./atomicOutput.js";
import { checkAdaptersFitBase } from "./checkCompatibility.js";
import { checkFinite } from "./finiteInputs.js";
import { loraPairs, materializeDelta, type LoraPair } from "./loraAdapter.js";
import { MergeError, throwIfAborted } from "./mergeError.js";
import type { MergeJob, MergeOutputType } from "./mergeJob.js";
import { copyMetadata } from "./outputMetadata.js";
import { fileTypeOf, outputTensorTypes } from "./outputTensorType.js";
import { ProgressCounter } from "./progressCounter.js";
import { provenanceOf } from "./provenance.js";
import { describeError } from "../errors/index.js";

export interface AdapterMergeResult {
  tensors: number;
  mergedTensors: number;
  bytesWritten: number;
  energyKept?: number;
}

/** For each adapted base tensor, each input's pair (undefined where that adapter leaves the tensor alone). */
type Targets = Map<string, (LoraPair | undefined)[]>;

function collectTargets(adapters: readonly GgufFile[]): Targets {
  const targets: Targets = new Map();
  adapters.forEach((adapter, i) => {
    for (const pair of loraPairs(adapter)) {
      let slots = targets.get(pair.target);
      if (slots === undefined)
        targets.set(pair.target, (slots = new Array<LoraPair | undefined>(adapters.length).fill(undefined)));
      slots[i] = pair;
    }
  });
  return targets;
}

function checkAdaptersAgree(targets: Targets): void {
  for (const [name, pairs] of targets) {
    const present = pairs.filter((pair) => pair !== undefined);
    const first = present[0]!;
    for (const pair of present) {
      if (pair.inputLength !== first.inputLength || pair.outputLength !== first.outputLength) {
        throw new MergeError(
          `shape mismatch for tensor '${name}': ${first.adapter.path} adapts it as ${first.outputLength}x${first.inputLength}, ${pair.adapter.path} as ${pair.outputLength}x${pair.inputLength}`,
        );
      }
    }
  }
}

/**
 * Each input's delta for one target tensor merged with the job's method; the deltas are task vectors over a
 * zero base.
 */
async function mergedDelta(
  job: MergeJob,
  name: string,
  pairs: readonly (LoraPair | undefined)[],
  tensorIndex: number,
): Promise<Float32Array> {
  const shape = pairs.find((pair) => pair !== undefined)!;
  const length = shape.inputLength * shape.outputLength;
  const deltas = await Promise.all(
    pairs.map(async (pair) => (pair === undefined ? new Float32Array(length) : materializeDelta(pair))),
  );
  const inputs = job.inputs.map((input, i) => ({
    values: deltas[i]!,
    weight: input.weight,
    density: input.density,
  }));
  try {
    return mergeTensor(
      job.method,
      new Float32Array(length),
      mergedInputs(job, inputs, pairs),
      job.params ?? {},
      {
        seed: job.seed ?? 0,
        tensorIndex,
      },
    );
  } catch (error) {
    throw new MergeError(`merging the deltas of tensor '${name}': ${describeError(error)}`);
  }
}

/**
 * The inputs a tensor's merge sees. A normalized linear merge leaves out the adapters that do not touch the
 * tensor, as mergekit merges a tensor from the models that have it, unless params.normalizeOver is "all".
 * Every other method sees such an adapter as a zero delta, which is what mergekit's formulas give it.
 */
function mergedInputs<T>(job: MergeJob, inputs: readonly T[], pairs: readonly (LoraPair | undefined)[]): T[] {
  const leaveOut = job.method === "linear" && (job.params?.normalizeOver ?? "acting") === "acting";
  return leaveOut ? inputs.filter((_, i) => pairs[i] !== undefined) : [...inputs];
}

/** Checks the adapters and returns their targets; call before anything is written. */
export function prepareAdapters(adapters: readonly GgufFile[], base: GgufFile | undefined): Targets {
  const targets = collectTargets(adapters);
  checkAdaptersAgree(targets);
  if (base !== undefined) {
    const present = new Map(
      [...targets].map(([name, pairs]) => [name, pairs.filter((pair) => pair !== undefined)]),
    );
    checkAdaptersFitBase(base, adapters, present);
  }
  return targets;
}

/** base + merged delta on every adapted tensor; the other tensors are copied from the base byte for byte. */
export async function mergeAdaptersIntoModel(
  job: MergeJob,
  base: GgufFile,
  targets: Targets,
  path: string,
  type: MergeOutputType,
): Promise<AdapterMergeResult> {
  return writeAtomically(path, base.alignment, async (writer) => {
    const name = job.name ?? `${String(base.get("general.name") ?? "model")}-${job.method}-adapters`;
    copyMetadata(
      writer,
      base,
      { "general.name": gguf.str(name), "general.file_type": gguf.u32(fileTypeOf[type]) },
      provenanceOf(job),
    );
    const typeOf = outputTensorTypes(base, type);
    const declared = base.tensors.map((tensor) =>
      writer.addTensor(tensor.name, tensor.dims, targets.has(tensor.name) ? typeOf(tensor) : tensor.type),
    );
    const progress = new ProgressCounter(
      declared.length,
      declared.reduce((sum, t) => sum + t.byteSize, 0),
      job.onProgress,
    );
    const targetNames = [...targets.keys()];
    for (const out of declared) {
      throwIfAborted(job.signal);
      const pairs = targets.get(out.name);
      if (pairs === undefined) {
        for await (const chunk of base.streamTensorBytes(out.name, 8 << 20)) {
          await writer.writeTensorChunk(out.name, chunk);
          progress.add(out.name, chunk.length, false);
        }
        progress.add(out.name, 0, true);
        continue;
      }
      const delta = await mergedDelta(job, out.name, pairs, targetNames.indexOf(out.name));
      const values = await base.readTensor(out.name);
      checkFinite(values, base.path, out.name);
      for (let i = 0; i < values.length; i++) values[i]! += delta[i]!;
      await writer.writeTensor(out.name, values);
      progress.add(out.name, out.byteSize, true);
    }
    return { tensors: declared.length, mergedTensors: targets.size, bytesWritten: progress.bytesWritten };
  });
}

/**
 * The merged delta of each target re-factorized as B·A at `rank` by truncated SVD, written as a LoRA adapter.
 */
export async function mergeAdaptersIntoAdapter(
  job: MergeJob,
  adapters: readonly GgufFile[],
  targets: Targets,
  path: string,
  rank: number,
): Promise<AdapterMergeResult> {
  const reference = adapters[0]!;
  return writeAtomically(path, reference.alignment, async (writer) => {
    const name = job.name ?? `${String(reference.get("general.name") ?? "adapter")}-${job.method}`;
    copyMetadata(
      writer,
      reference,
      { "general.name": gguf.str(name), "adapter.lora.alpha": gguf.f32(rank) },
      provenanceOf(job),
    );
    const plan = [...targets].map(([target, pairs]) => {
      const { inputLength, outputLength } = pairs.find((pair) => pair !== undefined)!;
      const k = Math.min(rank, inputLength, outputLength);
      writer.addTensor(`${target}.lora_a`, [inputLength, k], GgmlType.F32);
      writer.addTensor(`${target}.lora_b`, [k, outputLength], GgmlType.F32);
      return { target, pairs, inputLength, outputLength, k };
    });
    const progress = new ProgressCounter(
      plan.length * 2,
      writer.tensors.reduce((sum, t) => sum + t.byteSize, 0),
      job.onProgress,
    );
    let energy = 0;
    let kept = 0;
    for (const [index, { target, pairs, inputLength, outputLength, k }] of plan.entries()) {
      throwIfAborted(job.signal);
      const delta = await mergedDelta(job, target, pairs, index);
      const matrix = { rows: outputLength, cols: inputLength, data: delta };
      const svd = truncatedSvd(matrix, k, { seed: (job.seed ?? 0) + index });
      const tensorEnergy = frobeniusNormSquared(matrix);
      energy += tensorEnergy;
      kept += svd.energyKept * tensorEnergy;
      // llama.cpp multiplies B·A by alpha / (this tensor's rank) = rank / k; k / rank undoes it.
      const b = new Float32Array(outputLength * k);
      for (let o = 0; o < outputLength; o++) {
        for (let j = 0; j < k; j++) b[o * k + j] = svd.u.get(o, j) * svd.s[j]! * (k / rank);
      }
      const a = svd.vt.toFloat32();
      await writer.writeTensor(`${target}.lora_a`, a);
      progress.add(`${target}.lora_a`, a.byteLength, true);
      await writer.writeTensor(`${target}.lora_b`, b);
      progress.add(`${target}.lora_b`, b.byteLength, true);
    }
    return {
      tensors: plan.length * 2,
      mergedTensors: plan.length,
      bytesWritten: progress.bytesWritten,
      energyKept: energy === 0 ? 1 : kept / energy,
    };
  });
}
