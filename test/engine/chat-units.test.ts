import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Token } from "node-llama-cpp";
import {
  AnswerTextStream,
  ChatRequestError,
  endingTokenRunLength,
  extractCodeBlocks,
  fenced,
  firstLinesWithin,
  isWorkspaceRelative,
  languageForFence,
  pendingTriggerLength,
  validateChatRequest,
} from "../../engine/chat/index.js";
import type { EngineChatRequest } from "../../engine/host/index.js";

describe("code blocks of an answer", () => {
  test("backtick and tilde fences, with and without a language tag", () => {
    const answer = [
      "Use the helper:",
      "```ts",
      "const total = computeInvoiceTotal(items);",
      "```",
      "Or in Python:",
      "~~~python title=example.py",
      "total = compute_total(items)",
      "~~~",
      "Output:",
      "```",
      "42",
      "```",
    ].join("\n");
    assert.deepEqual(extractCodeBlocks(answer), [
      { index: 0, language: "ts", code: "const total = computeInvoiceTotal(items);", terminated: true },
      { index: 1, language: "python", code: "total = compute_total(items)", terminated: true },
      { index: 2, language: undefined, code: "42", terminated: true },
    ]);
  });

  test("a longer fence holds shorter ones, a tilde fence holds backticks, and inline triple backticks are not a fence", () => {
    const answer = [
      "```js``` at the start of a line is inline code, not a fence:",
      "````markdown",
      "```js",
      "let a = 1;",
      "```",
      "````",
      "~~~",
      "```",
      "~~~",
    ].join("\n");
    const blocks = extractCodeBlocks(answer);
    assert.equal(blocks.length, 2);
    assert.deepEqual(blocks[0], {
      index: 0,
      language: "markdown",
      code: "```js\nlet a = 1;\n```",
      terminated: true,
    });
    assert.deepEqual(blocks[1], { index: 1, language: undefined, code: "```", terminated: true });
  });

  test("a block inside a list item loses the fence's indentation; CRLF line ends are read", () => {
    const answer =
      "1. Add this:\r\n   ```typescript\r\n   export function a() {\r\n     return 1;\r\n   }\r\n   ```\r\n";
    assert.deepEqual(extractCodeBlocks(answer), [
      { index: 0, language: "typescript", code: "export function a() {\n  return 1;\n}", terminated: true },
    ]);
  });

  test("an answer cut inside a block keeps what the block holds, without a closing fence cut halfway", () => {
    assert.deepEqual(extractCodeBlocks("Here:\n```py\ndef total(items):\n    return sum("), [
      { index: 0, language: "py", code: "def total(items):\n    return sum(", terminated: false },
    ]);
    assert.deepEqual(extractCodeBlocks("```js\nconst a = 1;\n``"), [
      { index: 0, language: "js", code: "const a = 1;", terminated: false },
    ]);
    assert.deepEqual(extractCodeBlocks("```js\nconst a = 1;\n"), [
      { index: 0, language: "js", code: "const a = 1;", terminated: false },
    ]);
    assert.deepEqual(extractCodeBlocks("No code here, just `inline` code."), []);
  });
});

describe("fence tags", () => {
  test("map the tags models write to the syntax layer's languages", () => {
    const expected: Record<string, string | undefined> = {
      ts: "typescript",
      typescript: "typescript",
      TSX: "tsx",
      js: "javascript",
      javascript: "javascript",
      jsx: "javascript",
      node: "javascript",
      py: "python",
      python: "python",
      python3: "python",
      cpp: "cpp",
      "c++": "cpp",
      c: "cpp",
      h: "cpp",
      go: "go",
      golang: "go",
      rust: "rust",
      rs: "rust",
      java: "java",
      "c#": "c-sharp",
      csharp: "c-sharp",
      cs: "c-sharp",
      sh: "bash",
      bash: "bash",
      shell: "bash",
      rb: "ruby",
      php: "php",
      css: "css",
      mermaid: undefined,
      text: undefined,
      "": undefined,
      "js}": undefined,
    };
    for (const [tag, language] of Object.entries(expected))
      assert.equal(languageForFence(tag), language, tag);
    assert.equal(languageForFence(undefined), undefined);
  });

  test("the prompt fences code longer than any backtick run inside it", () => {
    assert.equal(fenced("a\n", "ts"), "```ts\na\n```");
    assert.equal(fenced("```js\nx\n```", "markdown"), "````markdown\n```js\nx\n```\n````");
  });
});

/**
 * A byte-level tokenizer: one token per UTF-8 byte, decoded the way a detokenizer decodes a cut character.
 */
function byteTokens(text: string): Token[] {
  return [...Buffer.from(text, "utf8")] as Token[];
}
const detokenizeBytes = (tokens: readonly Token[]) =>
  Buffer.from(tokens as readonly number[]).toString("utf8");

