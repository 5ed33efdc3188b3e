import { gguf, type GgufFile, type GgufTensorInfo, type GgufWriter } from "../gguf/index.js";
import { mergeTensor, STREAMING_METHODS, type MergeInput } from "./methods/index.js";
import { writeAtomically } from "./atomicOutput.js";
import { checkFinite } from "./finiteInputs.js";
import { throwIfAborted } from "./mergeError.js";
import type { MergeJob, MergeOutputType } from "./mergeJob.js";
import { copyMetadata } from "./outputMetadata.js";
import { fileTypeOf, outputTensorTypes } from "./outputTensorType.js";
import { ProgressCounter } from "./progressCounter.js";
import { provenanceOf } from "./provenance.js";
import { openSpecStream } from "./openSpecStream.js";
import { SliceWorker } from "./sliceWorker.js";
import { MIN_SPLIT_ELEMENTS, SplitBlockMerger } from "./splitBlockMerger.js";
import type { TensorStreamSpec } from "./workerProtocol.js";
import { RowBlockReader } from "./rowBlockReader.js";
import { sampledTiesWindows } from "./sampledTiesWindows.js";
import { SharedBuffers } from "./sharedBuffers.js";
import { encodedLength } from "./sliceMerger.js";

const DEFAULT_BLOCK_ELEMENTS = 1 << 22;

export interface FullMergeResult {
  tensors: number;
  bytesWritten: number;
}

/**
 * Merges full models tensor by tensor into `path`. `reference` (the base, or the first input) gives
 * the tensor order and metadata; the files were checked compatible before. Methods that can stream
 * read each tensor in row blocks, sharing the arithmetic with a worker thread on big tensors; the
 * other (slerp) reads it whole.
 */
export async function mergeFullModels(
  job: MergeJob,
  reference: GgufFile,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
  path: string,
  type: MergeOutputType,
): Promise<FullMergeResult> {
  // Started on the first tensor big enough to share, and stopped when the merge ends.
  let worker: SliceWorker | undefined;
  const sharedBuffers = new SharedBuffers();
  try {
    return await writeAtomically(path, reference.alignment, async (writer) => {
      const name = job.name ?? `${String(reference.get("general.name") ?? "model")}-${job.method}`;
      copyMetadata(
        writer,
        reference,
        { "general.name": gguf.str(name), "general.file_type": gguf.u32(fileTypeOf[type]) },
        provenanceOf(job),
      );
      const typeOf = outputTensorTypes(reference, type);
      const declared = reference.tensors.map((tensor) =>
        writer.addTensor(tensor.name, tensor.dims, typeOf(tensor)),
      );
      const progress = new ProgressCounter(
        declared.length,
        declared.reduce((sum, t) => sum + t.byteSize, 0),
        job.onProgress,
      );
      for (const [tensorIndex, out] of declared.entries()) {
        throwIfAborted(job.signal);
        const context = { seed: job.seed ?? 0, tensorIndex };
        if (STREAMING_METHODS.has(job.method)) {
          if (out.elementCount >= MIN_SPLIT_ELEMENTS) worker ??= SliceWorker.start();
          await streamTensor(
            writer,
            out,
            base,
            inputs,
            job,
            context,
            worker,
            sharedBuffers,
            progress,
            job.blockElements ?? DEFAULT_BLOCK_ELEMENTS,
          );
        } else {
          const values = await Promise.all(inputs.map((input) => input.readTensor(out.name)));
          const baseValues = base === undefined ? undefined : await base.readTensor(out.name);
          values.forEach((tensor, i) => checkFinite(tensor, inputs[i]!.path, out.name));
          if (base !== undefined) checkFinite(baseValues!, base.path, out.name);
          const merged: MergeInput[] = job.inputs.map((input, i) => ({
            values: values[i]!,
            weight: input.weight,
            density: input.density,
          }));
          await writer.writeTensor(
            out.name,
            mergeTensor(job.method, baseValues, merged, job.params ?? {}, context),
          );
          progress.add(out.name, out.byteSize, true);
        }
      }
      return { tensors: declared.length, bytesWritten: progress.bytesWritten };
    });
  } finally {
    await worker?.close();
  }
}

/**
 * One tensor through a merge stream, a row block at a time: each statistics pass reads the tensor
 * once (a stream may find after a pass that it needs no more), then the merging pass reads it again and
 * writes the output. Reading runs a block ahead and
 * writing a block behind the arithmetic, so file I/O (on libuv's threads) overlaps it (on this one,
 * and the worker's when given).
 */
async function streamTensor(
  writer: GgufWriter,
  out: GgufTensorInfo,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
  job: MergeJob,
  context: TensorStreamSpec["context"],
  worker: SliceWorker | undefined,
  sharedBuffers: SharedBuffers,
  progress: ProgressCounter,
  blockElements: number,
): Promise<void> {
  const signal = job.signal;
  const reader = new RowBlockReader(out, base, inputs, blockElements, sharedBuffers);
  const spec: TensorStreamSpec = {
    method: job.method,
    hasBase: base !== undefined,
    inputs: job.inputs.map(({ weight, density }) => ({ weight, density })),
    params: job.params ?? {},
    context,
    elementCount: out.elementCount,
    inputTypes: reader.inputTypes,
    baseType: reader.baseType,
    outputType: out.type,
    tiesWindows: await sampledTiesWindows(job, out, base, inputs),
    names: { tensor: out.name, baseFile: base?.path, inputFiles: inputs.map((input) => input.path) },
  };
  const stream = openSpecStream(spec)!;
  const merger = await SplitBlockMerger.open(stream, spec, worker, reader.blockElements);
  for (let pass = 0; pass < stream.statisticsPasses; pass++) {
    for await (const block of reader.blocks()) {
      throwIfAborted(signal);
      await merger.observeBlock(pass, block, block.elements);
    }
    await merger.finishPass(pass);
  }
  // Two output buffers, reused: one may still be being written while the next block is merged. Shared
  // memory, where the worker writes its part of each block.
  const encoded = [0, 1].map((set) =>
    sharedBuffers.bytes(`output ${set}`, encodedLength(out.type, reader.blockElements)),
  );
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const block of reader.blocks()) {
      throwIfAborted(signal);
      const bytes = encoded[block.index % 2]!.subarray(0, encodedLength(out.type, block.elements));
      await merger.mergeBlock(block, block.elements, bytes);
      await writing;
      writing = writer
        .writeTensorChunk(out.name, bytes)
        .then(() => progress.add(out.name, bytes.length, block.last));
      writing.catch(() => {}); // awaited below; this only keeps a failure from surfacing as unhandled first
    }
    await writing;
  } finally {
    // Nothing may still touch the output when the caller aborts the writer.
    await Promise.allSettled([writing]);
  }
}
