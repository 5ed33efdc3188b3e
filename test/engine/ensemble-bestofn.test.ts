import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaModel, Token } from "node-llama-cpp";
import {
  buildChatPrompt,
  chatTemplateOf,
  codeBlockSpans,
  chooseCodeBlocks,
  codeOnlyInstructions,
  coopInstructions,
  extractCodeBlocks,
} from "../../engine/chat/index.js";
import {
  CompletionEngine,
  buildFimPrompt,
  defaultCompletionEngineOptions,
  fimTokensOf,
  type CompletionRequest,
} from "../../engine/completion/index.js";
import {
  detect,
  isCertain,
  workspaceFromFiles,
  type DetectorWorkspace,
} from "../../engine/detector/index.js";
import {
  bestCandidate,
  compareCandidates,
  drawCandidates,
  scoreCompletions,
  type CandidateScore,
} from "../../engine/ensemble/index.js";
import { CooperativeEngine, type VariantSpec } from "../../engine/host/index.js";
import { mean, tokenLogLikelihoods } from "../../engine/runtime/index.js";
import { fixtures } from "../support/fixtures.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let dir: string;
let root: string;
let workspace: DetectorWorkspace;
let variant: VariantSpec;
let target: LlamaModel;
let draft: LlamaModel;
/** A context of its own on the target for the reference computations (nothing reused between them). */
let referenceContext: LlamaContext;
const teardown = new Teardown();

const files: Record<string, string> = {
  "package.json": JSON.stringify({ name: "shop", version: "1.0.0", private: true }),
  "src/invoice.ts":
    "export function computeInvoiceTotal(items: number[]): number {\n  return items.reduce((a, b) => a + b, 0);\n}\n",
};

const request: CompletionRequest = {
  document: "file:///shop/src/report.ts",
  path: "src/report.ts",
  prefix:
    'import { computeInvoiceTotal } from "./invoice";\n\nexport function report(items: number[]): number {\n  ',
  suffix: "\n}\n",
  multiline: true,
  maxTokens: 32,
  // No retrieval: the reference rebuilds the very prompt the engine used.
  chunks: [],
};

before(async () => {
  const set = await fixtures();
  variant = { id: "coop-tiny", target: set.target, draft: set.draft, gpu: "cpu", contextSize: 2048 };
  dir = await mkdtemp(join(tmpdir(), "coop-best-of-n-"));
  root = join(dir, "shop");
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), text);
  }
  workspace = await workspaceFromFiles(
    Object.entries(files).map(([path, text]) => ({ path, text })),
    { root },
  );
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  draft = (await runtime.loadModel(set.draft)).model;
  teardown.add(() => draft.dispose());
  referenceContext = await runtime.createContext(target, { contextSize: 2048 });
  teardown.add(() => referenceContext.dispose());
});

after(async () => {
  await teardown.run();
  await disposeTestRuntime();
  await rm(dir, { recursive: true, force: true });
});

/** log P(continuation | context) per token, from one fresh evaluation of the whole text. */
async function referenceMeanLogProbability(
  context: readonly Token[],
  continuation: readonly Token[],
): Promise<number> {
  const sequence = referenceContext.getSequence();
  try {
    const all = await tokenLogLikelihoods(sequence, [...context, ...continuation]);
    return mean(all.slice(-continuation.length));
  } finally {
    await sequence.dispose();
  }
}

function fimPromptOf(asked: CompletionRequest): Token[] {
  return buildFimPrompt(
    {
      prefix: asked.prefix,
      suffix: asked.suffix,
      path: asked.path,
      chunks: asked.chunks ?? [],
      projectName: asked.projectName ?? "workspace",
      budgetTokens: defaultCompletionEngineOptions.promptBudgetTokens,
    },
    fimTokensOf(target)!,
    (text) => target.tokenize(text, false),
  ).tokens;
}

