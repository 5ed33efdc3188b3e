// The completion bench's grounding side by side: the retrieved context fitted to its budget by dropping
// chunks (the retriever's budget, as before compression) and by compressing it with the draft's
// self-information, per prompt, interleaved. Each prompt is compressed twice: cold (the first time at
// that place: chunks not read yet are scored, those of earlier prompts come from the compressor's cache,
// as in a session) and warm (again: every score cached, as the next keystrokes there find it).
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import type { CompletionRequest, ContextChunk } from "../../engine/completion/index.js";
import { createDraftCompressor, type ContextCompressor } from "../../engine/compression/index.js";
import { groundCompletion, type GroundedContext } from "../../engine/cooperators/index.js";
import { Retriever, identifiersIn } from "../../engine/retriever/index.js";
import type { LlamaRuntime } from "../../engine/runtime/index.js";
import { extractDefinitions, languageForPath } from "../../engine/syntax/index.js";
import { percentile } from "./results.js";

export interface GroundingPrompt {
  request: CompletionRequest;
  /** 0-based line of the cursor in `request.path`. */
  cursorLine: number;
}

interface Kept {
  chunks: number;
  tokens: number;
  lines: number;
  /** Distinct identifiers: names the model can copy. */
  identifiers: number;
  signatures: number;
}

export async function compareGrounding(
  runtime: LlamaRuntime,
  draft: LlamaModel,
  root: string,
  prompts: readonly GroundingPrompt[],
  budgetTokens: number,
) {
  const cacheDir = await mkdtemp(join(tmpdir(), "coop-bench-grounding-"));
  const retriever = await Retriever.open({ root, cacheDir });
  const compressor = await createDraftCompressor(runtime, draft);
  try {
    await retriever.index();
    const signatures = new SignatureLines(root);
    const ms = { drop: [] as number[], cold: [] as number[], warm: [] as number[] };
    const kept = { drop: [] as Kept[], compressed: [] as Kept[] };
    let compressedPrompts = 0;
    for (const { request, cursorLine } of prompts) {
      const ground = async (compressor?: ContextCompressor) => {
        const started = performance.now();
        const grounded = await groundCompletion(retriever, request, cursorLine, { budgetTokens, compressor });
        return { grounded, ms: performance.now() - started };
      };
      const drop = await ground();
      const coldRun = await ground(compressor);
      const warmRun = await ground(compressor);
      ms.drop.push(drop.ms);
      ms.cold.push(coldRun.ms);
      ms.warm.push(warmRun.ms);
      if (!coldRun.grounded.report.compressed) continue;
      compressedPrompts++;
      kept.drop.push(await keptOf(drop.grounded, signatures));
      kept.compressed.push(await keptOf(coldRun.grounded, signatures));
    }
    return summary(prompts.length, compressedPrompts, budgetTokens, ms, kept);
  } finally {
    await compressor.dispose();
    await retriever.dispose();
    await rm(cacheDir, { recursive: true, force: true });
  }
}

function summary(
  prompts: number,
  compressedPrompts: number,
  budgetTokens: number,
  ms: { drop: number[]; cold: number[]; warm: number[] },
  kept: { drop: Kept[]; compressed: Kept[] },
) {
  const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  const average = (list: Kept[]): Kept => ({
    chunks: mean(list.map((k) => k.chunks)),
    tokens: mean(list.map((k) => k.tokens)),
    lines: mean(list.map((k) => k.lines)),
    identifiers: mean(list.map((k) => k.identifiers)),
    signatures: mean(list.map((k) => k.signatures)),
  });
  const drop = average(kept.drop);
  const compressed = average(kept.compressed);
  const p50 = (values: number[]): number => percentile(values, 50);
  return {
    prompts,
    budgetTokens,
    /** Prompts whose retrieved context (twice the budget) was over the budget, so compression ran. */
    compressedPrompts,
    groundingP50Ms: { drop: p50(ms.drop), compressedCold: p50(ms.cold), compressedWarm: p50(ms.warm) },
    groundingP95Ms: {
      drop: percentile(ms.drop, 95),
      compressedCold: percentile(ms.cold, 95),
      compressedWarm: percentile(ms.warm, 95),
    },
    /** Means over the prompts compression ran on. */
    keptWhenDropping: drop,
    keptWhenCompressing: compressed,
    keptRatio: {
      chunks: compressed.chunks / drop.chunks,
      tokens: compressed.tokens / drop.tokens,
      lines: compressed.lines / drop.lines,
      identifiers: compressed.identifiers / drop.identifiers,
      signatures: compressed.signatures / drop.signatures,
    },
  };
}

