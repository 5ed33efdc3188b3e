import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { storeDirFor } from "../../engine/retriever/indexStore.js";
import {
  Retriever,
  defaultSyntaxAnalyzer,
  type FileAnalyzer,
  type RetrieverOptions,
} from "../../engine/retriever/index.js";

let root: string;
let cacheDir: string;

const geometry = `/** Vectors in three dimensions. */
export class Vector {
  constructor(readonly x: number, readonly y: number, readonly z: number) {}

  dot(other: Vector): number {
    return this.x * other.x + this.y * other.y + this.z * other.z;
  }

  /** The cross product: perpendicular to both operands. */
  cross(other: Vector): Vector {
    return new Vector(this.y * other.z - this.z * other.y, this.z * other.x - this.x * other.z, this.x * other.y - this.y * other.x);
  }
}

export function areaOfTriangle(a: Vector, b: Vector, c: Vector): number {
  const ab = new Vector(b.x - a.x, b.y - a.y, b.z - a.z);
  const ac = new Vector(c.x - a.x, c.y - a.y, c.z - a.z);
  const n = ab.cross(ac);
  return Math.sqrt(n.dot(n)) / 2;
}
`;

const server = `import json

class RequestRouter:
    def __init__(self):
        self.routes = {}

    def register_route(self, path, handler):
        self.routes[path] = handler

def handle_request(router, path, body):
    handler = router.routes.get(path)
    return handler(json.loads(body)) if handler else None
`;

function fillerModule(index: number): string {
  return `export function helper${index}(value: number): number {\n  return value * ${index} + ${index};\n}\n\nexport const label${index} = "module ${index}";\n`;
}

async function write(files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** The default analyzer, counting which files it is asked to analyze. */
function countingAnalyzer(): FileAnalyzer & { analyzed: string[]; prepared: string[] } {
  const inner = defaultSyntaxAnalyzer(40);
  const analyzed: string[] = [];
  const prepared: string[] = [];
  return {
    id: inner.id,
    analyzed,
    prepared,
    analyze: (path, source) => (analyzed.push(path), inner.analyze(path, source)),
    prepare: (path) => (prepared.push(path), inner.prepare?.(path)),
  };
}

function options(analyzer: FileAnalyzer, extra: Partial<RetrieverOptions> = {}): RetrieverOptions {
  return { root, cacheDir, analyzer, maxFileBytes: 4096, ...extra };
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-retriever-ws-"));
  cacheDir = await mkdtemp(join(tmpdir(), "coop-retriever-cache-"));
  const filler: Record<string, string> = {};
  for (let index = 0; index < 30; index++) filler[`src/filler/module${index}.ts`] = fillerModule(index);
  await write({
    ...filler,
    ".gitignore": "ignored.ts\n",
    "ignored.ts": "export function crossIgnored() {}\n",
    "src/geometry.ts": geometry,
    "server/app.py": server,
    "README.md": "# Demo\n\nA workspace for the retriever test: geometry and a request router.\n",
    "assets/logo.png": Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x0d, 0x0a),
    "data/huge.txt": "cross product ".repeat(1000),
  });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(cacheDir, { recursive: true, force: true });
});

