import type { CompletionTimings, EngineCompletion } from "../../engine/host/contract/index.js";

/**
 * Where one completion's time went, in ms, from the editor asking the provider to its answer: the
 * extension's stages measured here, the engine's as it reported them (absent until it does). The
 * editor's own share (its 50 ms pause after a keystroke, the messages between the workbench and the
 * extension host, drawing the ghost text) is outside.
 */
export interface CompletionStageTimes {
  /** Building the request: reading the document and the settings. */
  prepare?: number;
  /**
   * What was left of the pause after the keystroke when the editor asked (its own 50 ms wait counts),
   * 0 when the engine answers at once, from its cache or by typing through.
   */
  debounce?: number;
  /** Waiting for the engine process and the variant: a load on the first request, 0 after it. */
  load?: number;
  /** The request to the engine process and its answer back: rpc + engine. */
  roundTrip?: number;
  /** The round trip less the engine's own time: messages, serialization, the engine's event loop. */
  rpc?: number;
  /** The engine's own time, and its stages (see CompletionTimings). */
  engine?: number;
  queue?: number;
  retrieval?: number;
  prompt?: number;
  generation?: number;
  detector?: number;
  /** The editor's language servers asked about the detector's findings. */
  languageServer?: number;
  /** From the editor asking the provider to its answer. */
  total?: number;
}

export type CompletionStage = keyof CompletionStageTimes;

/** Every stage, in the order they are printed, with the label that prints it. */
export const completionStages: readonly { stage: CompletionStage; label: string }[] = [
  { stage: "prepare", label: "prepare" },
  { stage: "debounce", label: "debounce" },
  { stage: "load", label: "load" },
  { stage: "roundTrip", label: "round trip" },
  { stage: "rpc", label: "rpc" },
  { stage: "engine", label: "engine" },
  { stage: "queue", label: "queue" },
  { stage: "retrieval", label: "retrieval" },
  { stage: "prompt", label: "prompt" },
  { stage: "generation", label: "generation" },
  { stage: "detector", label: "detector" },
  { stage: "languageServer", label: "language server" },
  { stage: "total", label: "total" },
];

/** The stages the extension measures, lap by lap, from when the provider was asked. */
export class CompletionClock {
  private readonly started = performance.now();
  private last = this.started;
  private readonly laps: CompletionStageTimes = {};

  /** Ends `stage` now: it lasted since the previous lap (or the start). */
  lap(stage: "prepare" | "debounce" | "load" | "roundTrip" | "languageServer"): void {
    const now = performance.now();
    this.laps[stage] = (this.laps[stage] ?? 0) + now - this.last;
    this.last = now;
  }

  /** The stages so far with the engine's (rpc is the round trip less the engine's total). */
  read(completion?: Pick<EngineCompletion, "timings">): CompletionStageTimes {
    const engine: CompletionTimings | undefined = completion?.timings;
    const roundTrip = this.laps.roundTrip;
    return {
      ...this.laps,
      ...(roundTrip !== undefined && engine ? { rpc: Math.max(0, roundTrip - engine.totalMs) } : {}),
      ...(engine
        ? {
            engine: engine.totalMs,
            queue: engine.queueMs,
            retrieval: engine.retrievalMs,
            prompt: engine.promptMs,
            generation: engine.generationMs,
            detector: engine.detectorMs,
          }
        : {}),
      total: performance.now() - this.started,
    };
  }
}

/**
 * "prepare 1, debounce 25, load 0, round trip 62 (rpc 4, engine 58: queue 0, retrieval 3, prompt 1,
 * generation 50, detector 4), language server 0, total 90": whole ms, "-" for a stage that did not run
 * or was not reported.
 */
export function formatCompletionStages(times: CompletionStageTimes): string {
  const ms = (stage: CompletionStage): string => {
    const value = times[stage];
    return value === undefined ? "-" : value.toFixed(0);
  };
  const engineStages = (["queue", "retrieval", "prompt", "generation", "detector"] as const)
    .map((stage) => `${stage} ${ms(stage)}`)
    .join(", ");
  return (
    `prepare ${ms("prepare")}, debounce ${ms("debounce")}, load ${ms("load")}, ` +
    `round trip ${ms("roundTrip")} (rpc ${ms("rpc")}, engine ${ms("engine")}: ${engineStages}), ` +
    `language server ${ms("languageServer")}, total ${ms("total")}`
  );
}

/** The log line of one completion the engine answered (at debug level in Coop's log). */
export function completionTimingsLine(
  times: CompletionStageTimes,
  source: EngineCompletion["source"],
  outcome: CompletionOutcome,
): string {
  return `${completionTimingsTag} (${source}, ${outcome}): ${formatCompletionStages(times)}`;
}

/** What became of an answer: shown as ghost text, empty, hidden by the policy, or too late. */
export type CompletionOutcome = "shown" | "empty" | "hidden" | "cancelled";

const completionTimingsTag = "Completion timings in ms";

/** The stages and outcome of a line completionTimingsLine() wrote, or undefined for another line. */
export function parseCompletionTimingsLine(
  line: string,
): { times: CompletionStageTimes; source: string; outcome: string } | undefined {
  const at = line.indexOf(completionTimingsTag);
  if (at === -1) return undefined;
  const head = /^ \(([\w-]+), (\w+)\): (.*)$/.exec(line.slice(at + completionTimingsTag.length));
  if (!head) return undefined;
  const times: CompletionStageTimes = {};
  for (const { stage, label } of completionStages) {
    const value = new RegExp(`(?:^|[ (,])${label} (-|\\d+)`).exec(head[3]!)?.[1];
    if (value !== undefined && value !== "-") times[stage] = Number(value);
  }
  return { times, source: head[1]!, outcome: head[2]! };
}
