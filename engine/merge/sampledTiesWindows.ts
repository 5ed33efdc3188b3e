import type { GgufFile, GgufTensorInfo } from "../gguf/index.js";
import { tiesMagnitudeWindows, trimmedCount, type MagnitudeWindow } from "./methods/index.js";
import type { MergeJob } from "./mergeJob.js";

/** Rows read for the sample, evenly spaced through the tensor. */
const SAMPLE_ROWS = 64;
/** Tensors of fewer rows are not sampled: the sample would be a good part of the pass it may save. */
const MIN_ROWS = 4 * SAMPLE_ROWS;

/**
 * For a TIES merge, where each input's cut on this tensor is expected (tiesMagnitudeWindows), from
 * SAMPLE_ROWS rows evenly spaced through it, so the cut can take one statistics pass instead of two;
 * undefined for the other methods and for tensors of few rows.
 */
export async function sampledTiesWindows(
  job: MergeJob,
  tensor: GgufTensorInfo,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
): Promise<(MagnitudeWindow | undefined)[] | undefined> {
  const rowLength = tensor.dims[0]!;
  const rows = tensor.elementCount === 0 ? 0 : tensor.elementCount / rowLength;
  if (job.method !== "ties" || base === undefined || rows < MIN_ROWS) return undefined;
  const sampleOf = async (file: GgufFile): Promise<Float32Array> => {
    const sample = new Float32Array(SAMPLE_ROWS * rowLength);
    for (let s = 0; s < SAMPLE_ROWS; s++) {
      const row = Math.floor(((s + 0.5) * rows) / SAMPLE_ROWS);
      await file.readRows(tensor.name, row, 1, sample.subarray(s * rowLength, (s + 1) * rowLength));
    }
    return sample;
  };
  const [baseSample, ...inputSamples] = await Promise.all([base, ...inputs].map(sampleOf));
  const n = tensor.elementCount;
  const keptCounts = job.inputs.map(({ density = 1 }) => trimmedCount(density, n, job.params ?? {}));
  return tiesMagnitudeWindows(baseSample!, inputSamples, keptCounts, n);
}
