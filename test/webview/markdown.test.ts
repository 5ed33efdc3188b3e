import assert from "node:assert/strict";
import { test } from "node:test";
import { fencedCodeBlocks } from "../../webview/fencedBlocks.js";
import { renderMarkdown } from "../../webview/markdown.js";

function html(text: string): string {
  return renderMarkdown(text)
    .blocks.map((block) => block.html)
    .join("");
}

/** Every tag the renderer may emit, and the attributes it may carry. */
const allowedTags = new Set([
  "p",
  "em",
  "strong",
  "s",
  "code",
  "pre",
  "ul",
  "ol",
  "li",
  "blockquote",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "hr",
  "br",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "div",
  "span",
]);
const allowedAttributes = /^(class|title|style|start|data-[a-z-]+)$/;

function assertOnlyOwnMarkup(output: string, input: string): void {
  for (const match of output.matchAll(/<\/?([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const [, tag, attributes] = match;
    assert.ok(allowedTags.has(tag!.toLowerCase()), `tag <${tag}> from ${JSON.stringify(input)}: ${output}`);
    // Each attribute is name="value" with nothing in the value that could end it or open a tag.
    assert.match(
      attributes!,
      /^(\s+[a-z-]+="[^"<>]*")*\s*$/,
      `attributes of <${tag}> from ${JSON.stringify(input)}: ${output}`,
    );
    for (const attribute of attributes!.matchAll(/([a-z-]+)="/g)) {
      assert.match(
        attribute[1]!,
        allowedAttributes,
        `attribute ${attribute[1]} from ${JSON.stringify(input)}: ${output}`,
      );
    }
  }
}

test("model output cannot inject markup: tags, handlers, links and images all come out as text", () => {
  const hostile = [
    `<img src=x onerror="alert(1)">`,
    `<script>alert(1)</script>`,
    `<div onclick="alert(1)">hi</div>`,
    `<a href="https://evil.example">click</a>`,
    `[click](javascript:alert(1))`,
    `[click](https://evil.example/?a="b"&c=<d>)`,
    `<https://evil.example/auto>`,
    `![x](https://evil.example/pixel.png)`,
    `![x" onerror="alert(1)](y.png)`,
    "```html\n<script>alert(1)</script>\n```",
    '```" onmouseover="alert(1)\n</code></pre><img src=x>\n```',
    "<iframe src=//evil.example></iframe>\n\n<style>body{display:none}</style>",
    "| a | b |\n| - | - |\n| <b>x</b> | [y](http://z) |",
    "&lt;script&gt; &#x3C;img src=x onerror=alert(1)&#x3E;",
    "> <svg onload=alert(1)>\n> - `<b>`",
  ];
  for (const input of hostile) {
    const output = html(input);
    assertOnlyOwnMarkup(output, input);
    assert.doesNotMatch(output, /<(a|img|script|iframe|svg|style)\b/i, input);
  }
  assert.match(html(`<img src=x onerror="alert(1)">`), /&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;/);
});

test("links show their text and their address as text; autolinks and images show once", () => {
  assert.equal(
    html("See [the docs](https://example.com/docs)."),
    `<p>See <span class="md-link" title="https://example.com/docs">the docs</span> <span class="md-link-url">(https://example.com/docs)</span>.</p>\n`,
  );
  assert.equal(
    html("<https://example.com>"),
    `<p><span class="md-link" title="https://example.com">https://example.com</span></p>\n`,
  );
  assert.equal(html("![a diagram](d.png)"), `<p><span class="md-image">[image: a diagram]</span></p>\n`);
});

test("fenced blocks are numbered like the engine numbers them; quoted and indented code get no number", () => {
  const text = [
    "Intro with `inline` code.",
    "",
    "```ts",
    "const a = 1;",
    "```",
    "",
    "    indented code is not a fenced block",
    "",
    "1. first",
    "",
    "   ~~~python title=x.py",
    "   print(1)",
    "   ~~~",
    "",
    "> ```",
    "> quoted()",
    "> ```",
    "",
    "````md",
    "```",
    "not a fence of its own",
    "```",
    "````",
  ].join("\n");
  const rendered = renderMarkdown(text);
  assert.deepEqual(
    rendered.codeBlocks.map(({ index, language, code, closed }) => ({ index, language, code, closed })),
    [
      { index: 0, language: "ts", code: "const a = 1;", closed: true },
      { index: 1, language: "python", code: "print(1)", closed: true },
      { index: 2, language: "md", code: "```\nnot a fence of its own\n```", closed: true },
    ],
  );
  assert.deepEqual(rendered.codeBlocks, fencedCodeBlocks(text));
  // The placeholders carry the same numbers, each in a piece of its own.
  const all = rendered.blocks.map((block) => block.html).join("");
  assert.deepEqual(
    [...all.matchAll(/data-block-index="(\d+)"/g)].map((match) => Number(match[1])),
    [0, 1, 2],
  );
  assert.deepEqual(
    rendered.blocks.map((block) => block.codeBlockIndexes).filter((indexes) => indexes.length > 0),
    [[0], [1], [2]],
  );
  assert.match(all, /<pre class="plain-code"><code>indented code is not a fenced block/);
  assert.match(all, /<blockquote>\n<pre class="plain-code"><code>quoted\(\)/);
  assert.match(all, /<ol>\n<li>first<\/li>\n<\/ol>/, "the prose around a block is still markdown");
});

test("an unterminated last fence is a block that is not closed yet, and closes when its fence arrives", () => {
  const blocks = (text: string) =>
    fencedCodeBlocks(text).map(({ index, language, code, closed }) => ({ index, language, code, closed }));
  assert.deepEqual(blocks("Try:\n\n```js\nlet x = 1;\n"), [
    { index: 0, language: "js", code: "let x = 1;", closed: false },
  ]);
  assert.deepEqual(blocks("Try:\n\n```js\nlet x = 1;\n``"), [
    { index: 0, language: "js", code: "let x = 1;", closed: false },
  ]);
  assert.deepEqual(blocks("```js\nlet x = 1;\n```"), [
    { index: 0, language: "js", code: "let x = 1;", closed: true },
  ]);
  assert.deepEqual(blocks("~~~\na\n~~~~\n"), [{ index: 0, language: undefined, code: "a", closed: true }]);
  // A shorter or different marker does not close it.
  assert.deepEqual(blocks("````\na\n```\n"), [
    { index: 0, language: undefined, code: "a\n```", closed: false },
  ]);
  assert.deepEqual(blocks("~~~\na\n```\n"), [
    { index: 0, language: undefined, code: "a\n```", closed: false },
  ]);
  assert.deepEqual(blocks("```\n"), [{ index: 0, language: undefined, code: "", closed: false }]);
  assert.deepEqual(blocks("Use ```inline``` code"), []);
});

const answer = [
  "Read the setting through `config.ts`:",
  "",
  "```ts",
  "export function readConfig(): Config {",
  "  return load();",
  "}",
  "```",
  "",
  "Then call it:",
  "",
  "- once at start",
  "- again on change",
  "",
  "~~~ts",
  "onDidChange(() => readConfig());",
  "~~~",
  "",
  "That is all.",
].join("\n");

test("streaming an answer keeps each fence's number and leaves the blocks above the end unchanged", () => {
  const final = renderMarkdown(answer);
  let previous = renderMarkdown("");
  for (let end = 1; end <= answer.length; end += 3) {
    const current = renderMarkdown(answer.slice(0, end));
    // A fence keeps the number it got when it appeared; its info string and code only grow.
    for (const block of current.codeBlocks) {
      const finalBlock = final.codeBlocks[block.index]!;
      assert.ok(
        finalBlock.language!.startsWith(block.language ?? ""),
        `language of block ${block.index} at ${end}`,
      );
      assert.ok(
        finalBlock.code.startsWith(block.code.replace(/[`~]+$/, "")),
        `code of block ${block.index} at ${end}`,
      );
    }
    // Everything but the last two top-level blocks renders exactly as before: the view swaps only those.
    const stable = Math.max(0, previous.blocks.length - 2);
    for (let i = 0; i < stable; i++)
      assert.equal(current.blocks[i]!.html, previous.blocks[i]!.html, `block ${i} changed at ${end}`);
    previous = current;
  }
  assert.deepEqual(
    final.codeBlocks.map((block) => block.closed),
    [true, true],
  );
});
