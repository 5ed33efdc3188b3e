import { gguf, type GgufFile, type GgufTensorInfo, type GgufWriter } from "../gguf/index.js";
import {
  mergeTensor,
  openTensorMergeStream,
  type MergeInput,
  type TensorMergeStream,
} from "./methods/index.js";
import { writeAtomically } from "./atomicOutput.js";
import { throwIfAborted } from "./mergeError.js";
import type { MergeJob, MergeOutputType } from "./mergeJob.js";
import { copyMetadata } from "./outputMetadata.js";
import { fileTypeOf, outputTensorType } from "./outputTensorType.js";
import { ProgressCounter } from "./progressCounter.js";
import { provenanceOf } from "./provenance.js";
import { RowBlockReader } from "./rowBlockReader.js";
import { encodedLength, SliceMerger } from "./sliceMerger.js";

const DEFAULT_BLOCK_ELEMENTS = 1 << 22;

export interface FullMergeResult {
  tensors: number;
  bytesWritten: number;
}

/**
 * Merges full models tensor by tensor into `path`. `reference` (the base, or the first input) gives
 * the tensor order and metadata; the files were checked compatible before. Methods that can stream
 * read each tensor in row blocks; the others (sce, slerp) read it whole.
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
    copyMetadata(
      writer,
      reference,
      { "general.name": gguf.str(name), "general.file_type": gguf.u32(fileTypeOf[type]) },
      provenanceOf(job),
    );
    const declared = reference.tensors.map((tensor) =>
      writer.addTensor(tensor.name, tensor.dims, outputTensorType(tensor, type)),
    );
    const progress = new ProgressCounter(
      declared.length,
      declared.reduce((sum, t) => sum + t.byteSize, 0),
      job.onProgress,
    );
    for (const [tensorIndex, out] of declared.entries()) {
      throwIfAborted(job.signal);
      const context = { seed: job.seed ?? 0, tensorIndex };
      const stream = openTensorMergeStream(
        job.method,
        base !== undefined,
        job.inputs,
        job.params ?? {},
        context,
        out.elementCount,
      );
      if (stream !== undefined) {
        await streamTensor(
          writer,
          out,
          base,
          inputs,
          stream,
          progress,
          job.blockElements ?? DEFAULT_BLOCK_ELEMENTS,
          job.signal,
        );
      } else {
        const values = await Promise.all(inputs.map((input) => input.readTensor(out.name)));
        const baseValues = base === undefined ? undefined : await base.readTensor(out.name);
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
}

/**
 * One tensor through a merge stream, a row block at a time: each statistics pass reads the tensor
 * once, then the merging pass reads it again and writes the output. Reading runs a block ahead and
 * writing a block behind the arithmetic, so file I/O (on libuv's threads) overlaps it (on this one).
 */
async function streamTensor(
  writer: GgufWriter,
  out: GgufTensorInfo,
  base: GgufFile | undefined,
  inputs: readonly GgufFile[],
  stream: TensorMergeStream,
  progress: ProgressCounter,
  blockElements: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const reader = new RowBlockReader(out, base, inputs, blockElements);
  const merger = new SliceMerger(reader.inputTypes, reader.baseType, out.type, stream);
  for (let pass = 0; pass < stream.statisticsPasses; pass++) {
    for await (const block of reader.blocks()) {
      throwIfAborted(signal);
      merger.observeBlock(pass, block.inputs, block.base, block.elements);
    }
  }
  // Two output buffers, reused: one may still be being written while the next block is merged.
  const encoded = [0, 1].map(() => new Uint8Array(encodedLength(out.type, reader.blockElements)));
  let writing: Promise<void> = Promise.resolve();
  try {
    for await (const block of reader.blocks()) {
      throwIfAborted(signal);
      const bytes = encoded[block.index % 2]!.subarray(0, encodedLength(out.type, block.elements));
      merger.mergeBlock(block.inputs, block.base, block.elements, bytes);
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
