// The Python stub tables: the reader of .pyi/.py modules, type resolution over them, and the generated
// stdlib table checked against the real python3 (the oracle lives here, never in the product).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import data from "../../engine/detector/data/pythonStubs.json" with { type: "json" };
import { detect, workspaceFromFiles } from "../../engine/detector/index.js";
import type { PyModule } from "../../engine/detector/python/moduleModel.js";
import { PythonTypes } from "../../engine/detector/python/pythonTypes.js";
import { readPythonModule } from "../../engine/detector/python/readModule.js";
import { parse } from "../../engine/syntax/index.js";

async function read(name: string, text: string, stub = true): Promise<PyModule> {
  const tree = await parse(text, "python");
  try {
    return readPythonModule(tree.rootNode, { name, isPackage: false, stub, version: [3, 11] });
  } finally {
    tree.dispose();
  }
}

describe("reading a module", () => {
  test("version branches, overloads, properties, aliases and star imports", async () => {
    const model = await read(
      "shapes",
      `import sys
from typing import overload, Self
from collections.abc import Iterator as Iterator
from .base import *
__all__ = ["Circle", "make"]
class Circle(Base):
    radius: float
    @property
    def area(self) -> float: ...
    def scaled(self, k: float) -> Self: ...
    if sys.version_info >= (3, 12):
        def only_312(self) -> None: ...
    else:
        def before_312(self) -> None: ...
    if sys.platform == "win32":
        def on_windows(self) -> int: ...
    def _private(self) -> int: ...
@overload
def make(x: int) -> Circle: ...
@overload
def make(x: str) -> str | None: ...
Alias = Circle
`,
    );
    const circle = model.s.Circle;
    assert.ok(typeof circle === "object");
    assert.deepEqual(circle.b, ["shapes:Base"]);
    assert.deepEqual(circle.m, {
      radius: "abuiltins:float",
      area: "abuiltins:float",
      scaled: "mSelf",
      before_312: "mNone",
      on_windows: "mbuiltins:int",
    });
    assert.equal(model.s.make, "fshapes:Circle|builtins:str|None");
    assert.equal(model.s.Alias, "rshapes:Circle");
    assert.equal(model.s.Iterator, "rcollections.abc:Iterator");
    assert.deepEqual(model.star, ["base"]);
    assert.deepEqual(model.all, ["Circle", "make"]);
  });

  test("a source: `self.x = ...` attributes, __getattr__ opens a class, guarded imports", async () => {
    const model = await read(
      "pkg.client",
      `try:
    import ujson as json
except ImportError:
    import json
class Client(Base):
    def __init__(self):
        self.timeout = 3
        self._secret = 1
    def send(self): pass
class Loose:
    def __getattr__(self, name): return name
`,
      false,
    );
    const client = model.s.Client;
    assert.ok(typeof client === "object");
    assert.deepEqual(Object.keys(client.m).sort(), ["send", "timeout"]);
    assert.equal((model.s.Loose as { o?: number }).o, 1);
    assert.equal(model.s.json, "mjson");
  });

  test("a raising module __getattr__ serves the names it tests; a returning one opens it", async () => {
    const closed = await read(
      "pkg",
      'def __getattr__(name):\n    if name == "OldName":\n        return 1\n    raise AttributeError(name)\n',
      false,
    );
    assert.equal(closed.o, undefined);
    assert.deepEqual(Object.keys(closed.s), ["OldName"]);
    const open = await read("lazy", "def __getattr__(name):\n    return load(name)\n", false);
    assert.equal(open.o, 1);
  });
});

describe("types over module models", () => {
  test("inherited members follow the MRO; Self is the receiver's class; unions merge", async () => {
    const modules: Record<string, PyModule> = {
      m: await read(
        "m",
        `class A:
    def who(self) -> str: ...
    def copy(self) -> Self: ...
class B:
    def who(self) -> int: ...
    def extra(self) -> None: ...
class C(A, B): ...
def either() -> A | B: ...
`,
      ),
      builtins: await read(
        "builtins",
        "class str:\n    def upper(self) -> str: ...\nclass int:\n    def bit_length(self) -> int: ...\n",
      ),
    };
    const types = new PythonTypes({ module: (name) => modules[name], isModule: (name) => name in modules });
    const c = types.call(types.valueOfRef("m:C")!)!;
    assert.deepEqual([...types.publicMembers(c)!].sort(), ["copy", "extra", "who"]);
    assert.deepEqual(types.call(types.attribute(c, "who")!), { kind: "instance", refs: ["builtins:str"] });
    assert.deepEqual(types.call(types.attribute(c, "copy")!), { kind: "instance", refs: ["m:C"] });
    const either = types.call(types.valueOfRef("m:either")!)!;
    assert.deepEqual([...types.publicMembers(either)!].sort(), ["copy", "extra", "who"]);
    assert.deepEqual(types.call(types.attribute(either, "who")!), {
      kind: "instance",
      refs: ["builtins:str", "builtins:int"],
    });
    assert.equal(types.attribute(either, "extra"), undefined);
  });
});

