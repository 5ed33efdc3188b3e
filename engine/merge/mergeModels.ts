import { resolve } from "node:path";
import type { GgufFile } from "../gguf/index.js";
import { MERGE_METHODS, mergeTensor } from "./methods/index.js";
import { checkModelsCompatible } from "./checkCompatibility.js";
import { mergeAdaptersIntoAdapter, mergeAdaptersIntoModel, prepareAdapters } from "./mergeAdapters.js";
import { MergeError } from "./mergeError.js";
import { mergeFullModels } from "./mergeFullModels.js";
import { MERGE_OUTPUT_TYPES, type MergeJob, type MergeSummary } from "./mergeJob.js";
import { closeAll, ggufKind, openAll } from "./openInputs.js";
import { inputAtOutput } from "./outputPath.js";
import { describeError } from "../errors/index.js";

const TASK_VECTOR_METHODS = new Set(["task_arithmetic", "ties", "dare_linear", "dare_ties", "sce"]);

function checkJob(job: MergeJob): void {
  if (!MERGE_METHODS.includes(job.method))
    throw new MergeError(
      `unknown merge method '${String(job.method)}'; expected one of ${MERGE_METHODS.join(", ")}`,
    );
  if (job.inputs.length === 0) throw new MergeError("a merge needs at least one input");
  const { output } = job;
  if (output.kind === "model" && !MERGE_OUTPUT_TYPES.includes(output.type)) {
    throw new MergeError(
      `output type '${String(output.type)}' is not one of ${MERGE_OUTPUT_TYPES.join(", ")}`,
    );
  }
  if (
    job.blockElements !== undefined &&
    !(Number.isSafeInteger(job.blockElements) && job.blockElements >= 1)
  ) {
    throw new MergeError(
      `blockElements must be a whole number of at least 1, got ${String(job.blockElements)}`,
    );
  }
  if (output.kind === "adapter" && !(Number.isInteger(output.rank) && output.rank >= 1)) {
    throw new MergeError(
      `adapter output rank must be a whole number of at least 1, got ${String(output.rank)}`,
    );
  }
  // The method's own checks (weights, densities, params) on a stand-in tensor, so they fail before any file
  // is opened.
  const standIn = new Float32Array(32);
  try {
    mergeTensor(
      job.method,
      standIn,
      job.inputs.map((input) => ({ values: standIn, weight: input.weight, density: input.density })),
      job.params ?? {},
      { seed: 0, tensorIndex: 0 },
    );
  } catch (error) {
    throw new MergeError(`${job.method}: ${describeError(error)}`);
  }
  const inputPaths = [job.base, ...job.inputs.map((input) => input.path)].filter(
    (path) => path !== undefined,
  );
  const clash = inputAtOutput(output.path, inputPaths);
  if (clash !== undefined) {
    throw new MergeError(
      resolve(clash) === resolve(output.path)
        ? `the output ${output.path} is also an input; write it elsewhere`
        : `the output ${output.path} is the input ${clash} (the same file through a symbolic or hard link); write it elsewhere`,
    );
  }
}

/**
 * Merges GGUF models, or LoRA adapters of one base, with one of the merge methods, streaming tensor by
 * tensor. Everything is checked before the output is created; the output appears only when complete.
 */
export async function mergeModels(job: MergeJob): Promise<MergeSummary> {
  checkJob(job);
  const started = performance.now();
  const inputs = await openAll(job.inputs.map((input) => input.path));
  let base: GgufFile | undefined;
  try {
    base = job.base === undefined ? undefined : (await openAll([job.base]))[0];
    if (base !== undefined && ggufKind(base) !== "model")
      throw new MergeError(`the base ${base.path} is an adapter, not a model`);
    const kinds = new Set(inputs.map(ggufKind));
    if (kinds.size > 1)
      throw new MergeError("merge inputs must be all full models or all LoRA adapters, not a mix");
    const inputKind = ggufKind(inputs[0]!);
    const common = {
      method: job.method,
      inputKind,
      inputs: job.inputs.map((input) => input.path),
      base: job.base,
      output: job.output.path,
      outputKind: job.output.kind,
    } as const;

    if (inputKind === "model") {
      if (job.output.kind !== "model")
        throw new MergeError("full models merge into a full model; adapter output needs LoRA adapter inputs");
      if (TASK_VECTOR_METHODS.has(job.method) && base === undefined)
        throw new MergeError(`${job.method} merges task vectors (input - base) and needs a base model`);
      checkModelsCompatible(base === undefined ? inputs : [base, ...inputs]);
      const result = await mergeFullModels(
        job,
        base ?? inputs[0]!,
        base,
        inputs,
        job.output.path,
        job.output.type,
      );
      return {
        ...common,
        outputType: job.output.type,
        tensors: result.tensors,
        mergedTensors: result.tensors,
        bytesWritten: result.bytesWritten,
        seconds: (performance.now() - started) / 1000,
      };
    }

    const targets = prepareAdapters(inputs, base);
    if (job.output.kind === "model") {
      if (base === undefined)
        throw new MergeError("writing a full model from adapters needs the base model they adapt");
      const result = await mergeAdaptersIntoModel(job, base, targets, job.output.path, job.output.type);
      return {
        ...common,
        outputType: job.output.type,
        ...result,
        seconds: (performance.now() - started) / 1000,
      };
    }
    const result = await mergeAdaptersIntoAdapter(job, inputs, targets, job.output.path, job.output.rank);
    return {
      ...common,
      outputType: "F32",
      ...result,
      rank: job.output.rank,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await closeAll(base === undefined ? inputs : [base, ...inputs]);
  }
}