/** The detector's word and the reference likelihood of a completion, computed apart from the engine. */
async function referenceScore(text: string): Promise<CandidateScore> {
  const findings =
    text.trim() === ""
      ? []
      : await detect(text, {
          language: "typescript",
          workspace,
          prefixContext: request.prefix,
          suffixContext: request.suffix,
          path: request.path,
        });
  const tokens = target.tokenize(text, false);
  return {
    certainFindings: findings.filter(isCertain).length,
    findings: findings.length,
    ...(tokens.length > 0
      ? { meanLogProbability: await referenceMeanLogProbability(fimPromptOf(request), tokens) }
      : {}),
  };
}

/**
 * The position the reference ranking puts first: fewest certain findings, fewest findings, highest
 * likelihood.
 */
function referenceBest(scores: readonly CandidateScore[]): number {
  const order = scores.map((score, index) => ({ score, index }));
  order.sort(
    (a, b) =>
      a.score.certainFindings - b.score.certainFindings ||
      a.score.findings - b.score.findings ||
      (b.score.meanLogProbability ?? -Infinity) - (a.score.meanLogProbability ?? -Infinity) ||
      a.index - b.index,
  );
  return order[0]!.index;
}

const likelihoodTolerance = 1e-3;

describe("best-of-n", () => {
  test("the ranking: certain findings, then any findings, then the higher likelihood; an empty candidate last", () => {
    const clean = (meanLogProbability?: number): CandidateScore => ({
      certainFindings: 0,
      findings: 0,
      ...(meanLogProbability === undefined ? {} : { meanLogProbability }),
    });
    assert.equal(
      bestCandidate([{ certainFindings: 1, findings: 1, meanLogProbability: -0.1 }, clean(-9)]),
      1,
    );
    assert.equal(
      bestCandidate([{ certainFindings: 0, findings: 1, meanLogProbability: -0.1 }, clean(-9)]),
      1,
    );
    assert.equal(bestCandidate([clean(-3), clean(-2), clean(-2.5)]), 1);
    assert.equal(bestCandidate([clean(undefined), clean(-50)]), 1);
    assert.equal(bestCandidate([clean(-2), clean(-2)]), 0, "equals keep their order");
    assert.ok(compareCandidates(clean(-1), clean(-2)) < 0);
  });

  test("a candidate with a finding loses to one without, and among clean ones the target's likelier one wins, as a reference computes", async () => {
    const runtime = await testRuntime();
    const engine = await CompletionEngine.create(runtime, { target, draft }, { variant: "best-of-n" });
    try {
      const texts = [
        "return computeInvoiceTotal(items);",
        "const resolvedMessages = resolveMessages(items);\n  return resolvedMessages;",
        "const result = this._contextSize;\n  return result;",
        "return items.length;",
        "",
      ];
      const check = (text: string) =>
        detect(text, {
          language: "typescript",
          workspace,
          prefixContext: request.prefix,
          suffixContext: request.suffix,
          path: request.path,
        });
      const scored = await scoreCompletions(
        engine,
        request,
        texts.map((text) => ({ result: { text, raw: text, source: "generated" as const, multiline: true } })),
        check,
      );
      const reference: CandidateScore[] = [];
      for (const text of texts) reference.push(await referenceScore(text));
      for (const [index, candidate] of scored.entries()) {
        assert.equal(candidate.score.certainFindings, reference[index]!.certainFindings, texts[index]);
        assert.equal(candidate.score.findings, reference[index]!.findings, texts[index]);
        if (reference[index]!.meanLogProbability === undefined)
          assert.equal(candidate.score.meanLogProbability, undefined);
        else
          assert.ok(
            Math.abs(candidate.score.meanLogProbability! - reference[index]!.meanLogProbability) <
              likelihoodTolerance,
            `${texts[index]}: ${candidate.score.meanLogProbability} vs ${reference[index]!.meanLogProbability}`,
          );
      }
      const chosen = bestCandidate(scored.map((candidate) => candidate.score));
      assert.equal(chosen, referenceBest(reference));
      const flagged = reference.findIndex((score) => score.certainFindings > 0);
      assert.ok(flagged !== -1, "a candidate names something that does not exist");
      assert.equal(reference[chosen]!.certainFindings, 0);
      assert.ok(
        reference[flagged]!.meanLogProbability! > reference[chosen]!.meanLogProbability!,
        "the flagged candidate is the likelier one: it lost on its finding",
      );
      const clean = reference.filter(
        (score, index) =>
          index !== chosen && score.certainFindings === 0 && score.meanLogProbability !== undefined,
      );
      assert.ok(
        clean.length >= 2 &&
          clean.every((score) => score.meanLogProbability! < reference[chosen]!.meanLogProbability!),
        "the winner is the likeliest clean one",
      );
    } finally {
      await engine.dispose();
    }
  });

  test("drawing: the first candidate is always kept; the budget drops what does not finish in time", async () => {
    const slow = (index: number, signal: AbortSignal) =>
      new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => resolve(index), index === 0 ? 30 : 200);
        signal.addEventListener("abort", () => (clearTimeout(timer), reject(new Error("aborted"))), {
          once: true,
        });
      });
    assert.deepEqual(await drawCandidates({ n: 3, budgetMs: 0 }, slow), { candidates: [0], dropped: 2 });
    assert.deepEqual(await drawCandidates({ n: 3, budgetMs: 300 }, slow), { candidates: [0, 1], dropped: 1 });
    assert.deepEqual(
      await drawCandidates({ n: 3, budgetMs: 5000 }, (index) =>
        Promise.resolve(index === 1 ? undefined : index),
      ),
      { candidates: [0, 2], dropped: 1 },
    );
    await assert.rejects(drawCandidates({ n: 0, budgetMs: 10 }, slow), /n between 1 and 16/);
    await assert.rejects(drawCandidates({ n: 2, budgetMs: -1 }, slow), /budget in ms >= 0/);
  });

  test("a chat answer's code blocks: where their bodies are, and every closed block gets its versions judged", async () => {
    const answer = [
      "Add them up:",
      "```ts",
      "export function total(items: number[]): number {",
      "  return items.reduce((a, b) => a + b, 0);",
      "}",
      "```",
      "In a list:",
      "1. Python:",
      "   ```python",
      "   def total(items):",
      "       return sum(items)",
      "   ```",
      "And a cut one:",
      "```js",
      "const a = 1;",
    ].join("\n");
    const spans = codeBlockSpans(answer);
    const blocks = extractCodeBlocks(answer);
    assert.deepEqual(
      spans.map((span) => [span.index, span.terminated, span.fence.indent]),
      [
        [0, true, 0],
        [1, true, 3],
        [2, false, 0],
      ],
    );
    assert.equal(answer.slice(spans[0]!.bodyStart, spans[0]!.bodyEnd), `${blocks[0]!.code}\n`);
    assert.equal(
      answer.slice(spans[1]!.bodyStart, spans[1]!.bodyEnd),
      "   def total(items):\n       return sum(items)\n",
    );
    assert.equal(answer.slice(spans[2]!.bodyStart, spans[2]!.bodyEnd), "const a = 1;");

    const runtime = await testRuntime();
    const engine = await CompletionEngine.create(
      runtime,
      { target, draft },
      { variant: "chat-blocks", contextSize: 2048 },
    );
    try {
      const template = await chatTemplateOf(target);
      const prompt = template.render(coopInstructions, [
        { role: "user", content: "How do I add up a list?" },
      ]);
      const chosen = await chooseCodeBlocks(
        engine,
        answer,
        { n: 3, budgetMs: 60_000 },
        { prompt, sequenceOwner: "blocks", stops: template.stops, maxTokens: 200, codeOnly: false },
      );
      assert.deepEqual(
        chosen.blocks.map((block) => block.index),
        [0, 1],
        "the closed blocks, not the cut one",
      );
      for (const block of chosen.blocks) {
        assert.equal(
          block.candidates[0]!.text,
          blocks[block.index]!.code,
          "the first version is the answer's own",
        );
        assert.ok(
          block.candidates.length >= 1 && block.candidates.length + block.dropped <= 3,
          "n versions at most: the distinct ones kept, the rest dropped",
        );
        assert.equal(extractCodeBlocks(chosen.text)[block.index]!.code, block.candidates[block.chosen]!.text);
        assert.ok(
          block.candidates.every(
            (candidate) =>
              candidate.meanLogProbability !== undefined && Number.isFinite(candidate.meanLogProbability),
          ),
        );
      }
      assert.equal(extractCodeBlocks(chosen.text)[2]!.code, "const a = 1;");
      assert.ok(
        chosen.text.startsWith("Add them up:\n```ts\n") &&
          chosen.text.includes("\nIn a list:\n1. Python:\n   ```python\n"),
        "the prose and fences stay as they were",
      );
      const stopped = new AbortController();
      stopped.abort();
      assert.deepEqual(
        await chooseCodeBlocks(
          engine,
          answer,
          { n: 3, budgetMs: 60_000 },
          {
            prompt,
            sequenceOwner: "blocks",
            stops: template.stops,
            maxTokens: 200,
            codeOnly: false,
            signal: stopped.signal,
          },
        ),
        { text: answer, blocks: [] },
        "stopped: the answer as it was",
      );
      assert.equal(engine.sequencesInUse, 0);
    } finally {
      await engine.dispose();
    }
  });

  describe("in the engine", () => {
    let engine: CooperativeEngine;
    before(async () => {
      engine = new CooperativeEngine();
      await engine.loadVariant(variant);
      await engine.openWorkspace({ root, cacheDir: join(dir, "index") });
    });
    after(async () => {
      await engine.dispose();
    });

    test("a multi-line completion is the best of n sampled candidates by the detector, then the target's likelihood", async () => {
      const asked = {
        ...request,
        // The reference scores with the fast checker alone (detect()): the compiler's check is off.
        check: { language: "typescript" as const, policy: "annotate" as const, compilerBudgetMs: 0 },
        bestOfN: { n: 4, budgetMs: 120_000 },
      };
      const answer = await engine.complete(asked);
      const outcome = answer.bestOfN;
      assert.ok(outcome, "best-of-n ran");
      assert.equal(outcome.dropped, 0);
      assert.ok(
        outcome.candidates.length >= 2,
        `sampling with distinct seeds drew different candidates: ${JSON.stringify(outcome.candidates)}`,
      );
      const greedy = await CompletionEngine.create(
        await testRuntime(),
        { target },
        { variant: "greedy", speculative: false },
      );
      try {
        assert.equal(
          outcome.candidates[0]!.text,
          (await greedy.complete(request)).text,
          "the first candidate is the greedy answer",
        );
      } finally {
        await greedy.dispose();
      }
      const reference: CandidateScore[] = [];
      for (const candidate of outcome.candidates) reference.push(await referenceScore(candidate.text));
      for (const [index, candidate] of outcome.candidates.entries()) {
        assert.equal(candidate.certainFindings, reference[index]!.certainFindings);
        if (candidate.meanLogProbability !== undefined)
          assert.ok(
            Math.abs(candidate.meanLogProbability - reference[index]!.meanLogProbability!) <
              likelihoodTolerance,
          );
      }
      assert.equal(outcome.chosen, referenceBest(reference));
      assert.equal(
        answer.text,
        outcome.candidates[outcome.chosen]!.text,
        "annotate shows the winner as it is",
      );
      assert.equal(answer.source, "generated");

      const again = await engine.complete(asked);
      assert.deepEqual(
        [again.source, again.text, again.bestOfN],
        ["cache", answer.text, undefined],
        "the winner is this cursor's answer from now on",
      );
      assert.equal((await engine.stats()).sequencesInUse, 0);
    });

    test("with no time budget only the greedy answer is kept; one line is not drawn at all", async () => {
      // Another cursor: the previous test's winner is the cached answer at that one.
      const asked = {
        ...request,
        document: "file:///shop/src/total.ts",
        prefix: `${request.prefix}const total = 0;\n  `,
        bestOfN: { n: 4, budgetMs: 0 },
      };
      const answer = await engine.complete(asked);
      assert.equal(answer.bestOfN?.candidates.length, 1);
      assert.equal(answer.bestOfN.dropped, 3);
      assert.equal(answer.bestOfN.chosen, 0);
      const oneLine = await engine.complete({
        ...asked,
        document: "file:///shop/src/one-line.ts",
        multiline: false,
        bestOfN: { n: 4, budgetMs: 60_000 },
      });
      assert.equal(oneLine.bestOfN, undefined);
      await assert.rejects(
        engine.complete({ ...asked, bestOfN: { n: 99, budgetMs: 10 } }),
        /n between 1 and 16/,
      );
    });

    test("a chat code block is the likeliest of n versions under the target, and the answer carries it", async () => {
      const chatEngine = new CooperativeEngine();
      try {
        await chatEngine.loadVariant(variant);
        const question = {
          messages: [
            { role: "user" as const, content: "Write a function that adds up the items of an invoice." },
          ],
          maxTokens: 64,
          codeOnly: { language: "typescript" },
          bestOfN: { n: 4, budgetMs: 120_000 },
        };
        const streamed: string[] = [];
        const answer = await chatEngine.chat(
          question,
          undefined,
          (event) => event.type === "text" && streamed.push(event.text),
        );
        const block = answer.bestOfN?.blocks[0];
        assert.ok(block, "best-of-n ran on the code block");
        assert.equal(block.index, 0);
        assert.ok(
          block.candidates.length >= 2,
          `other versions were drawn: ${JSON.stringify(block.candidates)}`,
        );
        assert.equal(
          extractCodeBlocks(streamed.join(""))[0]!.code,
          block.candidates[0]!.text,
          "the streamed block is the first version",
        );
        assert.equal(
          extractCodeBlocks(answer.text)[0]!.code,
          block.candidates[block.chosen]!.text,
          "the answer carries the chosen version",
        );
        assert.equal(answer.codeBlocks[0]!.code, block.candidates[block.chosen]!.text);

        // The reference: the same prompt, the answer up to the block, each version's lines after it.
        const template = await chatTemplateOf(target);
        const prompt = buildChatPrompt(
          {
            turns: question.messages,
            attachments: [],
            sources: [],
            maxTokens: 64,
            contextSize: 2048,
            groundingTokens: Math.min(2048, Math.floor((2048 - 64) / 2)),
            instructions: codeOnlyInstructions("typescript"),
          },
          template,
          (text) => target.tokenize(text, false).length,
        );
        const context = [...prompt.tokens, ...target.tokenize("```typescript\n", false)];
        const likelihoods = [];
        for (const candidate of block.candidates)
          likelihoods.push(
            await referenceMeanLogProbability(context, target.tokenize(`${candidate.text}\n`, false)),
          );
        for (const [index, candidate] of block.candidates.entries()) {
          assert.equal(candidate.certainFindings, 0, "no workspace: nothing to find");
          assert.ok(
            Math.abs(candidate.meanLogProbability! - likelihoods[index]!) < likelihoodTolerance,
            `${candidate.meanLogProbability} vs ${likelihoods[index]}`,
          );
        }
        assert.equal(block.chosen, likelihoods.indexOf(Math.max(...likelihoods)));
        assert.equal((await chatEngine.stats()).sequencesInUse, 0);
      } finally {
        await chatEngine.dispose();
      }
    });
  });
});
