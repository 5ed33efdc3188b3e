/** Neither thread's share of a block goes below this, so a slow spell never starves one for long. */
const MIN_SHARE = 0.1;
/** How far each measured block moves the share towards the split it says is even (a moving average). */
const SMOOTHING = 0.3;

/**
 * Where a block is cut between the calling thread (the part before the cut) and the worker (the rest),
 * so both finish at the same time: the calling thread also reads, writes and answers messages between
 * blocks, and the machine may be busy with other work, so an even split would leave one waiting on the
 * other. Each split block's timings (elements per second on each side) move the share; where a block is
 * cut never changes the merge's result, only who computes which part.
 */
export class ShareBalance {
  /** The calling thread's fraction of the next block. */
  private localShare = 0.5;

  constructor(private readonly sliceElements: number) {}

  /** Where the worker's part of a block of `elements` begins: a whole number of slices. */
  cutOf(elements: number): number {
    const slices = Math.round((elements * this.localShare) / this.sliceElements);
    return Math.min(elements, slices * this.sliceElements);
  }

  /** Records how long each side took over its part of a block cut at `cut`. */
  record(elements: number, cut: number, localSeconds: number, workerSeconds: number): void {
    const local = cut;
    const remote = elements - cut;
    if (local === 0 || remote === 0 || !(localSeconds > 0) || !(workerSeconds > 0)) return;
    const localRate = local / localSeconds;
    const even = localRate / (localRate + remote / workerSeconds);
    const next = this.localShare + SMOOTHING * (even - this.localShare);
    this.localShare = Math.min(1 - MIN_SHARE, Math.max(MIN_SHARE, next));
  }

  get share(): number {
    return this.localShare;
  }
}
