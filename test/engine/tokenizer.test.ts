import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  BpeTokenizer,
  bytesToTokenText,
  byteToTokenChar,
  learnBpe,
  pretokenize,
  tokenizerMetadata,
  tokenTextToBytes,
  TokenType,
} from "../../engine/tinymodel/tokenizer/index.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

function randomGenerator(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

function jsFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) jsFiles(path, out);
    else if (name.endsWith(".js")) out.push(path);
  }
  return out;
}

/** About `limit` characters of node-llama-cpp's compiled JS, in a stable order. */
function codeCorpus(limit: number): string[] {
  const texts: string[] = [];
  let size = 0;
  for (const path of jsFiles(join(root, "node_modules/node-llama-cpp/dist"))) {
    if (size >= limit) break;
    const text = readFileSync(path, "utf8");
    texts.push(text);
    size += text.length;
  }
  return texts;
}

const smallCorpus = [
  "function add(a, b) {\n  return a + b;\n}\n",
  "function sub(a, b) {\n  return a - b;\n}\n",
  "const total = add(1, 2) + sub(3, 4);\n",
  "export function main() {\n  console.log(total);\n}\n",
];
const specialTokens = (firstId: number) => [
  { text: "<|endoftext|>", id: firstId },
  { text: "<|fim_prefix|>", id: firstId + 1 },
  { text: "<|fim_suffix|>", id: firstId + 2 },
  { text: "<|fim_middle|>", id: firstId + 3 },
];

function smallTokenizer(): BpeTokenizer {
  const learned = learnBpe(smallCorpus, { vocabSize: 300, reservedTokens: 4 });
  return new BpeTokenizer({ ...learned, specialTokens: specialTokens(learned.tokens.length) });
}

test("byte table is a bijection onto printable, space-free characters", () => {
  const chars = new Set<string>();
  for (let byte = 0; byte < 256; byte++) {
    const char = byteToTokenChar(byte);
    assert.equal(char.length, 1);
    assert.match(char, /^[^\s\p{Cc}]$/u);
    chars.add(char);
  }
  assert.equal(chars.size, 256);
  assert.equal(byteToTokenChar(0x20), "Ġ");
  assert.equal(byteToTokenChar(0x0a), "Ċ");
  assert.equal(byteToTokenChar(0x41), "A");
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(tokenTextToBytes(bytesToTokenText(all)), all);
  assert.throws(() => tokenTextToBytes(" "));
});

test("learnBpe starts from the 256 byte tokens and fills the vocabulary exactly", () => {
  const learned = learnBpe(smallCorpus, { vocabSize: 300, reservedTokens: 4 });
  assert.equal(learned.tokens.length + 4, 300);
  for (let byte = 0; byte < 256; byte++) assert.equal(learned.tokens[byte], byteToTokenChar(byte));
  assert.equal(new Set(learned.tokens).size, learned.tokens.length);
  for (const [left, right] of learned.merges) assert.ok(learned.tokens.includes(left + right));
});

test("learnBpe is deterministic and breaks ties by the merge text", () => {
  const corpus = codeCorpus(200_000);
  assert.deepEqual(
    learnBpe(corpus, { vocabSize: 400, reservedTokens: 9 }),
    learnBpe(corpus, { vocabSize: 400, reservedTokens: 9 }),
  );
  // "a b" and "c d" occur equally often: the smaller line wins whatever the input order.
  assert.deepEqual(learnBpe(["cd ab"], { vocabSize: 257, reservedTokens: 0 }).merges, [["a", "b"]]);
  assert.deepEqual(learnBpe(["ab cd"], { vocabSize: 257, reservedTokens: 0 }).merges, [["a", "b"]]);
  assert.deepEqual(learnBpe(["cd cd ab"], { vocabSize: 257, reservedTokens: 0 }).merges, [["c", "d"]]);
});

test("learnBpe stops early when no pair is left", () => {
  const learned = learnBpe(["ab"], { vocabSize: 1000, reservedTokens: 0 });
  assert.deepEqual(learned.merges, [["a", "b"]]);
  assert.equal(learned.tokens.length, 257);
});

test("learned merges fire when encoding", () => {
  const tokenizer = smallTokenizer();
  const ids = tokenizer.encode("function add");
  assert.deepEqual(
    ids.map((id) => tokenizer.tokenText(id)),
    ["function", "Ġadd"],
  );
});

/** Textbook BPE: merge the lowest-ranked adjacent pair, leftmost first, until none applies. */
function referenceEncode(text: string, tokens: string[], merges: [string, string][]): number[] {
  const rank = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
  const id = new Map(tokens.map((t, i) => [t, i]));
  const out: number[] = [];
  for (const piece of pretokenize(text)) {
    const symbols = [...bytesToTokenText(new TextEncoder().encode(piece))];
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < symbols.length; i++) {
        const r = rank.get(`${symbols[i]} ${symbols[i + 1]}`);
        if (r !== undefined && r < bestRank) [best, bestRank] = [i, r];
      }
      if (best < 0) break;
      symbols.splice(best, 2, symbols[best]! + symbols[best + 1]!);
    }
    for (const symbol of symbols) out.push(id.get(symbol)!);
  }
  return out;
}

