import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { LlamaContextSequence, Token } from "node-llama-cpp";
import {
  buildFimPrompt,
  CompletionCache,
  postprocessCompletion,
  wantsMultiline,
  type FimTokens,
} from "../../engine/completion/index.js";
import { SequencePool } from "../../engine/completion/sequencePool.js";

// A character-level tokenizer keeps the arithmetic of budgets visible: one character, one token.
const tokenize = (text: string): Token[] => [...text].map((char) => char.codePointAt(0)! as Token);
const detokenize = (tokens: Token[]): string =>
  String.fromCodePoint(...tokens.filter((token) => token < 0x110000));
const fim: FimTokens = {
  prefix: 0x200001 as Token,
  suffix: 0x200002 as Token,
  middle: 0x200003 as Token,
  layout: "psm",
};
const repoFim: FimTokens = { ...fim, repoName: 0x200004 as Token, fileSeparator: 0x200005 as Token };

describe("FIM prompts", () => {
  test("prefix, suffix and middle in PSM order, and user text never becomes a control token", () => {
    const prompt = buildFimPrompt(
      {
        prefix: "let a = <|fim_middle|>",
        suffix: ";\n",
        path: "a.ts",
        chunks: [],
        projectName: "p",
        budgetTokens: 100,
      },
      fim,
      tokenize,
    );
    assert.equal(prompt.tokens[0], fim.prefix);
    assert.equal(prompt.tokens.at(-1), fim.middle);
    assert.equal(prompt.tokens.filter((token) => token === fim.middle).length, 1);
    assert.equal(detokenize(prompt.tokens), "let a = <|fim_middle|>;\n");
  });

  test("SPM: suffix first and the prefix last, so the prompt ends with the prefix's last token", () => {
    const prompt = buildFimPrompt(
      { prefix: "let a = b", suffix: ";\n", path: "a.ts", chunks: [], projectName: "p", budgetTokens: 100 },
      { ...fim, layout: "spm" },
      tokenize,
    );
    assert.deepEqual(prompt.tokens.slice(0, 2), [fim.prefix, fim.suffix]);
    assert.equal(detokenize(prompt.tokens), ";\nlet a = b");
    assert.equal(prompt.tokens.at(-1), tokenize("b")[0]);
    assert.equal(prompt.tokens.indexOf(fim.middle), 4);
  });

  test("within the budget the nearest text is kept: the prefix's end and the suffix's start", () => {
    const prefix = "0123456789".repeat(10) + "NEAR";
    const suffix = "next" + "abcdefghij".repeat(10);
    const prompt = buildFimPrompt(
      { prefix, suffix, path: "a.ts", chunks: [], projectName: "p", budgetTokens: 43 },
      fim,
      tokenize,
    );
    assert.ok(prompt.tokens.length <= 43);
    const text = detokenize(prompt.tokens);
    assert.ok(text.includes("NEAR") && text.startsWith("next", text.indexOf("NEAR") + 4), text);
    assert.ok(prompt.prefixTokens > prompt.suffixTokens);
  });

  test("repository layout with file separators when the model has them; chunks that do not fit are left out", () => {
    const chunks = [
      { path: "util.ts", text: "export const one = 1;" },
      { path: "big.ts", text: "x".repeat(500) },
      { path: "two.ts", text: "export const two = 2;" },
    ];
    const prompt = buildFimPrompt(
      { prefix: "one + ", suffix: "", path: "main.ts", chunks, projectName: "demo", budgetTokens: 120 },
      repoFim,
      tokenize,
    );
    assert.equal(prompt.tokens[0], repoFim.repoName);
    assert.equal(prompt.chunksUsed, 2);
    const separators = prompt.tokens.flatMap((token, index) =>
      token === repoFim.fileSeparator ? [index] : [],
    );
    assert.equal(separators.length, 3, "two chunks and the current file");
    const text = detokenize(prompt.tokens);
    assert.ok(text.startsWith("demo\nutil.ts\nexport const one = 1;\ntwo.ts\n"), JSON.stringify(text));
    assert.ok(text.includes("main.ts\none + "));
    assert.ok(prompt.tokens.length <= 120);
  });

  test("without repository tokens the chunks are prepended to the prefix", () => {
    const prompt = buildFimPrompt(
      {
        prefix: "x",
        suffix: "",
        path: "m.ts",
        chunks: [{ path: "u.ts", text: "const u = 1;" }],
        projectName: "p",
        budgetTokens: 100,
      },
      fim,
      tokenize,
    );
    assert.equal(detokenize(prompt.tokens), "// u.ts\nconst u = 1;\nx");
  });
});

describe("FIM prompts keep room for retrieved code", () => {
  const chunk = { path: "money.ts", text: "export function cents(amount: number): number {}" };

  test("a prefix longer than the budget no longer crowds out the retrieved chunks", () => {
    const prompt = buildFimPrompt(
      {
        prefix: "x".repeat(5000),
        suffix: "y".repeat(500),
        path: "a.ts",
        chunks: [chunk],
        projectName: "p",
        budgetTokens: 300,
      },
      repoFim,
      tokenize,
    );
    assert.equal(prompt.chunksUsed, 1);
    assert.ok(prompt.tokens.length <= 300, String(prompt.tokens.length));
    assert.ok(detokenize(prompt.tokens).includes("export function cents"));
    assert.ok(prompt.prefixTokens > prompt.suffixTokens && prompt.prefixTokens > 150);
  });

  test("what the chunks do not need goes to the code, and a chunk larger than its share is left out", () => {
    const input = { prefix: "x".repeat(5000), suffix: "", path: "a.ts", projectName: "p", budgetTokens: 300 };
    const without = buildFimPrompt({ ...input, chunks: [] }, fim, tokenize);
    const small = buildFimPrompt({ ...input, chunks: [chunk] }, fim, tokenize);
    assert.equal(without.prefixTokens, 300 - 3);
    assert.equal(small.prefixTokens, 300 - 3 - tokenize(`// ${chunk.path}\n${chunk.text}\n`).length);
    const huge = buildFimPrompt(
      { ...input, chunks: [{ path: "big.ts", text: "z".repeat(400) }] },
      fim,
      tokenize,
    );
    assert.equal(huge.chunksUsed, 0);
    assert.equal(huge.prefixTokens, 300 - 3, "a chunk that cannot fit its share takes nothing from the code");
  });
});