describe("the retriever", () => {
  let retriever: Retriever;
  let analyzer: ReturnType<typeof countingAnalyzer>;

  before(async () => {
    analyzer = countingAnalyzer();
    retriever = await Retriever.open(options(analyzer));
  });

  after(async () => {
    await retriever.dispose();
  });

  test("indexes the workspace, skipping ignored, binary and huge files, and reports progress", async () => {
    const phases = new Set<string>();
    const summary = await retriever.index((progress) => phases.add(progress.phase));
    // 30 fillers, geometry.ts, app.py, README.md and .gitignore itself.
    assert.equal(summary.files, 34);
    assert.equal(summary.indexed.length, 34);
    assert.ok(!summary.indexed.includes("ignored.ts"));
    assert.deepEqual(
      summary.skipped.sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: "assets/logo.png", reason: "binary" },
        { path: "data/huge.txt", reason: "too large" },
      ],
    );
    assert.ok(phases.has("scan") && phases.has("index") && phases.has("save"));
    assert.ok(summary.chunks >= summary.files);
    // Each file to analyse was announced to the analyzer as the walk met it (its grammar loads meanwhile).
    assert.deepEqual([...analyzer.prepared].sort(), [...summary.indexed, "assets/logo.png"].sort());
  });

  test("finds the chunk that defines what a question describes, saying which terms matched", async () => {
    const [best] = await retriever.query("cross product perpendicular vector", { k: 3 });
    assert.equal(best!.path, "src/geometry.ts");
    assert.ok(best!.startLine <= 10 && best!.endLine >= 10, `chunk ${best!.startLine}-${best!.endLine}`);
    assert.match(best!.text, /cross\(other: Vector\)/);
    assert.ok(
      best!.why.some((reason) => /^lexical: .*perpendicular/.test(reason)),
      best!.why.join("; "),
    );
  });

  test("builds the symbol table from the same pass, across languages", () => {
    const [vector] = retriever.symbols.byName("Vector", ["class"]);
    assert.equal(vector?.path, "src/geometry.ts");
    assert.equal(vector.startLine, 1);
    assert.deepEqual(
      retriever.symbols
        .membersOf("Vector")
        .filter((symbol) => symbol.kind === "method")
        .map((symbol) => symbol.name)
        .sort(),
      ["cross", "dot"],
    );
    assert.equal(retriever.symbols.byName("handle_request")[0]?.kind, "function");
    assert.equal(retriever.symbols.byName("register_route")[0]?.container, "RequestRouter");
    assert.deepEqual(retriever.symbols.byName("crossIgnored"), []);
    assert.equal(retriever.symbols.nearest("areaOfTriangel")[0]?.name, "areaOfTriangle");
  });

  test("a name the query mentions brings its definition as a symbol signal", async () => {
    const results = await retriever.query("const n = areaOfTriangle(p, q, r)", { k: 3 });
    const hit = results.find((result) => result.why.includes("symbol: areaOfTriangle (function)"));
    assert.ok(hit, JSON.stringify(results.map((result) => result.why)));
    assert.match(hit.text, /export function areaOfTriangle/);
  });

  test("from the editor: the cursor's region is left out, and the current file's definitions join the candidates", async () => {
    const cursor = "  const n = ab.(ac);\n  return Math.sqrt(n.dot(n)) / 2;";
    const from = { path: join(root, "src/geometry.ts"), startLine: 15, endLine: 20 };
    const plain = await retriever.query(cursor, { k: 5 });
    assert.ok(
      plain.some((chunk) => chunk.path === "src/geometry.ts" && chunk.startLine <= 18 && chunk.endLine >= 18),
      "the cursor's own chunk matches best",
    );
    const results = await retriever.query(cursor, { k: 5, from });
    assert.ok(
      !results.some(
        (chunk) => chunk.path === "src/geometry.ts" && chunk.startLine <= 20 && chunk.endLine >= 15,
      ),
    );
    const vector = results.find((chunk) => chunk.text.includes("cross(other: Vector)"));
    assert.ok(
      vector?.why.includes("nearby: a definition in the current file"),
      JSON.stringify(results.map((chunk) => [chunk.path, chunk.why])),
    );
  });

  test("from the editor: definitions in the files the current file imports join the candidates", async () => {
    await write({
      "src/shapes.ts":
        'import { Vector } from "./geometry.js";\n\nexport function tetrahedronVolume(a: Vector, b: Vector, c: Vector): number {\n  return Math.abs(a.dot(b.(c))) / 6;\n}\n',
    });
    await retriever.update("src/shapes.ts");
    const results = await retriever.query("  return Math.abs(a.dot(b.(c))) / 6;", {
      k: 5,
      from: { path: "src/shapes.ts", startLine: 3, endLine: 3 },
    });
    const vector = results.find(
      (chunk) => chunk.path === "src/geometry.ts" && chunk.text.includes("cross(other: Vector)"),
    );
    assert.ok(
      vector?.why.includes("nearby: a definition in imported src/geometry.ts"),
      JSON.stringify(results.map((chunk) => [chunk.path, chunk.why])),
    );
    await retriever.remove("src/shapes.ts");
  });

  test("respects k and the token budget with the caller's token counter", async () => {
    const countTokens = (text: string): number => text.split(/\s+/).length;
    const unlimited = await retriever.query("helper value module label", { k: 20 });
    assert.ok(unlimited.length > 5);
    assert.equal((await retriever.query("helper value module label", { k: 3 })).length, 3);
    const budgeted = await retriever.query("helper value module label", {
      k: 20,
      budgetTokens: 40,
      countTokens,
    });
    assert.ok(budgeted.length > 0 && budgeted.length < unlimited.length);
    assert.ok(budgeted.reduce((sum, chunk) => sum + countTokens(chunk.text), 0) <= 40);
  });

  test("update(path) re-chunks only the changed file, and the index follows its new content", async () => {
    analyzer.analyzed.length = 0;
    await writeFile(
      join(root, "src/filler/module7.ts"),
      "export function normalizeQuaternion(q: number[]): number[] {\n  return q;\n}\n",
    );
    await retriever.update(join(root, "src/filler/module7.ts"));
    assert.deepEqual(analyzer.analyzed, ["src/filler/module7.ts"]);
    assert.deepEqual(retriever.symbols.byName("helper7"), []);
    assert.equal(retriever.symbols.byName("normalizeQuaternion")[0]?.path, "src/filler/module7.ts");
    const [best] = await retriever.query("normalize quaternion", { k: 1 });
    assert.equal(best?.path, "src/filler/module7.ts");
    const stale = await retriever.query("helper7 module 7", { k: 10 });
    assert.ok(!stale.some((chunk) => chunk.text.includes("helper7")));
    assert.equal(retriever.fileCount, 34);
  });

  test("remove(path) and update of a deleted file drop it from chunks and symbols", async () => {
    await retriever.remove("server/app.py");
    assert.deepEqual(retriever.symbols.byName("handle_request"), []);
    assert.ok(
      !(await retriever.query("handle request router", { k: 10 })).some(
        (chunk) => chunk.path === "server/app.py",
      ),
    );
    await unlink(join(root, "src/filler/module3.ts"));
    await retriever.update("src/filler/module3.ts");
    assert.deepEqual(retriever.symbols.byName("helper3"), []);
    assert.equal(retriever.fileCount, 32);
    await writeFile(join(root, "src/filler/module3.ts"), fillerModule(3));
  });

  test("recent edits and open files lift otherwise equal chunks, and say so", async () => {
    await write({
      "twin/a.ts": "export const twinValue = computeTwin(1);\n",
      "twin/b.ts": "export const twinValue = computeTwin(1);\n",
    });
    await retriever.update("twin/a.ts");
    await retriever.update("twin/b.ts");
    retriever.noteEdit("twin/b.ts", { startLine: 0, endLine: 0 });
    let results = await retriever.query("computeTwin twinValue", { k: 2 });
    assert.equal(results[0]?.path, "twin/b.ts");
    assert.ok(results[0].why.includes("recency: edited here"));
    retriever.setOpenFiles([join(root, "twin/a.ts")]);
    results = await retriever.query("computeTwin twinValue", { k: 2 });
    assert.deepEqual(
      results.map((result) => result.path),
      ["twin/b.ts", "twin/a.ts"],
    );
    assert.ok(results[1]!.why.includes("recency: open file"));
  });
});

