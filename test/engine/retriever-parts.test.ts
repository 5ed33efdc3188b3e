import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  codeTerms,
  forEachCodeWordSpan,
  identifiersIn,
  spanHash,
} from "../../engine/retriever/codeTokens.js";
import { lineWindowChunks } from "../../engine/retriever/chunks.js";
import { LexicalIndex, type LexicalSnapshot } from "../../engine/retriever/lexicalIndex.js";
import { reciprocalRankFusion } from "../../engine/retriever/rankFusion.js";
import { RecencyTracker } from "../../engine/retriever/recency.js";
import { relativeImports } from "../../engine/retriever/relativeImports.js";
import { SpanMap } from "../../engine/retriever/spanMap.js";
import { SymbolTable, boundedEditDistance } from "../../engine/retriever/symbolTable.js";
import { fitToBudget } from "../../engine/retriever/tokenBudget.js";
import { VectorIndex } from "../../engine/retriever/vectorIndex.js";

describe("code-aware terms", () => {
  test("identifiers are kept whole and split at case, underscore, dash and digit boundaries", () => {
    assert.deepEqual(codeTerms("parseHTTPHeader"), ["parsehttpheader", "parse", "http", "header"]);
    assert.deepEqual(codeTerms("max_file_bytes"), ["max_file_bytes", "max", "file", "bytes"]);
    assert.deepEqual(codeTerms("font-size"), ["font-size", "font", "size"]);
    assert.deepEqual(codeTerms("utf8Decode"), ["utf8decode", "utf", "decode"]);
    assert.deepEqual(codeTerms("XMLHttpRequest"), ["xmlhttprequest", "xml", "http", "request"]);
  });

  test("punctuation separates words, single characters are dropped, repeats are kept for term frequency", () => {
    assert.deepEqual(codeTerms("a = load(path); load(path)"), ["load", "path", "load", "path"]);
  });

  test("identifiersIn lists each identifier once, as written", () => {
    assert.deepEqual(identifiersIn("foo.barBaz(foo, 42)"), ["foo", "barBaz"]);
  });
});

describe("words looked up by their span of a text", () => {
  test("the same word anywhere in any text finds one entry; other words, prefixes included, do not", () => {
    const made: string[] = [];
    const map = new SpanMap<string>(1000);
    const value = (text: string, start: number, end: number): string =>
      map.getOrAdd(text, start, end, spanHash(text, start, end), (word) => (made.push(word), `<${word}>`));
    assert.equal(value("const userName = 1", 6, 14), "<userName>");
    assert.equal(value("userName", 0, 8), "<userName>");
    assert.equal(value("let user", 4, 8), "<user>");
    assert.equal(value("userNames", 0, 9), "<userNames>");
    assert.equal(value("x.userName()", 2, 10), "<userName>");
    assert.deepEqual(made, ["userName", "user", "userNames"]);
    assert.equal(map.size, 3);
  });

  test("keeps every word through the table's growth, and starts over past its capacity", () => {
    const map = new SpanMap<number>(5000);
    const words = Array.from({ length: 5000 }, (_, index) => `w${index.toString(36)}`);
    const text = words.join(" ");
    let made = 0;
    const spans: [number, number][] = [];
    for (let start = 0; start < text.length;) {
      const end = text.indexOf(" ", start) === -1 ? text.length : text.indexOf(" ", start);
      spans.push([start, end]);
      start = end + 1;
    }
    for (const [index, [start, end]] of spans.entries())
      assert.equal(
        map.getOrAdd(text, start, end, spanHash(text, start, end), () => (made++, index)),
        index,
      );
    for (const [index, [start, end]] of spans.entries())
      assert.equal(
        map.getOrAdd(text, start, end, spanHash(text, start, end), () => (made++, -1)),
        index,
      );
    assert.equal(made, 5000);
    map.getOrAdd("fresh", 0, 5, spanHash("fresh", 0, 5), () => 1);
    assert.equal(map.size, 1);
  });
});

describe("words by their span", () => {
  test("the scan's hash of each word is the word's own hash, for ASCII, kebab-case and wide characters", () => {
    const text = "const naïveÜber = use-state(𝒳value, $x_1); // größe";
    const words: string[] = [];
    forEachCodeWordSpan(text, (start, end, hash) => {
      words.push(text.slice(start, end));
      assert.equal(hash, spanHash(text, start, end), text.slice(start, end));
    });
    assert.deepEqual(words, ["const", "naïveÜber", "use-state", "𝒳value", "$x_1", "größe"]);
  });
});

