import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  applyPolicy,
  detect,
  editDistance,
  identifierWords,
  nearestNames,
  passesDetector,
  repairContext,
  workspaceFromFiles,
  type Finding,
  type IndexedWorkspace,
} from "../../engine/detector/index.js";
import {
  cargoDependenciesOf,
  goRequirementsOf,
  pyprojectDependenciesOf,
  requirementsOf,
} from "../../engine/detector/dependencies.js";
import type { LanguageId } from "../../engine/syntax/index.js";

let root: string;
let workspace: IndexedWorkspace;

const sources: Record<string, string> = {
  "src/store.ts": `export class Store<T> {
  private items: T[] = [];
  add(item: T): void { this.items.push(item); }
  size(): number { return this.items.length; }
}
export function createStore(): Store<number> { return new Store(); }
export enum Level { Low, High }
`,
  "src/base.ts": `export class Animal { speak() { return "..."; } }
export class Dog extends Animal { fetch() { return "ball"; } }
export class Mystery extends ExternalBase { reveal() {} }
`,
  "app/models.py": `class User:
    def __init__(self, name):
        self.name = name

    def greet(self):
        return self.name


def load_users():
    return []
`,
  "app/__init__.py": "",
};

const support: Record<string, string> = {
  "package.json": JSON.stringify({
    name: "demo",
    dependencies: { lodash: "1", "@acme/http": "1" },
    devDependencies: { declaredonly: "1" },
  }),
  "node_modules/lodash/package.json": JSON.stringify({ name: "lodash" }),
  "node_modules/transitive/package.json": JSON.stringify({ name: "transitive" }),
  "node_modules/@acme/http/package.json": JSON.stringify({ name: "@acme/http", types: "types.d.ts" }),
  "node_modules/@acme/http/types.d.ts":
    "export declare function get(url: string): Promise<string>;\nexport declare class Client { send(): void }\n",
  "requirements.txt": "requests==2.0  # http\n-r other.txt\nPyYAML>=6\n",
  ".venv/lib/python3.11/site-packages/requests/__init__.py":
    "from .api import get\nclass Session:\n    pass\n",
  ".venv/lib/python3.11/site-packages/requests/api.py": "def get(url):\n    pass\n",
};

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-detector-test-"));
  for (const [path, text] of Object.entries({ ...sources, ...support })) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  workspace = await workspaceFromFiles(
    Object.entries(sources).map(([path, text]) => ({ path, text })),
    { root },
  );
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function findings(
  snippet: string,
  language: LanguageId = "typescript",
  extra: { prefixContext?: string; path?: string } = {},
): Promise<Finding[]> {
  return detect(snippet, {
    language,
    workspace,
    path: extra.path ?? (language === "python" ? "app/main.py" : "src/main.ts"),
    ...(extra.prefixContext === undefined ? {} : { prefixContext: extra.prefixContext }),
  });
}

const summary = (list: Finding[]): string[] => list.map((finding) => `${finding.kind}:${finding.name}`);