export type GroundingComparison = Awaited<ReturnType<typeof compareGrounding>>;

async function keptOf(grounded: GroundedContext, signatures: SignatureLines): Promise<Kept> {
  let lines = 0;
  let held = 0;
  for (const chunk of grounded.chunks) {
    const starts = await signatures.of(chunk.path);
    for (const line of nonBlankLines(chunk)) {
      lines++;
      if (starts.has(line.trim())) held++;
    }
  }
  const identifiers = new Set(grounded.chunks.flatMap((chunk) => identifiersIn(chunk.text))).size;
  return {
    chunks: grounded.chunks.length,
    tokens: grounded.report.keptTokens,
    lines,
    identifiers,
    signatures: held,
  };
}

function nonBlankLines(chunk: ContextChunk): string[] {
  return chunk.text.split("\n").filter((line) => line.trim() !== "");
}

/** The first line of each definition in a workspace file (trimmed): where its signature is. */
class SignatureLines {
  private readonly files = new Map<string, Promise<Set<string>>>();

  constructor(private readonly root: string) {}

  of(path: string): Promise<Set<string>> {
    let lines = this.files.get(path);
    if (!lines) {
      lines = this.read(path);
      this.files.set(path, lines);
    }
    return lines;
  }

  private async read(path: string): Promise<Set<string>> {
    const language = languageForPath(path);
    if (language === undefined) return new Set();
    const text = await readFile(join(this.root, path), "utf8");
    const lines = text.split("\n");
    const definitions = await extractDefinitions(text, language);
    return new Set(definitions.map((definition) => lines[definition.startLine]!.trim()));
  }
}

/**
 * The comparison as ratios (compressed / dropping), next to what a speculative completion of the same
 * prompts takes.
 */
export function groundingRows(
  comparison: GroundingComparison,
  completionMs: number,
): { measure: string; value: string | number }[] {
  const { groundingP50Ms: p50, keptWhenDropping: drop, keptWhenCompressing: kept } = comparison;
  const pair = (a: number, b: number): string => `${a.toFixed(1)} / ${b.toFixed(1)}`;
  return [
    {
      measure: `grounding prompts over the ${comparison.budgetTokens}-token budget (compressed)`,
      value: `${comparison.compressedPrompts} of ${comparison.prompts}`,
    },
    {
      measure: "grounding p50 ms: dropping / compressing cold / warm",
      value: `${p50.drop.toFixed(1)} / ${p50.compressedCold.toFixed(1)} / ${p50.compressedWarm.toFixed(1)}`,
    },
    { measure: "grounding time, compressing cold / dropping", value: p50.compressedCold / p50.drop },
    { measure: "grounding time, compressing warm / dropping", value: p50.compressedWarm / p50.drop },
    {
      measure: "compression's added time (cold) / a speculative completion",
      value: (p50.compressedCold - p50.drop) / completionMs,
    },
    { measure: "chunks kept, dropping / compressing", value: pair(drop.chunks, kept.chunks) },
    { measure: "chunks kept, compressing / dropping", value: comparison.keptRatio.chunks },
    { measure: "tokens kept, compressing / dropping", value: comparison.keptRatio.tokens },
    { measure: "non-blank lines kept, compressing / dropping", value: comparison.keptRatio.lines },
    { measure: "distinct identifiers kept, compressing / dropping", value: comparison.keptRatio.identifiers },
    { measure: "definition signatures kept, compressing / dropping", value: comparison.keptRatio.signatures },
  ];
}