describe("lexical index (BM25)", () => {
  function sample(): LexicalIndex {
    const index = LexicalIndex.empty();
    index.add({ id: 1, path: "src/a.ts", names: "", text: "const value = readConfig(path); return value;" });
    index.add({
      id: 2,
      path: "src/b.ts",
      names: "readConfig",
      text: "export function readConfig(path) { return parse(path); }",
    });
    index.add({ id: 3, path: "src/c.ts", names: "", text: "return value; return value; return other;" });
    return index;
  }

  test("ranks by BM25 over code terms, names weighing more, and reports the matched terms", () => {
    const hits = sample().query("read config", 10);
    assert.deepEqual(
      hits.map((hit) => hit.id),
      [2, 1],
    );
    assert.deepEqual(hits[0]!.terms.sort(), ["config", "read"]);
    assert.deepEqual(sample().query("nothing matches", 10), []);
  });

  test("rarest terms are scored first and common ones may be dropped", () => {
    const index = sample();
    const terms = index.queryTerms("return readConfig unknownWord");
    assert.deepEqual(terms.slice(0, 3).sort(), ["config", "read", "readconfig"]);
    assert.equal(terms.at(-1), "return");
    assert.ok(!terms.includes("unknownword"));
  });

  test("removed documents disappear, and compaction after many removals keeps results intact", () => {
    const index = LexicalIndex.empty();
    for (let id = 0; id < 3000; id++)
      index.add({
        id,
        path: `f${id}.ts`,
        names: "",
        text: `shared token${id} ${id % 2 === 0 ? "even" : "odd"}`,
      });
    for (let id = 0; id < 2000; id++) index.remove(id);
    assert.equal(index.size, 1000);
    assert.ok(index.query("token10 token2500", 3000).every((hit) => hit.id >= 2000));
    assert.deepEqual(
      index.query("token2500", 1).map((hit) => hit.id),
      [2500],
    );
    assert.equal(index.query("even", 5000).length, 500);
  });

  test("a snapshot restores the same index, and scoring can be limited to some documents", () => {
    const index = sample();
    index.remove(3);
    const restored = LexicalIndex.fromSnapshot(
      JSON.parse(JSON.stringify(index.snapshot())) as LexicalSnapshot,
    );
    assert.deepEqual(restored.query("read config value", 10), index.query("read config value", 10));
    assert.equal(restored.size, 2);
    assert.deepEqual(
      index.scoreDocuments("read config value", [1, 3]).map((hit) => hit.id),
      [1],
    );
  });
});

describe("relative imports", () => {
  const files = new Set([
    "src/app.ts",
    "src/util.ts",
    "src/lib/index.ts",
    "src/types.d.ts",
    "pkg/__init__.py",
    "pkg/models.py",
    "pkg/sub/views.py",
  ]);
  const exists = (path: string): boolean => files.has(path);

  test("resolve compiled names, bare paths and index files to workspace files, and skip packages", () => {
    const source = `import { a } from "./util.js";\nimport * as lib from "./lib";\nimport type { T } from "./types";\nimport fs from "node:fs";\nconst x = require("./missing");\nexport * from "./util.js";`;
    assert.deepEqual(relativeImports("src/app.ts", source, exists).sort(), [
      "src/lib/index.ts",
      "src/types.d.ts",
      "src/util.ts",
    ]);
  });

  test("resolve Python's relative imports by their dots", () => {
    const source = "from ..models import User\nfrom .. import helpers\nimport os\n";
    assert.deepEqual(relativeImports("pkg/sub/views.py", source, exists).sort(), [
      "pkg/__init__.py",
      "pkg/models.py",
    ]);
  });
});

describe("line windows", () => {
  test("cover every line with bounded, slightly overlapping windows", () => {
    const source = Array.from({ length: 95 }, (_, index) => `line ${index}`).join("\n") + "\n";
    const chunks = lineWindowChunks(source, 40);
    assert.ok(chunks.every((chunk) => chunk.endLine - chunk.startLine + 1 <= 40));
    assert.equal(chunks[0]!.startLine, 0);
    assert.equal(chunks.at(-1)!.endLine, 94);
    for (let index = 1; index < chunks.length; index++)
      assert.ok(chunks[index]!.startLine <= chunks[index - 1]!.endLine + 1);
    assert.equal(chunks[0]!.text.split("\n")[0], "line 0");
  });
});