describe("symbols", () => {
  test("names bound by the snippet are not findings: params, destructuring, loops, catch, imports, classes, labels", async () => {
    const snippet = `import { createStore as make } from "./store.js";
import * as path from "node:path";
function f({ a, b: c, ...rest }: { a: number; b: number }, [d, ...e]: number[], g = 1) {
  for (const [k, v] of Object.entries(rest)) console.log(k, v);
  try { return a + c + d + e.length + g; } catch (error) { return error; }
}
const h = (x: number) => x * 2;
class Local<T> { value?: T; read(): T | undefined { return this.value; } }
outer: for (let i = 0; i < 2; i++) { if (i) continue outer; }
function args() { return arguments.length; }
console.log(make(), path.sep, h(1), new Local<string>().read(), Math.PI, undefined, globalThis, process.env.HOME);
`;
    assert.deepEqual(summary(await findings(snippet)), []);
  });

  test("an unbound name is an unknown symbol with its span and nearby suggestions", async () => {
    const snippet = "const s = createStor();\nlet t: Stor<number>;\n";
    const result = await findings(snippet);
    assert.deepEqual(summary(result), ["unknownSymbol:createStor", "unknownSymbol:Stor"]);
    assert.equal(snippet.slice(result[0]!.span.start, result[0]!.span.end), "createStor");
    assert.deepEqual(result[0]!.suggestions.slice(0, 1), ["createStore"]);
    assert.ok(result[1]!.suggestions.includes("Store"));
    assert.match(result[0]!.evidence, /not bound/);
  });

  test("the prefix context binds names, and spans stay relative to the snippet (non-ASCII before it)", async () => {
    const prefixContext = `// héllo wörld ✓\nimport { createStore } from "./store.js";\nconst 名前 = 1;\n`;
    const snippet = "const s = createStore();\nmissingThing(s);\n";
    const result = await findings(snippet, "typescript", { prefixContext });
    assert.deepEqual(summary(result), ["unknownSymbol:missingThing"]);
    assert.equal(snippet.slice(result[0]!.span.start, result[0]!.span.end), "missingThing");
  });

  test("a snippet inside a method sees the method's parameters and its class through the prefix and suffix", async () => {
    const prefixContext =
      "export class Basket {\n  private total = 0;\n  add(price: number, count = 1) {\n    ";
    const suffixContext = "\n  }\n  clear() { this.total = 0; }\n}\n";
    const snippet = "this.total += price * count + this.discount;\nreturn this.clear();";
    const result = await detect(snippet, {
      language: "typescript",
      workspace,
      prefixContext,
      suffixContext,
      path: "src/basket.ts",
    });
    assert.deepEqual(summary(result), ["unknownMember:discount"]);
    assert.equal(snippet.slice(result[0]!.span.start, result[0]!.span.end), "discount");
  });

  test("TSX: intrinsic elements and attributes are not references, components are", async () => {
    const snippet = `import { createStore } from "./store";\nexport function App({ items }: { items: string[] }) {\n  return <div className="list">{items.map((item) => <span key={item}>{createStore().size()}</span>)}<Missing /></div>;\n}\n`;
    const result = await detect(snippet, { language: "tsx", workspace, path: "src/App.tsx" });
    assert.deepEqual(summary(result), ["unknownSymbol:Missing"]);
  });

  test("workspace symbols are known even when the file does not import them", async () => {
    assert.deepEqual(summary(await findings("const s = createStore();\n")), []);
  });

  test("Python: comprehension, lambda, with, except, walrus, global and star parameters bind; builtins are known", async () => {
    const snippet = `import os
def f(a, *args, b=2, **kw):
    total = [x for x in args if x]
    with open(a) as handle:
        data = handle.read()
    try:
        pass
    except ValueError as error:
        print(error)
    if (n := len(total)) > 1:
        return lambda q: q + n
    return os.getcwd(), kw, b, data, __file__, __name__
for i, (j, k) in enumerate([(1, 2)]):
    print(i, j, k, isinstance(i, int))
`;
    assert.deepEqual(summary(await findings(snippet, "python")), []);
    const bad = await findings("value = undefined_helper(1)\nprint(lenn(value))\n", "python");
    assert.deepEqual(summary(bad), ["unknownSymbol:undefined_helper", "unknownSymbol:lenn"]);
    assert.ok(bad[1]!.suggestions.includes("len"));
  });

  test("keyword argument names and attributes are not references", async () => {
    assert.deepEqual(
      summary(await findings("print(sep=', ', end='')\nprint(os_path_like.attribute)\n", "python")),
      ["unknownSymbol:os_path_like"],
    );
  });
});

