import { isShareable, type ShareableMergeStream, type TensorMergeStream } from "./methods/index.js";
import { ShareBalance } from "./shareBalance.js";
import { SliceMerger } from "./sliceMerger.js";
import type { SliceWorker } from "./sliceWorker.js";
import type { SharedBlock, TensorStreamSpec } from "./workerProtocol.js";

/** Tensors smaller than this are merged on the calling thread alone: a worker would not pay for itself. */
export const MIN_SPLIT_ELEMENTS = 1 << 16;

/**
 * Feeds a tensor's row blocks to its merge stream as SliceMerger does, with each block's arithmetic split
 * between this thread (the first part) and a worker thread (the rest) working at the same time on a copy
 * of the stream, when the stream allows it and blocks are big enough to be worth it; otherwise all here.
 * Where a block is cut follows how fast each side went on the blocks before (ShareBalance).
 * Results are bit for bit those of one thread:
 * - a statistics pass's counts are added up across the copies at its end (finishPass); a pass whose sum
 *   depends on order (sce's norms) runs here alone and its result is handed to the worker's copy;
 * - in the merging pass the worker starts at the block's middle, so it needs the tie budgets this thread
 *   will leave there. It starts from those at the block's start, which are right unless the budget runs
 *   out inside this block (once per cut and tensor), as the check after both parts shows; then the
 *   worker's part is merged again from the right ones.
 * Blocks must be in shared memory (RowBlockReader's are), and so must the merging pass's output.
 */
export class SplitBlockMerger {
  private readonly local: SliceMerger;
  private readonly shared: { stream: ShareableMergeStream; worker: SliceWorker } | undefined;
  private readonly balance: ShareBalance;
  /** How many times the worker's part of a block had to be merged again (a tie budget ran out in it). */
  remerges = 0;

  private constructor(
    stream: TensorMergeStream,
    spec: TensorStreamSpec,
    worker: SliceWorker | undefined,
    blockElements: number,
  ) {
    this.local = new SliceMerger(spec.inputTypes, spec.baseType, spec.outputType, stream);
    this.balance = new ShareBalance(this.local.sliceElements);
    const worthSplitting = blockElements >= 2 * this.local.sliceElements;
    this.shared =
      worker !== undefined && isShareable(stream) && worthSplitting ? { stream, worker } : undefined;
  }

  /** Whether blocks are split with the worker (else all is merged on this thread). */
  get splits(): boolean {
    return this.shared !== undefined;
  }

  /** `worker` undefined merges on this thread alone; `blockElements` is the size of the largest block. */
  static async open(
    stream: TensorMergeStream,
    spec: TensorStreamSpec,
    worker: SliceWorker | undefined,
    blockElements: number,
  ): Promise<SplitBlockMerger> {
    const merger = new SplitBlockMerger(stream, spec, worker, blockElements);
    if (merger.shared !== undefined) await merger.shared.worker.open(spec);
    return merger;
  }

  async observeBlock(pass: number, block: SharedBlock, elements: number): Promise<void> {
    const shared = this.shared;
    if (shared === undefined || !shared.stream.splitsPass(pass)) {
      this.local.observeBlock(pass, block.inputs, block.base, elements);
      return;
    }
    const middle = this.balance.cutOf(elements);
    const { result: workerSeconds, seconds } = await this.alongside(
      shared.worker.observe(pass, block, middle, elements),
      () => this.local.observeBlock(pass, block.inputs, block.base, middle),
    );
    this.balance.record(elements, middle, seconds, workerSeconds);
  }

  /** Brings both copies of the stream to the whole pass's statistics. */
  async finishPass(pass: number): Promise<void> {
    const shared = this.shared;
    if (shared === undefined) return;
    const statistics = [shared.stream.takeStatistics(pass), await shared.worker.take(pass)];
    for (const part of statistics) shared.stream.addStatistics(pass, part);
    await shared.worker.add(pass, statistics);
  }

  /** Merges the block's `elements` elements into `output` (shared memory when split). */
  async mergeBlock(block: SharedBlock, elements: number, output: Uint8Array): Promise<void> {
    const shared = this.shared;
    if (shared === undefined) {
      this.local.mergeBlock(block.inputs, block.base, elements, output);
      return;
    }
    const { stream, worker } = shared;
    const start = stream.cursor();
    const middle = this.balance.cutOf(elements);
    const guess = { position: start.position + middle, tieBudgets: start.tieBudgets };
    const { result: workerPart, seconds } = await this.alongside(
      worker.merge(block, middle, elements, output, guess),
      () => this.local.mergeBlock(block.inputs, block.base, middle, output),
    );
    this.balance.record(elements, middle, seconds, workerPart.seconds);
    let end = workerPart.cursor;
    const atMiddle = stream.cursor();
    const spent = start.tieBudgets.map((budget, i) => budget - end.tieBudgets[i]!);
    if (spent.some((count, i) => count > atMiddle.tieBudgets[i]!)) {
      this.remerges++;
      end = (await worker.merge(block, middle, elements, output, atMiddle)).cursor;
    } else {
      end = {
        position: end.position,
        tieBudgets: atMiddle.tieBudgets.map((budget, i) => budget - spent[i]!),
      };
    }
    stream.seek(end);
  }

  /**
   * Runs `work` here while the worker works on its part, and times it; the worker is waited for even when
   * `work` throws, since its part reads the same block buffers the caller will reuse.
   */
  private async alongside<T>(remote: Promise<T>, work: () => void): Promise<{ result: T; seconds: number }> {
    const started = performance.now();
    try {
      work();
    } catch (error) {
      await Promise.allSettled([remote]);
      throw error;
    }
    const seconds = (performance.now() - started) / 1000;
    return { result: await remote, seconds };
  }
}
