import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { LlamaModel } from "node-llama-cpp";
import {
  buildChatPrompt,
  ChatRequestError,
  chatTemplateOf,
  coopInstructions,
  speculationMarginTokens,
  type ChatPromptInput,
  type ChatTemplate,
} from "../../engine/chat/index.js";
import { gguf } from "../../engine/gguf/index.js";
import type { ChatTurn } from "../../engine/host/index.js";
import { fixtures } from "../support/fixtures.js";
import { copyGgufWithEdits } from "../support/ggufEdit.js";
import { disposeTestRuntime, testRuntime } from "../support/runtime.js";

let dir: string;
let draftPath: string;
let model: LlamaModel;
let template: ChatTemplate;
const countTokens = (text: string) => model.tokenize(text, false).length;
const promptText = (tokens: readonly number[]) => model.detokenize(tokens as never, true);

before(async () => {
  const set = await fixtures();
  draftPath = set.draft;
  dir = await mkdtemp(join(tmpdir(), "coop-chat-prompt-"));
  model = (await (await testRuntime()).loadModel(set.draft)).model;
  template = await chatTemplateOf(model);
});

after(async () => {
  await model.dispose();
  await disposeTestRuntime();
  await rm(dir, { recursive: true, force: true });
});

/** A turn of at least `tokens` tokens of code-like words. */
function turn(role: ChatTurn["role"], label: string, tokens = 40): ChatTurn {
  const words = ["return", "const", "value", "function", "this", "items", "total"];
  let content = `${label}:`;
  for (let index = 0; countTokens(content) < tokens; index++) content += ` ${words[index % words.length]}`;
  return { role, content };
}

function conversation(pairs: number): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (let index = 0; index < pairs; index++)
    turns.push(turn("user", `question ${index}`), turn("assistant", `answer ${index}`));
  turns.push(turn("user", "newest question", 10));
  return turns;
}

const base: Omit<ChatPromptInput, "turns"> = {
  attachments: [],
  sources: [],
  maxTokens: 256,
  contextSize: 1024,
  groundingTokens: 256,
};

describe("the chat template", () => {
  test("is the model's own: ChatML from the fixture's GGUF, ChatML by the vocabulary without one, another template as it is written", async () => {
    assert.equal(template.name, "ChatML");
    const turns: ChatTurn[] = [
      { role: "user", content: "Q1" },
      { role: "assistant", content: "A1" },
      { role: "user", content: "Q2" },
    ];
    assert.equal(
      promptText(template.render("SYS", turns)),
      "<|endoftext|><|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nQ1<|im_end|>\n<|im_start|>assistant\nA1<|im_end|>\n<|im_start|>user\nQ2<|im_end|>\n<|im_start|>assistant\n",
    );
    assert.ok(
      template.stops.tokenRuns.some(
        (run) => run.length === 1 && model.detokenize(run, true) === "<|im_end|>",
      ),
      "<|im_end|> ends the turn",
    );

    const runtime = await testRuntime();
    const withoutTemplate = join(dir, "no-template.gguf");
    await copyGgufWithEdits(draftPath, withoutTemplate, { dropKeys: ["tokenizer.chat_template"] });
    const plain = (await runtime.loadModel(withoutTemplate)).model;
    try {
      assert.equal(plain.fileInfo.metadata.tokenizer.chat_template, undefined);
      assert.equal((await chatTemplateOf(plain)).name, "ChatML");
    } finally {
      await plain.dispose();
    }

    const otherTemplate = join(dir, "other-template.gguf");
    const jinja =
      "{% for message in messages %}{{ '### ' + message['role'] + ':\\n' + message['content'] + '\\n\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '### assistant:\\n' }}{% endif %}";
    await copyGgufWithEdits(draftPath, otherTemplate, {
      setMetadata: { "tokenizer.chat_template": gguf.str(jinja) },
    });
    const other = (await runtime.loadModel(otherTemplate)).model;
    try {
      const own = await chatTemplateOf(other);
      assert.equal(
        other.detokenize(own.render("SYS", turns), true),
        "### system:\nSYS\n\n### user:\nQ1\n\n### assistant:\nA1\n\n### user:\nQ2\n\n### assistant:\n",
      );
      assert.deepEqual(own.stops.texts, ["\n\n"], "the template's turn separator ends the answer");
    } finally {
      await other.dispose();
    }
  });
});

