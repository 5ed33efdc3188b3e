import assert from "node:assert/strict";
import { test } from "node:test";
import { extractCodeBlocks } from "../../engine/chat/codeBlocks.js";
import { fencedCodeBlocks } from "../../webview/fencedBlocks.js";

/**
 * The detector's findings name a code block by its index in the engine's numbering; the view finds
 * blocks with its own copy of those rules (the webview bundle cannot take engine code). They must agree
 * on every answer, and on every prefix of one (the view numbers blocks while the answer streams).
 */
const answers = [
  "Use `readConfig`:\n\n```ts\nexport function readConfig(): Config {\n  return load();\n}\n```\n\nThen:\n\n~~~python\nprint(1)\n~~~\n",
  "1. Install:\n   ```bash\n   npm i coop\n   ```\n2. Run:\n\n   ```\n   coop demo\n   ```\n",
  "> ```js\n> quoted()\n> ```\n\n    indented\n\n```\nplain\n```",
  "````md\n```ts\ninner\n```\n````\n\n~~~~\n~~~\nstill inside\n~~~~~\n",
  'Say ```inline``` and ``` `not a fence` ```.\n\n```c++ title="x"\nint main() {}\r\n```\r\n',
  "Unclosed at the end:\n\n```go\nfunc main() {\n",
  "```\n\n```\n```\n",
];

function normalize(
  blocks: { index: number; language?: string; code: string }[],
  closed: boolean[],
): unknown[] {
  return blocks.map((block, i) => ({
    index: block.index,
    language: block.language ?? null,
    code: block.code,
    closed: closed[i],
  }));
}

test("the view's fenced blocks are the engine's: same count, order, language, code and termination", () => {
  for (const answer of answers) {
    assert.ok(
      extractCodeBlocks(answer).length > 0,
      `the corpus answer has blocks: ${JSON.stringify(answer)}`,
    );
    for (let end = 0; end <= answer.length; end++) {
      const text = answer.slice(0, end);
      const engine = extractCodeBlocks(text);
      const view = fencedCodeBlocks(text);
      assert.deepEqual(
        normalize(
          view,
          view.map((block) => block.closed),
        ),
        normalize(
          engine,
          engine.map((block) => block.terminated),
        ),
        `prefix ${end} of ${JSON.stringify(answer)}`,
      );
    }
  }
});

test("each block's line range cuts exactly its fences and code out of the text", () => {
  const text = answers[0]!;
  const lines = text.split("\n");
  const [first, second] = fencedCodeBlocks(text);
  assert.deepEqual(lines.slice(first!.startLine, first!.endLine), [
    "```ts",
    "export function readConfig(): Config {",
    "  return load();",
    "}",
    "```",
  ]);
  assert.deepEqual(lines.slice(second!.startLine, second!.endLine), ["~~~python", "print(1)", "~~~"]);
});
