import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  ChatRequestError,
  codeOnlyClosing,
  codeOnlyGrammar,
  codeOnlyMaxLineChars,
  codeOnlyMaxLines,
  extractCodeBlocks,
  validateChatRequest,
} from "../../engine/chat/index.js";
import { CooperativeEngine, type ChatEvent } from "../../engine/host/index.js";
import { fixtures } from "../support/fixtures.js";

let engine: CooperativeEngine;
let dir: string;

before(async () => {
  const set = await fixtures();
  dir = await mkdtemp(join(tmpdir(), "coop-chat-code-"));
  engine = new CooperativeEngine();
  await engine.loadVariant({
    id: "coop-tiny",
    target: set.target,
    draft: set.draft,
    gpu: "cpu",
    threads: 1,
    contextSize: 2048,
  });
});

after(async () => {
  await engine.dispose();
  await rm(dir, { recursive: true, force: true });
});

test("a code-only answer is exactly one closed code block in the asked language", async () => {
  const events: ChatEvent[] = [];
  const answer = await engine.chat(
    {
      messages: [{ role: "user", content: "Write a function that reads a JSON config file" }],
      codeOnly: { language: "typescript" },
      maxTokens: 400,
    },
    undefined,
    (event) => events.push(event),
  );
  assert.match(answer.text, /^```typescript\n[\s\S]*\n```$/);
  const blocks = extractCodeBlocks(answer.text);
  assert.equal(blocks.length, 1);
  assert.equal(blocks[0]!.language, "typescript");
  assert.ok(blocks[0]!.code.trim().length > 0, "the block holds code");
  const lines = blocks[0]!.code.split("\n");
  assert.ok(
    lines.length <= codeOnlyMaxLines &&
      lines.every((line) => line.length <= codeOnlyMaxLineChars && !line.includes("`")),
  );
  assert.equal(
    events
      .filter((event) => event.type === "text")
      .map((event) => event.text)
      .join(""),
    answer.text,
    "the closing fence is streamed too",
  );
  assert.deepEqual(
    answer.codeBlocks.map((block) => block.code),
    [blocks[0]!.code],
  );
  assert.equal((await engine.stats()).sequencesInUse, 0);
});

test("a code-only answer cut by its token limit still ends with a closed block", async () => {
  const answer = await engine.chat({
    messages: [{ role: "user", content: "Write a parser" }],
    codeOnly: { language: "python" },
    maxTokens: 40,
  });
  assert.equal(answer.stopReason, "maxTokens");
  assert.match(answer.text, /^```python\n[\s\S]*\n```$/);
  assert.equal(extractCodeBlocks(answer.text).length, 1);
});

test("closing a cut code-only answer", () => {
  assert.equal(codeOnlyClosing("```ts\nconst a = 1;\n```"), "");
  assert.equal(codeOnlyClosing("```ts\nconst a = 1;\n"), "```");
  assert.equal(codeOnlyClosing("```ts\nconst a"), "\n```");
  assert.equal(codeOnlyClosing("``"), "", "an opening fence that never finished is left alone");
  assert.equal(codeOnlyClosing(""), "");
});

test("the code-only grammar names its language, and a request with a malformed language is refused", () => {
  assert.match(codeOnlyGrammar("cpp"), /^root ::= "```cpp\\n" line\{1,\d+\} "```"$/m);
  assert.throws(
    () =>
      validateChatRequest({ messages: [{ role: "user", content: "x" }], codeOnly: { language: "ts\n```" } }),
    ChatRequestError,
  );
  assert.throws(
    () =>
      validateChatRequest({
        messages: [{ role: "user", content: "x" }],
        codeOnly: {} as { language: string },
      }),
    ChatRequestError,
  );
});
