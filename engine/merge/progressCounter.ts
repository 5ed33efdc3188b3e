import type { MergeProgress } from "./mergeJob.js";

/** Counts written tensors and bytes and reports them to the job's callback. */
export class ProgressCounter {
  tensorsDone = 0;
  bytesWritten = 0;

  constructor(
    readonly tensorCount: number,
    readonly bytesTotal: number,
    private readonly report: ((progress: MergeProgress) => void) | undefined,
  ) {}

  add(tensor: string, bytes: number, tensorFinished: boolean): void {
    this.bytesWritten += bytes;
    if (tensorFinished) this.tensorsDone++;
    this.report?.({
      tensorsDone: this.tensorsDone,
      tensorCount: this.tensorCount,
      bytesWritten: this.bytesWritten,
      bytesTotal: this.bytesTotal,
      tensor,
    });
  }
}
