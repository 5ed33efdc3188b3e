import { CompletionCache } from "../../engine/completion/index.js";
import type { EngineCompletion, EngineCompletionRequest } from "../../engine/host/contract/index.js";

/**
 * The requests the engine answers at once, without generating, as far as the editor can tell: it
 * keeps the answers the engine generated the way the engine's cache does, so a request the cache or
 * typing through will answer skips the pause before asking. A wrong guess costs only the pause: the
 * engine decides from its own cache.
 */
export class InstantAnswers {
  private readonly generated = new CompletionCache({ maxEntries: 200, maxBytes: 1024 * 1024 });

  /** Notes the engine's answer to `request` (one it generated is in the engine's cache now). */
  remember(variant: string, request: EngineCompletionRequest, answer: EngineCompletion): void {
    if (answer.source !== "generated") return;
    // The engine caches what it generated: for a repaired answer, the text before the repair.
    const text = answer.alternatives?.find((other) => other.origin === "before-repair")?.text ?? answer.text;
    this.generated.set(variant, request.document, request.prefix, request.suffix, text);
  }

  /** Whether the engine will answer `request` from its cache or by typing through its last suggestion. */
  answersAtOnce(variant: string, request: EngineCompletionRequest): boolean {
    const { document, prefix, suffix } = request;
    return (
      this.generated.typedThrough(variant, document, prefix, suffix) !== undefined ||
      this.generated.get(variant, prefix, suffix) !== undefined
    );
  }

  clear(): void {
    this.generated.clear();
  }
}