describe("members", () => {
  test("instances created with new or annotated, this, enums and lib globals are checked", async () => {
    const snippet = `import { Store, Level } from "./store.js";
const s = new Store<number>();
s.add(1); s.sizee();
function use(p: Store<string>) { return p.size() + p.nope; }
const m = new Map<string, number>();
m.set("a", 1); m.sett("b", 2);
Math.floor(1.5); Math.flor(2.5); JSON.parse("1"); Array.from([]); Promise.all([]); console.log(Level.Low, Level.Medium);
class K { v = 1; m() { return this.v + this.w; } }
const o = { x: 1, read() { return this.y; } };
`;
    const result = await findings(snippet);
    assert.deepEqual(summary(result), [
      "unknownMember:sizee",
      "unknownMember:nope",
      "unknownMember:sett",
      "unknownMember:flor",
      "unknownMember:Medium",
      "unknownMember:w",
    ]);
    assert.deepEqual(result[0]!.suggestions.slice(0, 1), ["size"]);
    assert.equal(result[3]!.container, "Math");
    assert.deepEqual(result[3]!.suggestions.slice(0, 1), ["floor"]);
  });

  test("inherited members count; an unknown base makes the class unknowable", async () => {
    const snippet = `import { Dog, Mystery } from "./base.js";\nconst d = new Dog();\nd.speak(); d.fetch(); d.fly();\nconst m = new Mystery();\nm.anything();\nclass MyError extends Error { code = 1 }\nconst e = new MyError();\ne.message; e.code; e.codee;\n`;
    assert.deepEqual(summary(await findings(snippet)), ["unknownMember:fly", "unknownMember:codee"]);
  });

  test("namespace imports of Node built-ins and named imports are checked against exports", async () => {
    const snippet = `import * as fs from "node:fs";\nimport { readFile, readFileAsync } from "fs/promises";\nimport { get, post } from "@acme/http";\nimport { createStore, createStor } from "./store.js";\nfs.readFileSync("a"); fs.readFileSynk("b");\n`;
    const result = await findings(snippet);
    assert.deepEqual(summary(result).sort(), [
      "unknownMember:createStor",
      "unknownMember:post",
      "unknownMember:readFileAsync",
      "unknownMember:readFileSynk",
    ]);
    assert.ok(
      result.find((finding) => finding.name === "readFileSynk")!.suggestions.includes("readFileSync"),
    );
  });

  test("a receiver whose type is not knowable is not judged", async () => {
    const snippet = `import lodash from "lodash";\nimport { createStore } from "./store.js";\nconst s = createStore();\ns.whatever(); lodash.anything(); unknownObject?.member;\nlet a = new Store(); a = other(); a.foo();\n`;
    assert.deepEqual(summary(await findings(snippet)), [
      "unknownSymbol:unknownObject",
      "unknownSymbol:other",
    ]);
  });

  test("Python: modules, instances, self and from-imports are checked", async () => {
    const snippet = `import os
import requests
from app.models import User, load_user
from requests import Session, Sesion
u = User("a")
u.greet()
u.greeet()
os.path.join("a")
os.path.joinn("b")
requests.get("x")
requests.fetch("y")
class A:
    def m(self):
        self.z = 1
        return self.z + self.q
`;
    const result = await findings(snippet, "python");
    assert.deepEqual(summary(result), [
      "unknownMember:load_user",
      "unknownMember:Sesion",
      "unknownMember:greeet",
      "unknownMember:joinn",
      "unknownMember:fetch",
      "unknownMember:q",
    ]);
    assert.ok(result[0]!.suggestions.includes("load_users"));
  });
});

