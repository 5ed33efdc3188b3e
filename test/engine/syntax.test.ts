import assert from "node:assert/strict";
import { test } from "node:test";
import {
  chunkBySyntax,
  extractDefinitions,
  languageForPath,
  languageForVsCodeId,
  parse,
} from "../../engine/syntax/index.js";

test("languages are picked by extension and by VS Code id", () => {
  assert.equal(languageForPath("src/a.ts"), "typescript");
  assert.equal(languageForPath("types/x.d.ts"), "typescript");
  assert.equal(languageForPath("C:\\w\\App.TSX"), "tsx");
  assert.equal(languageForPath("lib/m.mjs"), "javascript");
  assert.equal(languageForPath("pkg/mod.py"), "python");
  assert.equal(languageForPath("Makefile"), undefined);
  assert.equal(languageForPath(".bashrc"), undefined);
  assert.equal(languageForVsCodeId("typescriptreact"), "tsx");
  assert.equal(languageForVsCodeId("csharp"), "c-sharp");
  assert.equal(languageForVsCodeId("plaintext"), undefined);
});

test("parse returns a tree that can be walked and disposed", async () => {
  const tree = await parse("const a = 1;\n", "typescript");
  assert.equal(tree.rootNode.type, "program");
  assert.equal(tree.rootNode.namedChildren[0]?.type, "lexical_declaration");
  tree.dispose();
  const again = await parse("def f():\n    return 1\n", "python");
  assert.equal(again.rootNode.namedChildren[0]?.type, "function_definition");
  again.dispose();
});

const tsSource = `import { x } from "./x";
export interface Shape { area(): number; name: string }
export type Id = string;
enum Color { Red, Green = 2 }
export class Circle implements Shape {
  name = "circle";
  constructor(private readonly radius: number, plain: number) {}
  area(): number { return Math.PI * this.radius ** 2; }
  static unit() { return new Circle(1, 0); }
}
export function makeCircle(r: number) { const local = r; return new Circle(local, 0); }
const helper = (a: number) => a + 1, limit = 3;
const { first, second: renamed } = pair();
namespace Geometry { export const origin = 0; }
export { helper };
`;

test("extractDefinitions finds TypeScript declarations, members and exports", async () => {
  const definitions = await extractDefinitions(tsSource, "typescript");
  const summary = definitions.map(
    (d) => `${d.container ? d.container + "." : ""}${d.name}:${d.kind}${d.exported ? "!" : ""}`,
  );
  assert.deepEqual(summary, [
    "Shape:interface!",
    "Shape.area:method!",
    "Shape.name:property!",
    "Id:type!",
    "Color:enum",
    "Color.Red:property",
    "Color.Green:property",
    "Circle:class!",
    "Circle.name:property!",
    "Circle.radius:property!",
    "Circle.area:method!",
    "Circle.unit:method!",
    "makeCircle:function!",
    "helper:function!",
    "limit:variable",
    "first:variable",
    "renamed:variable",
    "Geometry:module",
    "Geometry.origin:variable!",
  ]);
  const circle = definitions.find((d) => d.name === "Circle")!;
  assert.deepEqual([circle.startLine, circle.startColumn, circle.endLine], [4, 7, 9]);
});

test("extractDefinitions finds Python functions, classes, members and self attributes", async () => {
  const source = [
    "import os",
    "LIMIT = 10",
    "a, b = 1, 2",
    "def _private(x):",
    "    inner = x",
    "    return inner",
    "@dataclass",
    "class Store(Base):",
    "    kind: str = 'memory'",
    "    def __init__(self, path):",
    "        self.path = path",
    "        self._cache = {}",
    "    @property",
    "    def size(self):",
    "        return len(self._cache)",
  ].join("\n");
  const definitions = await extractDefinitions(source, "python");
  const summary = definitions.map(
    (d) => `${d.container ? d.container + "." : ""}${d.name}:${d.kind}${d.exported ? "!" : ""}`,
  );
  assert.deepEqual(summary, [
    "LIMIT:variable!",
    "a:variable!",
    "b:variable!",
    "_private:function",
    "Store:class!",
    "Store.kind:property!",
    "Store.__init__:method!",
    "Store.path:property!",
    "Store._cache:property",
    "Store.size:method!",
  ]);
  assert.equal(
    definitions.find((d) => d.name === "Store")!.startLine,
    6,
    "a decorated class starts at its decorator",
  );
});