describe("the persisted index", () => {
  test("two retrievers of one workspace indexing at once both save it (the engine can open a workspace twice)", async () => {
    const [one, two] = await Promise.all([
      Retriever.open(options(countingAnalyzer())),
      Retriever.open(options(countingAnalyzer())),
    ]);
    try {
      await Promise.all([one.index(), two.index()]);
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
    const reopened = await Retriever.open(options(countingAnalyzer()));
    assert.ok(reopened.fileCount > 30);
    await reopened.dispose();
  });

  test("reopening loads it without re-chunking, then notices only the files that changed or went away", async () => {
    const first = countingAnalyzer();
    const original = await Retriever.open(options(first));
    await original.index();
    await original.dispose();

    const second = countingAnalyzer();
    const reopened = await Retriever.open(options(second));
    assert.ok(reopened.fileCount > 30);
    assert.equal((await reopened.query("cross product perpendicular", { k: 1 }))[0]?.path, "src/geometry.ts");
    assert.ok(reopened.symbols.has("areaOfTriangle"));
    const unchanged = await reopened.index();
    assert.deepEqual(second.analyzed, []);
    // Only what is read again: the binary file, which the index does not keep.
    assert.deepEqual(second.prepared, ["assets/logo.png"]);
    assert.deepEqual(unchanged.indexed, []);

    await writeFile(
      join(root, "src/geometry.ts"),
      geometry + "\nexport function volumeOfTetrahedron(): number {\n  return 0;\n}\n",
    );
    await unlink(join(root, "README.md"));
    await reopened.dispose();

    const third = countingAnalyzer();
    const again = await Retriever.open(options(third));
    const summary = await again.index();
    assert.deepEqual(third.analyzed, ["src/geometry.ts"]);
    assert.deepEqual(third.prepared.sort(), ["assets/logo.png", "src/geometry.ts"]);
    assert.deepEqual(summary.removed, ["README.md"]);
    assert.equal(again.symbols.byName("volumeOfTetrahedron")[0]?.path, "src/geometry.ts");
    await again.dispose();
  });

  test("an index built by a different analyzer is rebuilt, and a damaged store is ignored", async () => {
    const other = countingAnalyzer();
    const retriever = await Retriever.open(options({ ...other, id: "another-chunker" }));
    assert.equal(retriever.fileCount, 0);
    await retriever.index();
    assert.ok(other.analyzed.length > 30);
    await retriever.dispose();

    await writeFile(join(storeDirFor(cacheDir, root), "lexical.json"), "{ damaged");
    const afterDamage = await Retriever.open(options({ ...countingAnalyzer(), id: "another-chunker" }));
    assert.equal(afterDamage.fileCount, 0);
    assert.ok((await afterDamage.index()).indexed.length > 30);
    await afterDamage.dispose();
  });
});
