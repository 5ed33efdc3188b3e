import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { test } from "node:test";
import ts from "typescript";
import { repoRoot } from "../support/repoRoot.js";

const sourceRoots = ["engine", "extension", "webview"];

function sourceFiles(folder: string): string[] {
  const files: string[] = [];
  for (const name of readdirSync(join(repoRoot, folder))) {
    const path = join(folder, name);
    if (statSync(join(repoRoot, path)).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(path);
  }
  return files;
}

interface Import {
  from: string;
  to: string;
}

/** Every relative import of the product's sources, as repo-relative file paths (`.js` read as `.ts`). */
function relativeImports(): Import[] {
  const imports: Import[] = [];
  for (const file of sourceRoots.flatMap(sourceFiles)) {
    const info = ts.preProcessFile(readFileSync(join(repoRoot, file), "utf8"), true, true);
    for (const { fileName } of info.importedFiles) {
      if (!fileName.startsWith(".")) continue;
      imports.push({ from: file, to: normalize(join(dirname(file), fileName.replace(/\.js$/, ".ts"))) });
    }
  }
  return imports;
}

/** Strongly connected groups of two or more folders (Tarjan), each listed with the imports that tie it. */
function folderCycles(imports: Import[]): string[][] {
  const edges = new Map<string, Set<string>>();
  for (const { from, to } of imports) {
    const [a, b] = [dirname(from), dirname(to)];
    if (a === b) continue;
    if (!edges.has(a)) edges.set(a, new Set());
    edges.get(a)!.add(b);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  let next = 0;
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const target of edges.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return groups;
}

test("no two folders of engine/, extension/ or webview/ import each other, directly or round about", () => {
  const imports = relativeImports();
  const cycles = folderCycles(imports).map((group) => {
    const ties = imports
      .filter(({ from, to }) => group.includes(dirname(from)) && group.includes(dirname(to)))
      .filter(({ from, to }) => dirname(from) !== dirname(to))
      .map(({ from, to }) => `${from} -> ${to}`);
    return `${group.join(" <-> ")}\n    ${ties.join("\n    ")}`;
  });
  assert.deepEqual(cycles, [], `folders in a cycle:\n  ${cycles.join("\n  ")}`);
});

test("the cycle check finds a cycle between folders, however long", () => {
  const cycles = folderCycles([
    { from: "a/x.ts", to: "b/y.ts" },
    { from: "b/y.ts", to: "c/z.ts" },
    { from: "c/z.ts", to: "a/w.ts" },
    { from: "c/z.ts", to: "d/v.ts" },
  ]);
  assert.deepEqual(cycles, [["a", "b", "c"]]);
});

test("engine/host is split by side: contract, client (extension host), server (engine process)", () => {
  const entries = readdirSync(join(repoRoot, "engine/host")).sort();
  assert.deepEqual(entries, ["client", "contract", "index.ts", "server"]);
  const imports = relativeImports();
  const into = (from: string, to: string) =>
    imports.filter((i) => i.from.startsWith(from) && i.to.startsWith(to)).map((i) => `${i.from} -> ${i.to}`);
  assert.deepEqual(into("engine/host/contract/", "engine/host/client/"), []);
  assert.deepEqual(into("engine/host/contract/", "engine/host/server/"), []);
  assert.deepEqual(into("engine/host/client/", "engine/host/server/"), []);
  assert.deepEqual(into("engine/host/server/", "engine/host/client/"), []);
  // Below the host, nothing imports the client or the server: they are the top of the engine.
  const upward = imports
    .filter((i) => /^engine\/host\/(client|server)\//.test(i.to))
    .filter((i) => !i.from.startsWith("engine/host/") && !i.from.startsWith("extension/"))
    .filter((i) => !i.from.startsWith("engine/cli/"))
    .map((i) => `${i.from} -> ${i.to}`);
  assert.deepEqual(upward, []);
});

test("the extension reaches the engine host through the contract's and the client's index only", () => {
  const deep = relativeImports()
    .filter((i) => i.from.startsWith("extension/") && i.to.startsWith("engine/host/"))
    .map((i) => relative(repoRoot, join(repoRoot, i.to)))
    .filter((to) => to !== "engine/host/contract/index.ts" && to !== "engine/host/client/index.ts")
    // The webview's bundle shares chatProtocol.ts; it takes the limits module alone (see its header).
    .filter((to) => to !== "engine/host/contract/inputLimits.ts");
  assert.deepEqual(deep, []);
});