test("extractDefinitions finds JavaScript properties assigned in methods and TSX components", async () => {
  const js = await extractDefinitions(
    "export class Room {\n  constructor(name) {\n    this.name = name;\n    this.members = new Set();\n  }\n  join(user) { this.members.add(user); this.lastJoined = user; }\n}\n",
    "javascript",
  );
  assert.deepEqual(
    js.map((d) => `${d.container ?? ""}.${d.name}:${d.kind}`),
    [
      ".Room:class",
      "Room.name:property",
      "Room.members:property",
      "Room.join:method",
      "Room.lastJoined:property",
    ],
  );
  const tsx = await extractDefinitions(
    'export const Button = ({ label }: { label: string }) => <button>{label}</button>;\nexport default function App() { return <Button label="x" />; }\n',
    "tsx",
  );
  assert.deepEqual(
    tsx.map((d) => `${d.name}:${d.kind}:${d.exported}`),
    ["Button:function:true", "App:function:true"],
  );
});

test("extractDefinitions does best effort for other grammars", async () => {
  const go = await extractDefinitions(
    "package m\nfunc Run() {}\ntype server struct{}\nfunc (s *server) stop() {}\n",
    "go",
  );
  assert.deepEqual(
    go.map((d) => `${d.name}:${d.kind}:${d.exported}`),
    ["Run:function:true", "server:type:false", "stop:method:false"],
  );
  const rust = await extractDefinitions(
    "pub struct P { x: i32 }\nimpl P { pub fn new() -> P { P { x: 0 } } }\n",
    "rust",
  );
  assert.deepEqual(
    rust.map((d) => `${d.container ?? ""}.${d.name}:${d.kind}`),
    [".P:class", "P.x:property", "P.new:method"],
  );
});

test("chunkBySyntax covers the file with declarations and splits large ones by members", async () => {
  const methods = Array.from({ length: 6 }, (_, i) => `  m${i}() {\n    return ${i};\n  }`).join("\n");
  const source = `import a from "a";\nimport b from "b";\n\n// the big one\nclass Big {\n${methods}\n}\n\nfunction small() {\n  return 1;\n}\nsmall();\n`;
  const lineCount = source.split("\n").length;
  const chunks = await chunkBySyntax(source, "typescript", { maxLines: 8 });
  let expected = 0;
  for (const chunk of chunks) {
    assert.equal(chunk.startLine, expected, "chunks are contiguous");
    assert.ok(chunk.endLine - chunk.startLine + 1 <= 8, `chunk ${chunk.startLine}-${chunk.endLine} fits`);
    assert.equal(
      chunk.text,
      source
        .split("\n")
        .slice(chunk.startLine, chunk.endLine + 1)
        .join("\n"),
    );
    expected = chunk.endLine + 1;
  }
  assert.equal(expected, lineCount, "chunks reach the end of the file");
  assert.equal(chunks[0]!.kind, "statements");
  const bigParts = chunks.filter((c) => c.name === "Big");
  assert.ok(bigParts.length >= 2, "the class was split by its methods");
  assert.ok(
    bigParts[0]!.text.trimStart().startsWith("// the big one\nclass Big {"),
    "the comment and header stay with the first member",
  );
  const small = chunks.find((c) => c.name === "small")!;
  assert.equal(small.kind, "function_declaration");
  assert.ok(small.text.includes("return 1"));
});

test("chunkBySyntax keeps a Python file whole when it is small", async () => {
  const source = "def f():\n    return 1\n\nclass C:\n    pass\n";
  const chunks = await chunkBySyntax(source, "python", { maxLines: 40 });
  assert.deepEqual(
    chunks.map((c) => [c.kind, c.name, c.startLine, c.endLine]),
    [
      ["function_definition", "f", 0, 1],
      ["class_definition", "C", 2, 5],
    ],
  );
});
