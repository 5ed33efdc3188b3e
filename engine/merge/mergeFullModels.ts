import { encodeTensor, gguf, type GgufFile, type GgufTensorInfo, type GgufWriter } from "../gguf/index.js";
import { mergeTensor, type MergeInput, type MergeMethod } from "./methods/index.js";
import { writeAtomically } from "./atomicOutput.js";
import { throwIfAborted } from "./mergeError.js";
import type { MergeJob, MergeOutputType } from "./mergeJob.js";
import { copyMetadata } from "./outputMetadata.js";
import { fileTypeOf, outputTensorType } from "./outputTensorType.js";
import { ProgressCounter } from "./progressCounter.js";
import { provenanceOf } from "./provenance.js";

/** Methods whose result at one position depends only on the inputs at that position, so they can run row block by row block. */
const ELEMENTWISE_METHODS: ReadonlySet<MergeMethod> = new Set(["linear", "task_arithmetic"]);

const DEFAULT_BLOCK_ELEMENTS = 1 << 22;

export interface FullMergeResult {
  tensors: number;
  bytesWritten: number;
}

/**
 * Merges full models tensor by tensor into `path`. `reference` (the base, or the first input) gives
 * the tensor order and metadata; the files were checked compatible before.
 */
export async function mergeFullModels(
  job: MergeJob,
  reference: GgufFile,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
  path: string,
  type: MergeOutputType,
): Promise<FullMergeResult> {
  return writeAtomically(path, reference.alignment, async (writer) => {
    const name = job.name ?? `${String(reference.get("general.name") ?? "model")}-${job.method}`;
    copyMetadata(writer, reference, { "general.name": gguf.str(name), "general.file_type": gguf.u32(fileTypeOf[type]) }, provenanceOf(job));
    const declared = reference.tensors.map((tensor) => writer.addTensor(tensor.name, tensor.dims, outputTensorType(tensor, type)));
    const progress = new ProgressCounter(declared.length, declared.reduce((sum, t) => sum + t.byteSize, 0), job.onProgress);
    for (const [tensorIndex, out] of declared.entries()) {
      throwIfAborted(job.signal);
      const mergeBlock = (baseValues: Float32Array | undefined, values: Float32Array[], into?: Float32Array): Float32Array =>
        mergeTensor(job.method, baseValues, merged(job, values), job.params ?? {}, { seed: job.seed ?? 0, tensorIndex }, into);
      const blockElements = job.blockElements ?? DEFAULT_BLOCK_ELEMENTS;
      if (ELEMENTWISE_METHODS.has(job.method) && out.elementCount > blockElements) {
        await mergeByRowBlocks(writer, out, base, inputs, mergeBlock, progress, blockElements, job.signal);
      } else {
        const values = await Promise.all(inputs.map((input) => input.readTensor(out.name)));
        const baseValues = base === undefined ? undefined : await base.readTensor(out.name);
        await writer.writeTensor(out.name, mergeBlock(baseValues, values));
        progress.add(out.name, out.byteSize, true);
      }
    }
    return { tensors: declared.length, bytesWritten: progress.bytesWritten };
  });
}

function merged(job: MergeJob, values: readonly Float32Array[]): MergeInput[] {
  return job.inputs.map((input, i) => ({ values: values[i]!, weight: input.weight, density: input.density }));
}

/**
 * One row block at a time, pipelined: the next block is read and the previous one written while this
 * one is merged, so file I/O (on libuv's threads) overlaps the merge arithmetic (on this one).
 */
async function mergeByRowBlocks(
  writer: GgufWriter,
  out: GgufTensorInfo,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
  mergeBlock: (base: Float32Array | undefined, values: Float32Array[], into?: Float32Array) => Float32Array,
  progress: ProgressCounter,
  blockElements: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const rowLength = out.dims[0]!;
  const rows = out.elementCount / rowLength;
  const rowsPerBlock = Math.max(1, Math.floor(blockElements / rowLength));
  // Buffers are reused from block to block (fresh ones cost page faults and zero-filling): two sets
  // for reading, since the next block is read while this one is merged, and two for the encoded
  // bytes, since one may still be being written.
  const blockLength = rowsPerBlock * rowLength;
  const readBuffers = [0, 1].map(() => ({ inputs: inputs.map(() => new Float32Array(blockLength)), base: base ? new Float32Array(blockLength) : undefined }));
  const mergedBuffer = new Float32Array(blockLength);
  // Only F16 output is encoded into a reused buffer (two bytes an element); other types allocate.
  const encodedBuffers = [0, 1].map(() => new Uint8Array(blockLength * 2));
  const read = (first: number): Promise<[Float32Array[], Float32Array | undefined]> => {
    const count = Math.min(rowsPerBlock, rows - first);
    const buffers = readBuffers[(first / rowsPerBlock) % 2]!;
    const reading = Promise.all([
      Promise.all(inputs.map((input, index) => input.readRows(out.name, first, count, buffers.inputs[index]))),
      base?.readRows(out.name, first, count, buffers.base),
    ]);
    reading.catch(() => {}); // awaited below; this only keeps a failure from surfacing as unhandled first
    return reading;
  };
  let next = read(0);
  let writing: Promise<void> = Promise.resolve();
  try {
    for (let first = 0; first < rows; first += rowsPerBlock) {
      throwIfAborted(signal);
      const [values, baseValues] = await next;
      if (first + rowsPerBlock < rows) next = read(first + rowsPerBlock);
      const bytes = encodeTensor(out.type, mergeBlock(baseValues, values, mergedBuffer), encodedBuffers[(first / rowsPerBlock) % 2]);
      await writing;
      const finished = first + rowsPerBlock >= rows;
      writing = writer.writeTensorChunk(out.name, bytes).then(() => progress.add(out.name, bytes.length, finished));
      writing.catch(() => {});
    }
    await writing;
  } finally {
    // Nothing may still touch the files when the caller aborts the writer and closes the inputs.
    await Promise.allSettled([writing, next]);
  }
}