describe("rank fusion, budget, vectors, recency", () => {
  test("reciprocal rank fusion rewards agreement between lists", () => {
    const scores = reciprocalRankFusion([
      ["a", "b", "c"],
      ["c", "b", "d"],
    ]);
    const order = [...scores].sort((x, y) => y[1] - x[1]).map(([id]) => id);
    assert.deepEqual(order.slice(0, 2).sort(), ["b", "c"]);
    assert.ok(scores.get("b")! > scores.get("a")!);
    assert.ok(scores.get("a")! > scores.get("d")!);
  });

  test("the budget skips what does not fit and keeps smaller later items", () => {
    const items = [{ text: "x".repeat(40) }, { text: "y".repeat(100) }, { text: "z".repeat(20) }];
    const kept = fitToBudget(items, 20, (text) => text.length / 4);
    assert.deepEqual(
      kept.map((item) => item.text[0]),
      ["x", "z"],
    );
  });

  test("the vector index returns the most similar ids by cosine, best first", () => {
    const index = new VectorIndex(3);
    index.set(1, Float32Array.of(1, 0, 0));
    index.set(2, Float32Array.of(0.7, 0.7, 0));
    index.set(3, Float32Array.of(0, 0, 5));
    index.set(4, Float32Array.of(-1, 0, 0));
    const nearest = index.nearest(Float32Array.of(2, 1, 0), 2);
    assert.deepEqual(
      nearest.map((hit) => hit.id),
      [2, 1],
    );
    assert.ok(Math.abs(nearest[0]!.similarity - 0.9487) < 1e-3);
    assert.throws(() => index.set(5, Float32Array.of(1, 2)), /3 values/);
  });

  test("recent edits boost overlapping chunks most, then their file, decaying over time; open files a little", () => {
    let now = 0;
    const recency = new RecencyTracker(60_000, () => now);
    recency.noteEdit("a.ts", { startLine: 10, endLine: 12 });
    recency.setOpenFiles(["b.ts"]);
    const here = recency.boost("a.ts", { startLine: 5, endLine: 20 });
    const elsewhere = recency.boost("a.ts", { startLine: 30, endLine: 40 });
    const open = recency.boost("b.ts", { startLine: 0, endLine: 5 });
    const untouched = recency.boost("c.ts", { startLine: 0, endLine: 5 });
    assert.ok(
      here.factor > elsewhere.factor && elsewhere.factor > open.factor && open.factor > untouched.factor,
    );
    assert.deepEqual(here.reasons, ["recency: edited here"]);
    assert.deepEqual(open.reasons, ["recency: open file"]);
    assert.equal(untouched.factor, 1);
    now = 60_000;
    assert.ok(recency.boost("a.ts", { startLine: 5, endLine: 20 }).factor < here.factor);
  });
});

describe("symbol table", () => {
  const at = { startLine: 0, startColumn: 0, endLine: 1, endColumn: 0, exported: true };
  function table(): SymbolTable {
    const symbols = new SymbolTable();
    symbols.setFile("a.ts", [
      { ...at, name: "Parser", kind: "class" },
      { ...at, name: "parseHeader", kind: "method", container: "Parser" },
      { ...at, name: "offset", kind: "property", container: "Parser" },
    ]);
    symbols.setFile("b.ts", [{ ...at, name: "parseBody", kind: "function" }]);
    return symbols;
  }

  test("looks up by name (and kind), by container and by file", () => {
    const symbols = table();
    assert.equal(symbols.byName("parseBody")[0]!.path, "b.ts");
    assert.deepEqual(symbols.byName("Parser", ["function"]), []);
    assert.deepEqual(
      symbols
        .membersOf("Parser")
        .map((symbol) => symbol.name)
        .sort(),
      ["offset", "parseHeader"],
    );
    assert.equal(symbols.inFile("a.ts").length, 3);
    assert.equal(symbols.size, 4);
  });

  test("replacing a file's definitions drops its old ones and keeps other files'", () => {
    const symbols = table();
    symbols.setFile("a.ts", [{ ...at, name: "Lexer", kind: "class" }]);
    assert.deepEqual(symbols.byName("Parser"), []);
    assert.deepEqual(symbols.membersOf("Parser"), []);
    assert.equal(symbols.byName("parseBody").length, 1);
    symbols.removeFile("b.ts");
    assert.equal(symbols.has("parseBody"), false);
    assert.equal(symbols.size, 1);
  });

  test("nearest names by case-insensitive edit distance, best first, optionally among members", () => {
    const symbols = table();
    assert.deepEqual(
      symbols.nearest("parseHeadr").map((hit) => [hit.name, hit.distance]),
      [["parseHeader", 1]],
    );
    assert.deepEqual(symbols.nearest("parsebody")[0]!.name, "parseBody");
    assert.deepEqual(symbols.nearest("parseBdoy").map((hit) => hit.name)[0], "parseBody");
    assert.deepEqual(symbols.nearest("zzzzzz"), []);
    const members = symbols.membersOf("Parser").map((symbol) => symbol.name);
    assert.deepEqual(
      symbols.nearest("ofset", { among: members }).map((hit) => hit.name),
      ["offset"],
    );
  });

  test("bounded edit distance counts adjacent swaps as one edit and stops past the bound", () => {
    assert.equal(boundedEditDistance("kitten", "sitting", 5), 3);
    assert.equal(boundedEditDistance("abcd", "abdc", 3), 1);
    assert.equal(boundedEditDistance("abcdef", "uvwxyz", 2), 3);
  });
});