describe("streaming an answer's text", () => {
  test("never splits a multi-byte character, and the pieces add up to the text", () => {
    const text = "Prix: 12 € — naïve café 😀 done";
    const tokens = byteTokens(text);
    const pieces: string[] = [];
    const stream = new AnswerTextStream(detokenizeBytes, [], (piece) => pieces.push(piece));
    for (let count = 1; count <= tokens.length; count++) stream.update(tokens.slice(0, count));
    assert.equal(stream.finish(tokens, true), text);
    assert.ok(
      pieces.every((piece) => !piece.includes("\uFFFD")),
      "no replacement character was streamed",
    );
    assert.equal(pieces.join(""), text);
    assert.ok(pieces.length > 10, "streamed piece by piece");
  });

  test("a cut answer drops a character cut in half at its end", () => {
    const tokens = byteTokens("ok €").slice(0, -1);
    const pieces: string[] = [];
    const stream = new AnswerTextStream(detokenizeBytes, [], (piece) => pieces.push(piece));
    stream.update(tokens);
    assert.equal(stream.finish(tokens, false), "ok ");
    assert.equal(pieces.join(""), "ok ");
  });

  test("holds back what may start a stop text and ends the answer before it", () => {
    const pieces: string[] = [];
    const stream = new AnswerTextStream(detokenizeBytes, ["<|im_end|>"], (piece) => pieces.push(piece));
    const tokens = byteTokens("a < b<|im_end|>ignored");
    let stoppedAt = -1;
    for (let count = 1; count <= tokens.length; count++) {
      if (stream.update(tokens.slice(0, count))) {
        stoppedAt = count;
        break;
      }
    }
    assert.equal(stoppedAt, byteTokens("a < b<|im_end|>").length, "stops as the stop text completes");
    assert.ok(
      pieces.every((piece) => !piece.includes("<|")),
      "no part of the stop text was streamed",
    );
    assert.equal(stream.finish(tokens.slice(0, stoppedAt), true), "a < b");
    assert.equal(pieces.join(""), "a < b");
  });

  test("text that only looked like a stop text is streamed in the end", () => {
    const pieces: string[] = [];
    const stream = new AnswerTextStream(detokenizeBytes, ["<|im_end|>"], (piece) => pieces.push(piece));
    const tokens = byteTokens("x <|im");
    for (let count = 1; count <= tokens.length; count++) stream.update(tokens.slice(0, count));
    assert.equal(pieces.join(""), "x ", "the possible start of the stop text waits");
    assert.equal(stream.finish(tokens, false), "x <|im");
    assert.equal(pieces.join(""), "x <|im");
  });

  test("stop helpers", () => {
    assert.equal(pendingTriggerLength("abc<|im", ["<|im_end|>"]), 4);
    assert.equal(pendingTriggerLength("abc", ["<|im_end|>"]), 0);
    assert.equal(pendingTriggerLength("a\n", ["\n\n"]), 1);
    assert.equal(endingTokenRunLength([5, 6, 7] as Token[], [[7] as Token[], [9, 9] as Token[]]), 1);
    assert.equal(endingTokenRunLength([5, 6, 7] as Token[], [[6, 7] as Token[]]), 2);
    assert.equal(endingTokenRunLength([5, 6, 7] as Token[], [[6] as Token[]]), 0);
  });
});

describe("chat requests", () => {
  const valid: EngineChatRequest = { messages: [{ role: "user", content: "What does computeTotal do?" }] };

  test("a well-formed request passes", () => {
    validateChatRequest(valid);
    validateChatRequest({
      messages: [
        { role: "user", content: "a" },
        { role: "assistant", content: "b" },
        { role: "user", content: "c" },
      ],
      attachments: [{ kind: "selection", path: "src/a.ts", text: "x", startLine: 3, endLine: 4 }],
      policy: "annotate",
      maxTokens: 100,
    });
  });

  test("a malformed request is refused with a message that says what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [{ messages: [] }, /at least one message/],
      [{ messages: [{ role: "system", content: "x" }] }, /role \("user" or "assistant"\)/],
      [
        {
          messages: [
            { role: "user", content: "q" },
            { role: "assistant", content: "a" },
          ],
        },
        /last chat message must be the user's question/,
      ],
      [{ messages: [{ role: "user", content: "  " }] }, /question is empty/],
      [
        { ...valid, attachments: [{ kind: "folder", path: "a", text: "" }] },
        /attachment 1 must be a selection or a file/,
      ],
      [
        { ...valid, attachments: [{ kind: "selection", path: "a", text: "", startLine: -1 }] },
        /attachment 1/,
      ],
      [{ ...valid, policy: "loud" }, /Unknown detector policy 'loud'/],
      [{ ...valid, maxTokens: 0 }, /maxTokens must be a positive whole number/],
      [{ ...valid, maxTokens: 1.5 }, /maxTokens/],
    ];
    for (const [request, message] of cases) {
      assert.throws(
        () => validateChatRequest(request as EngineChatRequest),
        (error: unknown) => error instanceof ChatRequestError && message.test(error.message),
      );
    }
  });

  test("workspace-relative paths are told from absolute ones and URIs", () => {
    assert.equal(isWorkspaceRelative("src/a.ts"), true);
    assert.equal(isWorkspaceRelative("/home/me/a.ts"), false);
    assert.equal(isWorkspaceRelative("C:\\work\\a.ts"), false);
    assert.equal(isWorkspaceRelative("untitled:Untitled-1"), false);
    assert.equal(isWorkspaceRelative(""), false);
  });
});

describe("cutting grounding to a budget", () => {
  test("keeps the most leading lines that fit, by bisection", () => {
    const text = Array.from({ length: 100 }, (_, index) => `line ${index}`).join("\n");
    const countWords = (value: string) => value.split(/\s+/).filter(Boolean).length;
    const format = (kept: string, cut: number) => `header\n${kept}\n(${cut} more)`;
    const cut = firstLinesWithin(text, 50, format, countWords)!;
    assert.ok(countWords(format(cut.text, cut.cutLines)) <= 50);
    const oneMore = text
      .split("\n")
      .slice(0, 100 - cut.cutLines + 1)
      .join("\n");
    assert.ok(countWords(format(oneMore, cut.cutLines - 1)) > 50, "one more line would not fit");
    assert.ok(cut.text.startsWith("line 0\nline 1\n"));
    assert.equal(firstLinesWithin(text, 2, format, countWords), undefined);
  });
});
