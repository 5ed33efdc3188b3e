import { RemoteEngineError } from "./errors.js";
import type { RemoteHttpClient } from "./httpClient.js";
import type { LlamaServerTimings, OpenAiUsage } from "./remoteStats.js";

/** What one streamed OpenAI-style generation produced. */
export interface OpenAiStreamResult {
  text: string;
  finishReason?: string;
  /** vLLM: the stop string (or token id) that ended it; null for the end-of-sequence token. */
  stopMatched?: string | number | null;
  usage?: OpenAiUsage;
  /** llama-server adds its own timings to the last chunk. */
  timings?: LlamaServerTimings;
  firstTextAt?: number;
}

interface OpenAiChunk {
  choices?: {
    text?: string;
    delta?: { content?: string | null };
    finish_reason?: string | null;
    stop_reason?: string | number | null;
  }[];
  usage?: OpenAiUsage | null;
  timings?: LlamaServerTimings;
  error?: { message?: string } | string;
}

/**
 * Streams `/v1/completions` or `/v1/chat/completions` (`stream: true`): the text of choice 0 from
 * `text` or `delta.content`, up to `data: [DONE]`. A stream that ends without [DONE] nor a
 * finish_reason broke off, and rejects. Errors sent inside the stream reject with their message.
 */
export async function streamOpenAi(
  http: RemoteHttpClient,
  serverName: string,
  path: string,
  body: Record<string, unknown>,
  signal: AbortSignal | undefined,
  onText: ((text: string) => void) | undefined,
  partial: OpenAiStreamResult = { text: "" },
): Promise<OpenAiStreamResult> {
  const result = partial;
  // A property, not a local: the stream callback sets it, which control-flow narrowing cannot see.
  const stream = { done: false };
  await http.stream(path, { ...body, stream: true }, signal, (event) => {
    if (event.data === "[DONE]") {
      stream.done = true;
      return true;
    }
    let chunk: OpenAiChunk;
    try {
      chunk = JSON.parse(event.data) as OpenAiChunk;
    } catch {
      throw new RemoteEngineError(
        "bad-response",
        http.endpoint,
        `${serverName} at ${http.endpoint} streamed something that is not JSON on ${path}: ${event.data.slice(0, 200)}`,
      );
    }
    if (event.event === "error" || chunk.error) {
      const message = typeof chunk.error === "string" ? chunk.error : (chunk.error?.message ?? event.data);
      throw new RemoteEngineError(
        "http",
        http.endpoint,
        `${serverName} at ${http.endpoint} failed ${path} while generating: ${message}`,
      );
    }
    const choice = chunk.choices?.[0];
    const piece = choice?.text ?? choice?.delta?.content ?? "";
    if (piece) {
      result.firstTextAt ??= Date.now();
      result.text += piece;
      onText?.(piece);
    }
    if (choice?.finish_reason) {
      result.finishReason = choice.finish_reason;
      if (choice.stop_reason !== undefined) result.stopMatched = choice.stop_reason;
    }
    if (chunk.usage) result.usage = chunk.usage;
    if (chunk.timings) result.timings = chunk.timings;
    return false;
  });
  if (!stream.done && result.finishReason === undefined) {
    throw new RemoteEngineError(
      "interrupted",
      http.endpoint,
      `${serverName} at ${http.endpoint} ended the stream of ${path} before the generation finished; the server may have stopped`,
    );
  }
  return result;
}
