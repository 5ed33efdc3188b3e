import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";
import type { CompletionRequest } from "../../engine/completion/index.js";
import { TokenEnsemble, TokenizerMismatchError, assertSameTokenizer } from "../../engine/ensemble/index.js";
import { gguf, openGguf } from "../../engine/gguf/index.js";
import { CooperativeEngine, type EngineChatRequest, type VariantSpec } from "../../engine/host/index.js";
import { fixtureCorpora, fixtures, type Fixtures } from "../support/fixtures.js";
import { copyGgufWithEdits } from "../support/ggufEdit.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";
import { Teardown } from "../support/teardown.js";

let set: Fixtures;
let dir: string;
let target: LlamaModel;
let partner: LlamaModel;
const contexts: LlamaContext[] = [];
const teardown = new Teardown();

before(async () => {
  set = await fixtures();
  dir = await mkdtemp(join(tmpdir(), "coop-token-ensemble-"));
  const runtime = await testRuntime();
  target = (await runtime.loadModel(set.target)).model;
  teardown.add(() => target.dispose());
  partner = (await runtime.loadModel(set.fineTunes.python!)).model;
  teardown.add(() => partner.dispose());
  for (const model of [target, partner]) {
    const context = await runtime.createContext(model, { contextSize: 1024 });
    contexts.push(context);
    teardown.add(() => context.dispose());
  }
});

after(async () => {
  await teardown.run();
  await disposeTestRuntime();
  await rm(dir, { recursive: true, force: true });
});

/** The next-token distribution after `tokens` as a dense array, from a fresh evaluation. */
async function distribution(sequence: LlamaContextSequence, tokens: readonly Token[]): Promise<Float64Array> {
  await sequence.clearHistory();
  const results = await sequence.controlledEvaluate(
    tokens.map((token, index) =>
      index === tokens.length - 1 ? [token, { generateNext: { probabilities: true } }] : token,
    ),
  );
  const probabilities = results.at(-1)!.next.probabilities!;
  const dense = new Float64Array(Math.max(...probabilities.keys()) + 1);
  for (const [token, probability] of probabilities) dense[token] = probability;
  return dense;
}

const argmax = (values: ArrayLike<number>): number => {
  let best = 0;
  for (let index = 1; index < values.length; index++) if (values[index]! > values[best]!) best = index;
  return best;
};

async function pythonPrompt(index: number): Promise<Token[]> {
  const { python } = await fixtureCorpora();
  const file = python.files[(index * 5) % python.files.length]!;
  const cursor = 300 + Math.floor((((index * 7919) % 1000) / 1000) * (file.text.length - 300));
  return target.tokenize(file.text.slice(cursor - 300, cursor), false);
}