test("encode matches textbook lowest-rank-first BPE", () => {
  const learned = learnBpe(codeCorpus(300_000), { vocabSize: 700, reservedTokens: 0 });
  const tokenizer = new BpeTokenizer({ ...learned, specialTokens: [] });
  const random = randomGenerator(3);
  const pieces = [
    "function",
    " return",
    "    ",
    "\n",
    "this.",
    "const ",
    "==",
    "=>",
    "(",
    ")",
    "{",
    "}",
    ";",
    "a",
    "e",
    "s",
    "t",
    "_",
    "0",
    "é",
    "😀",
  ];
  for (let i = 0; i < 500; i++) {
    let text = "";
    for (let j = 0; j < 20; j++) text += pieces[Math.floor(random() * pieces.length)];
    assert.deepEqual(
      tokenizer.encode(text),
      referenceEncode(text, learned.tokens, learned.merges),
      JSON.stringify(text),
    );
  }
  const long = "=".repeat(5000) + " ".repeat(3000) + "ab".repeat(2000);
  assert.deepEqual(tokenizer.encode(long), referenceEncode(long, learned.tokens, learned.merges));
});

test("encode/decode round-trips arbitrary unicode", () => {
  const tokenizer = smallTokenizer();
  const random = randomGenerator(11);
  for (let i = 0; i < 300; i++) {
    let text = "";
    const length = Math.floor(random() * 40);
    for (let j = 0; j < length; j++) {
      const kind = random();
      const cp =
        kind < 0.5
          ? 0x20 + Math.floor(random() * 0x60)
          : kind < 0.8
            ? Math.floor(random() * 0x3000)
            : Math.floor(random() * 0x110000);
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      text += String.fromCodePoint(cp);
    }
    assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
  }
  assert.equal(tokenizer.decode(tokenizer.encode("lone \ud800 surrogate")), "lone \ufffd surrogate");
});

test("encode/decode round-trips random bytes read as text", () => {
  const tokenizer = smallTokenizer();
  const random = randomGenerator(5);
  for (let i = 0; i < 200; i++) {
    const text = String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(random() * 256)));
    assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
  }
  // Byte tokens that do not form UTF-8 decode to U+FFFD, as a UTF-8 reader of llama.cpp's bytes would.
  const euro = tokenizer.encode("€");
  assert.equal(tokenizer.decode(euro.slice(0, 1)), "\ufffd");
});

test("special tokens become ids only with parseSpecial", () => {
  const tokenizer = smallTokenizer();
  const [eot, pre, suf, mid] = specialTokens(296).map(({ id }) => id);
  const text = "<|fim_prefix|>function add<|fim_suffix|>}<|fim_middle|><|endoftext|>";
  const ids = tokenizer.encode(text, { parseSpecial: true });
  assert.equal(ids[0], pre);
  assert.deepEqual(ids.slice(-2), [mid, eot]);
  assert.ok(ids.includes(suf!));
  assert.equal(tokenizer.decode(ids), text);
  assert.equal(tokenizer.tokenText(eot!), "<|endoftext|>");

  const plain = tokenizer.encode(text);
  assert.ok(plain.every((id) => id < 296));
  assert.equal(tokenizer.decode(plain), text);
});

test("special tokens split the text before pre-tokenization", () => {
  const tokenizer = smallTokenizer();
  const withSpecial = tokenizer.encode("a  <|endoftext|>  b", { parseSpecial: true });
  const expected = [...tokenizer.encode("a  "), 296, ...tokenizer.encode("  b")];
  assert.deepEqual(withSpecial, expected);
});

test("tokenizerMetadata lays out GGUF arrays", () => {
  const learned = learnBpe(smallCorpus, { vocabSize: 300, reservedTokens: 4 });
  const first = learned.tokens.length;
  const metadata = tokenizerMetadata({
    ...learned,
    specialTokens: [{ text: "<|endoftext|>", id: first + 1 }],
  });
  assert.equal(metadata.tokens.length, first + 2);
  assert.deepEqual(metadata.tokens.slice(first), [`[PAD${first}]`, "<|endoftext|>"]);
  assert.deepEqual(metadata.tokenTypes.slice(first - 1), [
    TokenType.NORMAL,
    TokenType.UNUSED,
    TokenType.CONTROL,
  ]);
  assert.equal(metadata.merges.length, learned.merges.length);
  assert.equal(metadata.merges[0], learned.merges[0]!.join(" "));
  assert.throws(() => tokenizerMetadata({ ...learned, specialTokens: [{ text: "<x>", id: 3 }] }));
});

test("the tokenizer rejects inconsistent vocabularies", () => {
  const learned = learnBpe(smallCorpus, { vocabSize: 300, reservedTokens: 4 });
  assert.throws(() => new BpeTokenizer({ ...learned, merges: [["q", "z"]], specialTokens: [] }));
  assert.throws(() => new BpeTokenizer({ ...learned, specialTokens: [{ text: "<s>", id: 0 }] }));
  assert.throws(() => new BpeTokenizer({ tokens: learned.tokens.slice(1), merges: [], specialTokens: [] }));
});

test("learning and encoding ~2 MB of code stays fast", () => {
  const corpus = codeCorpus(2_000_000);
  const started = performance.now();
  const learned = learnBpe(corpus, { vocabSize: 1065, reservedTokens: 9 });
  const tokenizer = new BpeTokenizer({ ...learned, specialTokens: specialTokens(learned.tokens.length) });
  let count = 0;
  let chars = 0;
  for (const text of corpus) {
    count += tokenizer.encode(text).length;
    chars += text.length;
  }
  const seconds = (performance.now() - started) / 1000;
  assert.equal(learned.tokens.length, 1056);
  assert.ok(chars > 1_500_000);
  assert.ok(count < chars / 2, `only ${(chars / count).toFixed(2)} characters per token`);
  assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`);
});