describe("imports", () => {
  test("JS: relative files, declared or installed packages, scoped names, node: built-ins", async () => {
    const snippet = `import "./store.js";\nimport "./store";\nimport "./base.ts";\nimport "./nowhere.js";\nimport "lodash/fp";\nimport "transitive";\nimport "declaredonly";\nimport "@acme/http";\nimport "@acme/https";\nimport "left-pad";\nimport "node:fs";\nimport "node:test";\nimport "node:filesystem";\nconst x = require("fs");\nconst y = require("ghost-pkg");\nconst z = await import("./ghost.js");\n`;
    const result = await findings(snippet);
    assert.deepEqual(summary(result), [
      "unknownPackage:./nowhere.js",
      "unknownPackage:@acme/https",
      "unknownPackage:left-pad",
      "unknownPackage:node:filesystem",
      "unknownPackage:ghost-pkg",
      "unknownPackage:./ghost.js",
    ]);
    assert.equal(snippet.slice(result[0]!.span.start, result[0]!.span.end), "./nowhere.js");
    assert.ok(result[1]!.suggestions.includes("@acme/http"));
    assert.match(result[2]!.evidence, /package\.json/);
  });

  test("Python: stdlib, installed, declared, workspace modules and relative imports", async () => {
    const snippet = `import os.path\nimport json\nimport requests\nimport requests.api\nimport requests.missing\nimport pyyaml\nimport reqwests\nimport app.models\nimport app.nothing\nfrom . import models\nfrom .models import User\nfrom .ghost import x\n`;
    const result = await findings(snippet, "python");
    assert.deepEqual(summary(result), [
      "unknownPackage:requests.missing",
      "unknownPackage:reqwests",
      "unknownPackage:app.nothing",
      "unknownPackage:.ghost",
    ]);
    assert.ok(result[1]!.suggestions.includes("requests"));
  });
});

describe("workspace", () => {
  test("declares dependencies from every manifest format", () => {
    assert.deepEqual(
      requirementsOf(
        "requests==2.0 # c\n# comment\n-r base.txt\nPyYAML[extra]>=6 ; python_version>'3'\ngit+https://x\n",
      ),
      ["requests", "PyYAML", "git"],
    );
    assert.deepEqual(
      pyprojectDependenciesOf(
        `[project]\nname = "x"\ndependencies = [\n  "httpx>=0.27",\n  'rich',\n]\n[tool.poetry.dependencies]\npython = "^3.11"\nclick = "^8"\n`,
      ),
      ["httpx", "rich", "click"],
    );
    assert.deepEqual(
      goRequirementsOf(
        "module m\nrequire (\n  github.com/a/b v1.2.3\n  golang.org/x/text v0.3.0 // indirect\n)\nrequire example.com/c v1.0.0\n",
      ),
      ["github.com/a/b", "golang.org/x/text", "example.com/c"],
    );
    assert.deepEqual(
      cargoDependenciesOf(
        `[package]\nname = "x"\n[dependencies]\nserde = "1"\ntokio = { version = "1" }\n[dev-dependencies]\ncriterion = "0.5"\n[dependencies.rand]\nversion = "0.8"\n`,
      ),
      ["serde", "tokio", "criterion", "rand"],
    );
    assert.ok(workspace.declaredDependencies().python.has("PyYAML"));
    assert.ok(workspace.declaredDependencies().npm.has("declaredonly"));
  });

  test("updating a file changes what exists without rebuilding the rest", async () => {
    assert.equal(workspace.hasSymbol("brandNew"), false);
    await workspace.updateFile("src/extra.ts", "export function brandNew() {}\n");
    assert.equal(workspace.hasSymbol("brandNew"), true);
    assert.equal(workspace.hasSymbol("createStore"), true);
    workspace.removeFile("src/extra.ts");
    assert.equal(workspace.hasSymbol("brandNew"), false);
  });
});

