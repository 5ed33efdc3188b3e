import { test } from "node:test";
import assert from "node:assert/strict";
import { pretokenize, PRE_TOKENIZER, QWEN2_PATTERN } from "../../engine/tinymodel/tokenizer/index.js";
import { LETTER_RANGES, NUMBER_RANGES } from "../../engine/tinymodel/tokenizer/unicodeRanges.js";
import { WHITESPACE_CODE_POINTS } from "../../engine/tinymodel/tokenizer/codePointClasses.js";

// Expected splits follow llama.cpp's unicode_regex_split_custom_qwen2 (src/unicode.cpp); they were
// also checked against that C++ compiled on its own.
const cases: [string, string[]][] = [
  [
    "def foo(x):\n    return x + 1\n",
    ["def", " foo", "(x", "):\n", "   ", " return", " x", " +", " ", "1", "\n"],
  ],
  ["if (a) {\r\n\treturn b;\r\n}\r\n", ["if", " (", "a", ")", " {\r\n", "\treturn", " b", ";\r\n", "}\r\n"]],
  ["\tif (x) {\n\t\treturn;\n\t}", ["\tif", " (", "x", ")", " {\n", "\t", "\treturn", ";\n", "\t", "}"]],
  ["12345 + x1.5e10", ["1", "2", "3", "4", "5", " +", " x", "1", ".", "5", "e", "1", "0"]],
  [
    "I'm don't they'LL we've it'S 'sup",
    ["I", "'m", " don", "'t", " they", "'LL", " we", "'ve", " it", "'S", " '", "sup"],
  ],
  ["naïve café 日本語 Ελληνικά e\u0301", ["naïve", " café", " 日本語", " Ελληνικά", " e", "\u0301"]],
  ["hi 😀😀! 👍🏽 ok", ["hi", " 😀😀!", " 👍🏽", " ok"]],
  ["x = 1   \n  y  ", ["x", " =", " ", "1", "   \n", " ", " y", "  "]],
  ["a \n\n  \n b", ["a", " \n\n  \n", " b"]],
  ["end ", ["end", " "]],
  ["  ", ["  "]],
  ["=====\n\n\n", ["=====\n\n\n"]],
  ["", []],
  // llama.cpp's whitespace set, not JS's \s: U+0085 is whitespace, U+FEFF is not.
  ["x\u0085\u0085y a\ufeff\ufeffb", ["x", "\u0085", "\u0085y", " a", "\ufeff\ufeff", "b"]],
  // U+1C89 became a letter in Unicode 16; llama.cpp's Unicode 15.1 tables still treat it as unassigned.
  [" \u1c89! \u0436!", [" \u1c89!", " \u0436", "!"]],
  // A lone surrogate reaches llama.cpp as U+FFFD.
  ["a\ud800b", ["a", "\ufffdb"]],
];

test("pre-tokenizer name is qwen2", () => {
  assert.equal(PRE_TOKENIZER, "qwen2");
});

for (const [text, expected] of cases) {
  test(`pretokenize ${JSON.stringify(text)}`, () => {
    assert.deepEqual(pretokenize(text), expected);
  });
}

test("pieces always concatenate back to the text", () => {
  const text = "const a = `x${1}`;\n\n\t// ok  \r\n  λ => λ + 'ñ'\u00a0\u2028end";
  assert.equal(pretokenize(text).join(""), text);
});

/** The original regex with the Unicode classes spelled out as llama.cpp's tables define them. */
function qwen2RegExp(): RegExp {
  const toClass = (ranges: string) =>
    ranges
      .trim()
      .split(/\s+/)
      .map((range) =>
        range
          .split("-")
          .map((hex) => `\\u{${hex}}`)
          .join("-"),
      )
      .join("");
  const letters = toClass(LETTER_RANGES);
  const numbers = toClass(NUMBER_RANGES);
  const spaces = WHITESPACE_CODE_POINTS.map((cp) => `\\u{${cp.toString(16)}}`).join("");
  let source = "";
  let inClass = false;
  for (let i = 0; i < QWEN2_PATTERN.length; i++) {
    const rest = QWEN2_PATTERN.slice(i);
    const escape = /^\\(p\{L\}|p\{N\}|s|S)/.exec(rest);
    if (escape) {
      const body = { "p{L}": letters, "p{N}": numbers, s: spaces, S: "" }[escape[1]!]!;
      source += escape[1] === "S" ? `[^${spaces}]` : inClass ? body : `[${body}]`;
      i += escape[0].length - 1;
      continue;
    }
    if (rest.startsWith("\\")) {
      source += rest.slice(0, 2);
      i++;
      continue;
    }
    if (rest[0] === "[") inClass = true;
    if (rest[0] === "]") inClass = false;
    source += rest[0];
  }
  return new RegExp(source, "gu");
}

test("the scanner agrees with the qwen2 regex on random text", () => {
  const regex = qwen2RegExp();
  const alphabet = [
    "a",
    "Z",
    "é",
    "漢",
    "1",
    "٣",
    "½",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\u00a0",
    "\u0085",
    "\u3000",
    "\ufeff",
    "'",
    "'s",
    "'RE",
    "'ll",
    "!",
    "(",
    "}",
    "=",
    "_",
    "😀",
    "👍🏽",
    "\u0301",
    "\u1c89",
    "x",
    "if",
  ];
  let seed = 42;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < 5000; i++) {
    let text = "";
    const length = 1 + Math.floor(random() * 12);
    for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
    const byRegex = Array.from(text.matchAll(regex), (m) => m[0]);
    assert.equal(byRegex.join(""), text);
    assert.deepEqual(pretokenize(text), byRegex, JSON.stringify(text));
  }
});
