import type { MergeProgress } from "../../merge/index.js";

const WIDTH = 30;

export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A one-line progress bar redrawn on a TTY stream at most every 100 ms; silent elsewhere. */
export function progressBar(stream: NodeJS.WriteStream): {
  update: (progress: MergeProgress) => void;
  done: () => void;
} {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let last = 0;
  let drawn = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - last < 100 && progress.tensorsDone < progress.tensorCount) return;
      last = now;
      const share = progress.bytesTotal === 0 ? 1 : progress.bytesWritten / progress.bytesTotal;
      const filled = Math.round(share * WIDTH);
      const line = `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${progress.tensorsDone}/${progress.tensorCount} tensors  ${formatBytes(progress.bytesWritten)}/${formatBytes(progress.bytesTotal)}  ${progress.tensor}`;
      stream.write(`\r${line.slice(0, stream.columns - 1).padEnd(Math.min(stream.columns, 120) - 1)}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write("\n");
    },
  };
}
