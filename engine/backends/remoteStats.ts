import type { CompletionStats } from "../completion/stats.js";
import type { StopReason } from "./backend.js";

/** llama-server's `timings` object (server_slot_stats::to_json); draft fields only with speculation. */
export interface LlamaServerTimings {
  cache_n?: number;
  prompt_n?: number;
  prompt_ms?: number;
  predicted_n?: number;
  predicted_ms?: number;
  predicted_per_second?: number;
  draft_n?: number;
  draft_n_accepted?: number;
}

/** The OpenAI `usage` object (vLLM, and llama-server's /v1 endpoints). */
export interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

/** What the client measured itself: when the request started, and when the first text arrived. */
export interface ClientClock {
  startedAt: number;
  firstTextAt?: number;
  endedAt: number;
}

/** Coop's stats from llama-server's timings: drafted/validated are the server's speculative decoding. */
export function statsFromLlamaServerTimings(
  timings: LlamaServerTimings | undefined,
  clock: ClientClock,
  generatedFallback: number,
): CompletionStats {
  const cached = timings?.cache_n ?? 0;
  const drafted = timings?.draft_n ?? 0;
  const validated = Math.min(drafted, timings?.draft_n_accepted ?? 0);
  const generated = timings?.predicted_n ?? generatedFallback;
  const rate = timings?.predicted_per_second;
  return {
    promptTokens: (timings?.prompt_n ?? 0) + cached,
    reusedPromptTokens: cached,
    generatedTokens: generated,
    drafted,
    validated,
    refuted: drafted - validated,
    ...(drafted > 0 ? { acceptanceRate: validated / drafted } : {}),
    ...(rate !== undefined && Number.isFinite(rate) && generated > 0
      ? { tokensPerSecond: rate }
      : clientRate(generated, clock)),
    timeToFirstTokenMs: (clock.firstTextAt ?? clock.endedAt) - clock.startedAt,
    totalMs: clock.endedAt - clock.startedAt,
  };
}

/** Coop's stats from an OpenAI usage object: vLLM reports no speculation counts per request. */
export function statsFromOpenAiUsage(
  usage: OpenAiUsage | undefined,
  clock: ClientClock,
  generatedFallback: number,
): CompletionStats {
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const generated = usage?.completion_tokens ?? generatedFallback;
  return {
    promptTokens: usage?.prompt_tokens ?? 0,
    reusedPromptTokens: cached,
    generatedTokens: generated,
    drafted: 0,
    validated: 0,
    refuted: 0,
    ...clientRate(generated, clock),
    timeToFirstTokenMs: (clock.firstTextAt ?? clock.endedAt) - clock.startedAt,
    totalMs: clock.endedAt - clock.startedAt,
  };
}

function clientRate(generated: number, clock: ClientClock): { tokensPerSecond?: number } {
  const from = clock.firstTextAt ?? clock.startedAt;
  const seconds = (clock.endedAt - from) / 1000;
  return generated > 1 && seconds > 0 ? { tokensPerSecond: (generated - 1) / seconds } : {};
}

/**
 * llama-server's stop_type ("eos", "limit", "word", "none"), or an OpenAI finish_reason ("stop", "length").
 */
export function stopReasonOf(value: string | null | undefined, wordStop: boolean): StopReason {
  if (value === "limit" || value === "length") return "limit";
  if (value === "word") return "stop";
  if (value === "stop") return wordStop ? "stop" : "eos";
  return "eos";
}