describe("the token-level ensemble", () => {
  test("chooses, at every step, the argmax of the reference weighted average of the two models' distributions", async () => {
    const weights = { target: 0.3, partner: 0.7 };
    const ensemble = await TokenEnsemble.load(
      await testRuntime(),
      { model: target, path: set.target },
      { targetWeight: weights.target, partner: { model: set.fineTunes.python!, weight: weights.partner } },
      { contextSize: 1024 },
    );
    const [targetSequence, partnerSequence] = contexts.map((context) => context.getSequence());
    let steps = 0;
    let differsFromTarget = 0;
    let differsFromPartner = 0;
    try {
      for (const promptIndex of [0, 1, 2]) {
        const prompt = await pythonPrompt(promptIndex);
        const chosen: Token[] = [];
        for await (const token of ensemble.decoder.decode(prompt, new AbortController().signal)) {
          chosen.push(token);
          if (chosen.length >= 16) break;
        }
        for (const [index, token] of chosen.entries()) {
          const context = [...prompt, ...chosen.slice(0, index)];
          const fromTarget = await distribution(targetSequence!, context);
          const fromPartner = await distribution(partnerSequence!, context);
          const averaged = fromTarget.map(
            (probability, id) => weights.target * probability + weights.partner * (fromPartner[id] ?? 0),
          );
          assert.equal(token, argmax(averaged), `prompt ${promptIndex}, step ${index}`);
          if (argmax(fromTarget) !== token) differsFromTarget++;
          if (argmax(fromPartner) !== token) differsFromPartner++;
          steps++;
        }
      }
    } finally {
      await targetSequence!.dispose();
      await partnerSequence!.dispose();
      await ensemble.dispose();
    }
    assert.equal(steps, 48);
    assert.ok(
      differsFromTarget > 0 && differsFromPartner > 0,
      `the average differs from each model alone somewhere (${differsFromTarget}, ${differsFromPartner}), or the test proves nothing`,
    );
  });

  test("refuses models whose tokenizers differ, naming the difference, before loading the partner", async () => {
    const renamed = join(dir, "other-tokenizer.gguf");
    const source = await openGguf(set.draft);
    const tokens = source.getArray("tokenizer.ggml.tokens") as string[];
    await source.close();
    const swapped = [...tokens];
    [swapped[300], swapped[301]] = [tokens[301]!, tokens[300]!];
    await copyGgufWithEdits(set.draft, renamed, {
      setMetadata: { "tokenizer.ggml.tokens": gguf.strings(swapped) },
    });
    await assert.rejects(assertSameTokenizer(set.target, renamed), (error: unknown) => {
      assert.ok(error instanceof TokenizerMismatchError);
      assert.match(
        error.message,
        /target\.gguf and other-tokenizer\.gguf do not share a tokenizer \(tokenizer\.ggml\.tokens differs at entry 300/,
      );
      return true;
    });
    await assert.rejects(
      TokenEnsemble.load(
        await testRuntime(),
        { model: target, path: set.target },
        { targetWeight: 1, partner: { model: renamed, weight: 1 } },
        { contextSize: 1024 },
      ),
      TokenizerMismatchError,
    );
    await assertSameTokenizer(set.target, set.fineTunes.python!);
    await assert.rejects(
      TokenEnsemble.load(
        await testRuntime(),
        { model: target, path: set.target },
        { targetWeight: 0, partner: { model: set.fineTunes.python!, weight: 0 } },
        { contextSize: 1024 },
      ),
      /weights must be numbers >= 0, not both 0/,
    );
  });

  test("a token-ensemble variant in the engine: weighted all to one member, it answers exactly as that model alone", async () => {
    const completion: CompletionRequest = {
      document: "file:///tool.py",
      path: "tool.py",
      prefix: "def read_header(reader):\n    ",
      suffix: "\n",
      multiline: true,
      maxTokens: 32,
    };
    const chat: EngineChatRequest = {
      messages: [{ role: "user", content: "How do I write a tensor?" }],
      maxTokens: 32,
    };
    const answers = async (spec: VariantSpec) => {
      const engine = new CooperativeEngine();
      try {
        await engine.loadVariant(spec);
        return [
          (await engine.complete(completion)).text,
          (await engine.chat(chat)).text,
          (await engine.stats()).sequencesInUse,
        ];
      } finally {
        await engine.dispose();
      }
    };
    const plain = (model: string): VariantSpec => ({
      id: "plain",
      target: model,
      gpu: "cpu",
      contextSize: 2048,
    });
    const ensemble = (targetWeight: number, partnerWeight: number): VariantSpec => ({
      id: "ensemble",
      target: set.target,
      gpu: "cpu",
      contextSize: 2048,
      tokenEnsemble: { targetWeight, partner: { model: set.fineTunes.python!, weight: partnerWeight } },
    });
    const [fromTarget, fromPartner] = [
      await answers(plain(set.target)),
      await answers(plain(set.fineTunes.python!)),
    ];
    assert.notDeepEqual(fromTarget.slice(0, 2), fromPartner.slice(0, 2), "the two models answer differently");
    assert.deepEqual(await answers(ensemble(1, 0)), fromTarget);
    assert.deepEqual(await answers(ensemble(0, 1)), fromPartner);
    const mixed = await answers(ensemble(0.5, 0.5));
    assert.ok(typeof mixed[0] === "string" && typeof mixed[1] === "string" && mixed[1].length > 0);

    const withDraft = new CooperativeEngine();
    try {
      await assert.rejects(
        withDraft.loadVariant({ ...ensemble(1, 1), draft: set.draft }),
        /is a token ensemble and cannot also have a draft model/,
      );
    } finally {
      await withDraft.dispose();
    }
  });
});
