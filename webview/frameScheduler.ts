/**
 * Runs a callback at most once per animation frame however often it is asked for: streamed chunks
 * arrive faster than the screen refreshes, and re-rendering on each would waste the frame.
 */
export interface FrameScheduler {
  schedule(): void;
  /** Runs now if something is scheduled (a test, or state that must be on screen before leaving). */
  flush(): void;
}

export function createFrameScheduler(
  run: () => void,
  requestFrame: (callback: () => void) => unknown,
): FrameScheduler {
  let scheduled = false;
  let generation = 0;
  const runScheduled = (): void => {
    if (!scheduled) return;
    scheduled = false;
    run();
  };
  return {
    schedule() {
      if (scheduled) return;
      scheduled = true;
      const mine = ++generation;
      requestFrame(() => {
        if (mine === generation) runScheduled();
      });
    },
    flush: runScheduled,
  };
}