describe("suggestions", () => {
  test("edit distance counts transpositions and stops early", () => {
    assert.equal(editDistance("flor", "floor"), 1);
    assert.equal(editDistance("sizee", "size"), 1);
    assert.equal(editDistance("abcd", "abdc"), 1);
    assert.ok(editDistance("completely", "different", 2) > 2);
  });

  test("nearest names prefer case-insensitive matches, then edits, then shared words", () => {
    assert.deepEqual(identifierWords("fetchUserHTTPData_v2"), ["fetch", "user", "http", "data", "v2"]);
    assert.deepEqual(nearestNames("readfilesync", ["readFile", "readFileSync", "writeFileSync", "rmdir"]), [
      "readFileSync",
      "readFile",
      "writeFileSync",
    ]);
    assert.deepEqual(nearestNames("readfilesync", ["writeFileSync", "readFileSync"], 1), ["readFileSync"]);
    assert.deepEqual(nearestNames("loadUserProfile", ["loadProfileForUser", "saveThing"]), [
      "loadProfileForUser",
    ]);
    assert.deepEqual(nearestNames("zzz", ["alpha", "beta"]), []);
  });
});

describe("policy and repair", () => {
  const unknown: Finding = {
    kind: "unknownSymbol",
    span: { start: 0, end: 10 },
    name: "createStor",
    evidence: "",
    suggestions: ["createStore"],
  };
  const unsure: Finding = {
    kind: "lowConfidence",
    span: { start: 12, end: 14 },
    name: "42",
    evidence: "",
    suggestions: [],
  };

  test("applyPolicy shows, hides or regenerates", () => {
    assert.deepEqual(applyPolicy([unknown], "off"), { action: "show", annotations: [], blocking: [] });
    assert.equal(applyPolicy([unknown], "annotate").action, "show");
    assert.deepEqual(applyPolicy([unknown, unsure], "annotate").annotations, [unknown, unsure]);
    assert.equal(applyPolicy([unknown], "suppress").action, "hide");
    assert.equal(applyPolicy([unsure], "suppress").action, "show", "low confidence alone only annotates");
    assert.deepEqual(applyPolicy([unknown, unsure], "repair"), {
      action: "regenerate",
      annotations: [unknown, unsure],
      blocking: [unknown],
    });
    assert.equal(passesDetector([unsure]), true);
    assert.equal(passesDetector([unknown]), false);
  });

  test("repairContext brings the suggested definitions and the names to steer toward", () => {
    const member: Finding = {
      kind: "unknownMember",
      span: { start: 0, end: 5 },
      name: "sizee",
      container: "Store",
      evidence: "",
      suggestions: ["size"],
    };
    const context = repairContext([unknown, member, unsure], workspace);
    assert.deepEqual(
      context.definitions.map((definition) => `${definition.path}:${definition.name}`),
      ["src/store.ts:createStore", "src/store.ts:size", "src/store.ts:Store"],
    );
    assert.ok(context.promptText.includes("export function createStore()"));
    assert.ok(
      context.allowedNames.includes("createStore") &&
        context.allowedNames.includes("size") &&
        context.allowedNames.includes("add"),
    );
    assert.deepEqual(context.forbiddenNames, ["createStor", "sizee"]);
  });
});

describe("low confidence", () => {
  test("unlikely tokens become findings only where nothing else judged them", async () => {
    const snippet = "const total = price * 1.0825;\nmissingThing(total);\n";
    const at = (text: string) => ({ start: snippet.indexOf(text), end: snippet.indexOf(text) + text.length });
    const last = (text: string) => ({
      start: snippet.lastIndexOf(text),
      end: snippet.lastIndexOf(text) + text.length,
    });
    const result = await detect(snippet, {
      language: "typescript",
      workspace,
      tokenConfidences: [
        { ...at("1.0825"), probability: 0.01 },
        { ...at("price"), probability: 0.01 },
        { ...at("missingThing"), probability: 0.02 },
        { ...at("total"), probability: 0.9 },
        { ...last("total"), probability: 0.01 },
      ],
    });
    // price and missingThing are already findings, and the second total is a bound local: only the constant
    // is left.
    assert.deepEqual(summary(result), [
      "unknownSymbol:price",
      "lowConfidence:1.0825",
      "unknownSymbol:missingThing",
    ]);
    assert.match(result[1]!.evidence, /probability 0\.010/);
  });
});