describe("single or multiple lines", () => {
  test("a line ending in an opener with nothing after the cursor invites a block", () => {
    assert.equal(wantsMultiline("function f() {", "\n}"), true);
    assert.equal(wantsMultiline("def f(x):", "\n"), true);
    assert.equal(wantsMultiline("const xs = [", "];"), true);
  });
  test("an empty line inside an empty block invites a block", () => {
    assert.equal(wantsMultiline("if (ready) {\n  ", "\n}"), true);
  });
  test("the middle of a statement gets one line", () => {
    assert.equal(wantsMultiline("const total = items.", ".length;"), false);
    assert.equal(wantsMultiline("const total = ", ""), false);
    assert.equal(wantsMultiline("return a +", " b;"), false);
  });
});

describe("post-processing", () => {
  test("single-line mode keeps the first line, trimmed", () => {
    assert.equal(
      postprocessCompletion("foo(bar);   \nmore()", { prefix: "x = ", suffix: "", multiline: false }),
      "foo(bar);",
    );
  });
  test("multi-line mode stops where the suffix's next line begins", () => {
    const raw = "  return a + b;\n}\nfunction other() {";
    assert.equal(
      postprocessCompletion(raw, { prefix: "function add(a, b) {\n", suffix: "\n}\n", multiline: true }),
      "  return a + b;",
    );
  });
  test("closers the suffix already has are dropped", () => {
    assert.equal(
      postprocessCompletion("value)", { prefix: "print(", suffix: ")\n", multiline: false }),
      "value",
    );
    assert.equal(postprocessCompletion("a, b])", { prefix: "f([", suffix: "]);", multiline: false }), "a, b");
    assert.equal(
      postprocessCompletion("g(x))", { prefix: "f(", suffix: "", multiline: false }),
      "g(x))",
      "no suffix closer: kept",
    );
  });
  test("a suggestion that repeats the line above or below is dropped", () => {
    assert.equal(
      postprocessCompletion("const a = 1;", { prefix: "const a = 1;\n", suffix: "", multiline: false }),
      "",
    );
    assert.equal(
      postprocessCompletion("b = 2;", { prefix: "let ", suffix: "\nlet b = 2;", multiline: false }),
      "",
    );
    assert.equal(postprocessCompletion("   ", { prefix: "", suffix: "", multiline: false }), "");
  });
});

describe("the completion cache", () => {
  test("hits by variant, prefix tail and suffix head; misses when any differs", () => {
    const cache = new CompletionCache();
    cache.set("v1", "doc", "const a = ", ";", "42");
    assert.equal(cache.get("v1", "const a = ", ";"), "42");
    assert.equal(cache.get("v2", "const a = ", ";"), undefined);
    assert.equal(cache.get("v1", "const b = ", ";"), undefined);
    assert.equal(cache.get("v1", "const a = ", ",\n"), undefined);
  });
  test("typing through serves the rest of the suggestion without generating", () => {
    const cache = new CompletionCache();
    cache.set("v", "doc", "items.", ";", "filter(Boolean)");
    assert.equal(cache.typedThrough("v", "doc", "items.fil", ";"), "ter(Boolean)");
    assert.equal(cache.typedThrough("v", "doc", "items.fix", ";"), undefined, "typed something else");
    assert.equal(cache.typedThrough("v", "other", "items.fil", ";"), undefined, "another document");
    assert.equal(
      cache.typedThrough("v", "doc", "items.filter(Boolean)", ";"),
      undefined,
      "nothing left to serve",
    );
  });
  test("bounded by entries", () => {
    const cache = new CompletionCache({ maxEntries: 3 });
    for (let index = 0; index < 10; index++) cache.set("v", `d${index}`, `p${index}`, "", `t${index}`);
    assert.equal(cache.get("v", "p0", ""), undefined);
    assert.equal(cache.get("v", "p9", ""), "t9");
  });
});

describe("the sequence pool", () => {
  const slot = (name: string) => ({ sequence: { name } as unknown as LlamaContextSequence });
  test("prefers the slot that last served the document, and queues when all are busy", async () => {
    const a = slot("a");
    const b = slot("b");
    const pool = new SequencePool([a, b]);
    const first = await pool.acquire("doc1");
    pool.release(first, "doc1");
    assert.equal(await pool.acquire("doc1"), first);
    const other = await pool.acquire("doc2");
    assert.equal(pool.busy, 2);
    const waiting = pool.acquire("doc3");
    pool.release(other, "doc2");
    assert.equal(await waiting, other);
  });
  test("an aborted waiter never takes a slot", async () => {
    const pool = new SequencePool([slot("only")]);
    const held = await pool.acquire("d");
    const controller = new AbortController();
    const waiting = pool.acquire("d", controller.signal);
    controller.abort(new Error("cancelled"));
    await assert.rejects(waiting, /cancelled/);
    pool.release(held, "d");
    assert.equal(pool.busy, 0);
  });
});