describe("the chat prompt", () => {
  test("holds the instructions, the sources with 1-based lines, the attachments, then the conversation", () => {
    const prompt = buildChatPrompt(
      {
        ...base,
        turns: [
          { role: "user", content: "What is the total?" },
          { role: "assistant", content: "It is a sum." },
          { role: "user", content: "How do I format it?" },
        ],
        sources: [
          {
            path: "src/invoice.ts",
            startLine: 0,
            endLine: 2,
            score: 0.5,
            text: "export function computeInvoiceTotal() {\n  return 1;\n}",
          },
        ],
        attachments: [
          {
            kind: "selection",
            path: "src/report.ts",
            startLine: 4,
            endLine: 5,
            text: "const total = computeInvoiceTotal();\nprint(total);",
          },
        ],
      },
      template,
      countTokens,
    );
    const text = promptText(prompt.tokens);
    const order = [
      coopInstructions,
      "src/invoice.ts, lines 1-3:\n```typescript\nexport function computeInvoiceTotal() {",
      "Selected code from src/report.ts, lines 5-6:\n```typescript\nconst total = computeInvoiceTotal();",
      "<|im_start|>user\nWhat is the total?<|im_end|>",
      "<|im_start|>assistant\nIt is a sum.<|im_end|>",
      "<|im_start|>user\nHow do I format it?<|im_end|>\n<|im_start|>assistant\n",
    ].map((part) => text.indexOf(part));
    assert.ok(
      order.every((position) => position !== -1),
      `every part is in the prompt: ${JSON.stringify(order)}\n${text}`,
    );
    assert.deepEqual(
      order,
      [...order].sort((a, b) => a - b),
      "in this order",
    );
    assert.ok(text.endsWith("<|im_start|>assistant\n"), "the prompt ends where the answer begins");
    assert.deepEqual(prompt.sources, [{ path: "src/invoice.ts", startLine: 0, endLine: 2, score: 0.5 }]);
    assert.equal(prompt.droppedTurns, 0);
    assert.equal(prompt.maxTokens, 256);
  });

  test("drops the oldest turns so that prompt + answer fit the context, keeping the newest question and as much history as fits", () => {
    const turns = conversation(30);
    const prompt = buildChatPrompt({ ...base, turns }, template, countTokens);
    assert.ok(
      prompt.tokens.length + prompt.maxTokens + speculationMarginTokens <= base.contextSize,
      `${prompt.tokens.length} + ${prompt.maxTokens} fit in ${base.contextSize}`,
    );
    assert.equal(prompt.maxTokens, base.maxTokens);
    assert.ok(
      prompt.droppedTurns > 0 && prompt.droppedTurns < turns.length - 1,
      `dropped ${prompt.droppedTurns}`,
    );
    assert.equal(turns[prompt.droppedTurns]!.role, "user", "the kept conversation starts with a question");
    const text = promptText(prompt.tokens);
    assert.ok(text.includes(turns.at(-1)!.content), "the newest question is kept");
    assert.ok(text.includes(turns.at(-2)!.content), "and the answer before it");
    assert.ok(!text.includes(`${turns[0]!.content}<|im_end|>`), "the oldest question is gone");
    assert.ok(
      !text.includes(turns[prompt.droppedTurns - 1]!.content),
      "so is every turn before the first kept one",
    );
    // As much as fits: the turns from the last dropped question on do not.
    const fromLastDropped = buildChatPrompt(
      { ...base, turns: turns.slice(prompt.droppedTurns - 2) },
      template,
      countTokens,
    );
    assert.equal(fromLastDropped.droppedTurns, 2, "the last question dropped (with its answer) did not fit");
  });

  test("keeps a conversation that fits whole", () => {
    const turns = conversation(2);
    const prompt = buildChatPrompt({ ...base, turns }, template, countTokens);
    assert.equal(prompt.droppedTurns, 0);
    const text = promptText(prompt.tokens);
    for (const kept of turns) assert.ok(text.includes(kept.content));
  });

  test("cuts attachments and sources to their budget before dropping turns", () => {
    const bigFile = Array.from({ length: 400 }, (_, index) => `const value${index} = ${index};`).join("\n");
    const sources = Array.from({ length: 6 }, (_, index) => ({
      path: `src/part${index}.ts`,
      startLine: 10 * index,
      endLine: 10 * index + 9,
      score: 1 - index / 10,
      text: Array.from({ length: 10 }, (_, line) => `export const part${index}_${line} = ${line};`).join(
        "\n",
      ),
    }));
    const turns = conversation(1);
    const prompt = buildChatPrompt(
      {
        ...base,
        contextSize: 2048,
        groundingTokens: 400,
        turns,
        attachments: [{ kind: "file", path: "src/big.ts", text: bigFile }],
        sources,
      },
      template,
      countTokens,
    );
    const text = promptText(prompt.tokens);
    assert.equal(prompt.cutAttachments, 1);
    assert.match(text, /The file src\/big\.ts:\n```typescript\nconst value0 = 0;/);
    assert.match(text, /\(\d+ more lines not shown\)/);
    assert.ok(!text.includes("const value399"), "the end of the big file is cut");
    assert.equal(prompt.droppedTurns, 0, "the conversation still fits whole");
    const grounding = text.slice(text.indexOf("Workspace code"), text.indexOf("<|im_end|>"));
    assert.ok(countTokens(grounding) <= 400 + 20, `grounding takes ${countTokens(grounding)} tokens`);
    assert.deepEqual(
      prompt.sources,
      [],
      "the attachment, chosen by the user, took the budget before the sources",
    );

    const sourcesOnly = buildChatPrompt(
      { ...base, contextSize: 2048, groundingTokens: 300, turns, sources },
      template,
      countTokens,
    );
    assert.ok(
      sourcesOnly.sources.length > 0 && sourcesOnly.sources.length < sources.length,
      `${sourcesOnly.sources.length} of ${sources.length} sources fit`,
    );
    assert.deepEqual(
      sourcesOnly.sources.map((source) => source.path),
      sources.slice(0, sourcesOnly.sources.length).map((source) => source.path),
      "the best ones",
    );
  });

  test("a long question lowers the answer's limit; one that leaves no room for an answer is refused", () => {
    const long = buildChatPrompt(
      { ...base, maxTokens: 512, turns: [turn("user", "long", 700)] },
      template,
      countTokens,
    );
    assert.ok(long.maxTokens < 512 && long.maxTokens > 0, `answer limit ${long.maxTokens}`);
    assert.ok(long.tokens.length + long.maxTokens + speculationMarginTokens <= base.contextSize);
    assert.throws(
      () => buildChatPrompt({ ...base, turns: [turn("user", "too long", 1200)] }, template, countTokens),
      (error: unknown) =>
        error instanceof ChatRequestError && /question is too long for the loaded model/.test(error.message),
    );
  });
});