/** Every n-th public class of an importable public stdlib module, in a fixed order. */
function sampleClasses(every: number): { module: string; name: string }[] {
  const modules = JSON.parse(data.modules) as Record<string, PyModule>;
  const all: { module: string; name: string }[] = [];
  for (const module of Object.keys(modules).sort()) {
    if (module.split(".").some((part) => part.startsWith("_"))) continue;
    if (/^(tkinter|idlelib|turtle|turtledemo|antigravity|this|distutils|lib2to3)\b/.test(module)) continue;
    for (const [name, symbol] of Object.entries(modules[module]!.s).sort(([a], [b]) => a.localeCompare(b)))
      if (typeof symbol === "object" && !name.startsWith("_")) all.push({ module, name });
  }
  return all.filter((_, index) => index % every === 0);
}

/** Asks python3 which names each class has (public dir()), and whether the probe names exist. */
function pythonOracle(
  classes: { module: string; name: string; probes: string[] }[],
): Record<string, { names: string[]; probes: boolean[] } | null> {
  const script = `
import importlib, json, sys, warnings
warnings.simplefilter("ignore")
out = {}
for entry in json.load(sys.stdin):
    try:
        value = getattr(importlib.import_module(entry["module"]), entry["name"])
    except Exception:
        value = None
    key = entry["module"] + ":" + entry["name"]
    out[key] = None if not isinstance(value, type) else {
        "names": sorted(n for n in dir(value) if not n.startswith("_")),
        "probes": [hasattr(value, p) for p in entry["probes"]],
    }
print(json.dumps(out))`;
  return JSON.parse(
    execFileSync("python3", ["-c", script], {
      input: JSON.stringify(classes),
      encoding: "utf8",
      maxBuffer: 64 << 20,
    }),
  ) as Record<string, { names: string[]; probes: boolean[] } | null>;
}

/** Near misses of a real name: a letter dropped, doubled, or a common suffix added. */
function nearMisses(name: string): string[] {
  return [name.slice(0, -1), `${name}${name.at(-1)}`, `${name}_all`].filter((miss) => miss.length > 2);
}

describe("the stdlib table against python3", () => {
  test("sampled stdlib classes: python3's names are no findings, near misses are", async (t) => {
    const root = await mkdtemp(join(tmpdir(), "coop-python-oracle-"));
    const workspace = await workspaceFromFiles([], { root });
    const sample = sampleClasses(10).map((entry) => ({ ...entry, probes: [] as string[] }));
    const first = pythonOracle(sample);
    // Probes: near misses of three real names per class; python3 labels them too.
    for (const entry of sample) {
      const names = first[`${entry.module}:${entry.name}`]?.names ?? [];
      const picked = [names[0], names[Math.floor(names.length / 2)], names.at(-1)].filter(
        (n) => n !== undefined,
      );
      entry.probes = [...new Set(picked.flatMap(nearMisses))];
    }
    const oracle = pythonOracle(sample);
    let correct = 0;
    let falseFindings = 0;
    let planted = 0;
    let caught = 0;
    const wrong: string[] = [];
    for (const entry of sample) {
      const labels = oracle[`${entry.module}:${entry.name}`];
      if (labels === null || labels === undefined) continue;
      const cases = [
        ...labels.names.map((name) => ({ name, exists: true })),
        ...entry.probes.map((name, index) => ({ name, exists: labels.probes[index]! })),
      ];
      const snippet = cases.map(({ name }) => `${entry.name}.${name}\n`).join("");
      const found = await detect(snippet, {
        language: "python",
        workspace,
        prefixContext: `from ${entry.module} import ${entry.name}\n`,
      });
      const flagged = new Set(found.filter((f) => f.kind === "unknownMember").map((f) => f.name));
      for (const { name, exists } of cases) {
        if (exists) {
          correct++;
          if (flagged.has(name)) {
            falseFindings++;
            wrong.push(`${entry.module}.${entry.name}.${name}`);
          }
        } else {
          planted++;
          if (flagged.has(name)) caught++;
        }
      }
    }
    await rm(root, { recursive: true, force: true });
    t.diagnostic(
      `${correct} names python3 has, ${falseFindings} flagged; ${caught}/${planted} near misses caught`,
    );
    assert.ok(correct > 1000 && planted > 150, `sample too small: ${correct} correct, ${planted} planted`);
    assert.equal(
      falseFindings,
      0,
      `python3 has these, the detector said not: ${wrong.slice(0, 10).join(", ")}`,
    );
    assert.ok(caught / planted >= 0.9, `recall ${caught}/${planted} on near misses python3 does not have`);
  });
});
