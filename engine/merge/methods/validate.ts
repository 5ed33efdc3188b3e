import { MergeMethodError } from "./mergeMethodError.js";
import { MERGE_RULE_OPTIONS, type MergeInput, type MergeMethod, type MergeParams } from "./types.js";

const TASK_VECTOR_METHODS: ReadonlySet<MergeMethod> = new Set([
  "task_arithmetic",
  "ties",
  "dare_linear",
  "dare_ties",
  "sce",
]);

/** Throws MergeMethodError unless `method` can run on these arguments. */
export function validateMergeArguments(
  method: MergeMethod,
  base: Float32Array | undefined,
  inputs: readonly MergeInput[],
  params: MergeParams,
): void {
  if (!Array.isArray(inputs) || inputs.length === 0) {
    throw new MergeMethodError("inputs", `${method} needs at least one input tensor`);
  }
  if (method === "slerp" && inputs.length !== 2) {
    throw new MergeMethodError("inputs", `slerp interpolates exactly two tensors, got ${inputs.length}`);
  }
  if (TASK_VECTOR_METHODS.has(method) && base === undefined) {
    throw new MergeMethodError(
      "base",
      `${method} works on task vectors (input - base) and needs the base tensor`,
    );
  }
  validateInputs(base, inputs);
  validateParams(method, params);
}

function validateInputs(base: Float32Array | undefined, inputs: readonly MergeInput[]): void {
  // Callers from JavaScript may pass anything: a missing array is reported below, not as a TypeError here.
  const first = inputs[0]!.values;
  const length = first instanceof Float32Array ? first.length : undefined;
  if (base !== undefined) {
    if (!(base instanceof Float32Array)) throw new MergeMethodError("base", "must be a Float32Array");
  }
  inputs.forEach((input, i) => {
    if (!(input.values instanceof Float32Array))
      throw new MergeMethodError(`inputs[${i}].values`, "must be a Float32Array");
    if (input.values.length !== length) {
      throw new MergeMethodError(
        `inputs[${i}].values`,
        `has ${input.values.length} elements but inputs[0].values has ${length}; all tensors must have equal length`,
      );
    }
    if (typeof input.weight !== "number" || !Number.isFinite(input.weight)) {
      throw new MergeMethodError(
        `inputs[${i}].weight`,
        `must be a finite number, got ${String(input.weight)}`,
      );
    }
    const density = input.density;
    if (density !== undefined && !(typeof density === "number" && density > 0 && density <= 1)) {
      throw new MergeMethodError(`inputs[${i}].density`, `must be in (0, 1], got ${String(density)}`);
    }
  });
  if (base !== undefined && base.length !== length) {
    throw new MergeMethodError(
      "base",
      `has ${base.length} elements but inputs[0].values has ${length}; all tensors must have equal length`,
    );
  }
}

function validateParams(method: MergeMethod, params: MergeParams): void {
  const { lambda, normalize, t, selectTopK } = params;
  if (lambda !== undefined && !(typeof lambda === "number" && Number.isFinite(lambda))) {
    throw new MergeMethodError("params.lambda", `must be a finite number, got ${String(lambda)}`);
  }
  if (normalize !== undefined && typeof normalize !== "boolean") {
    throw new MergeMethodError("params.normalize", `must be a boolean, got ${String(normalize)}`);
  }
  if (selectTopK !== undefined && !(typeof selectTopK === "number" && selectTopK > 0 && selectTopK <= 1)) {
    throw new MergeMethodError("params.selectTopK", `must be in (0, 1], got ${String(selectTopK)}`);
  }
  for (const [key, options] of Object.entries(MERGE_RULE_OPTIONS)) {
    const value = params[key as keyof typeof MERGE_RULE_OPTIONS];
    if (value !== undefined && !(options as readonly string[]).includes(value))
      throw new MergeMethodError(
        `params.${key}`,
        `must be one of ${options.map((o) => `"${o}"`).join(", ")}, got ${String(value)}`,
      );
  }
  if (method === "slerp" && t === undefined) {
    throw new MergeMethodError("params.t", "slerp needs the interpolation factor t in [0, 1]");
  }
  if (t !== undefined && !(typeof t === "number" && t >= 0 && t <= 1)) {
    throw new MergeMethodError("params.t", `must be in [0, 1], got ${String(t)}`);
  }
}

/** Σ wᵢ, refusing zero because normalising would divide by it. */
export function nonZeroWeightSum(inputs: readonly Pick<MergeInput, "weight">[]): number {
  let sum = 0;
  for (const input of inputs) sum += input.weight;
  if (sum === 0)
    throw new MergeMethodError("inputs[].weight", "weights sum to zero, so they cannot be normalised");
  return sum;
}
