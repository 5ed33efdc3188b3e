// Statement templates for the TypeScript (shop) and JavaScript (chat) workspaces. Each makes a
// fragment with fresh local names; asked to plant, it plants one hallucination and labels it.
import type { Fragment, FragmentMaker, Generation } from "./fragment.js";

const ts = (g: Generation, typed: string, plain = ""): string => (g.typescript ? typed : plain);

// Built-ins real and unusual: hard negatives for the symbol and member checks.
const builtinLines: ((g: Generation) => string[])[] = [
  (g) => [`const ${g.local("rounded")} = Math.max(1, Math.round(2.6)) + Math.hypot(3, 4);`],
  (g) => {
    const v = g.local("json");
    return [`const ${v} = JSON.stringify({ ok: true });`, `console.log(JSON.parse(${v}));`];
  },
  (g) => {
    const v = g.local("counts");
    return [
      `const ${v} = new Map${ts(g, "<string, number>")}();`,
      `${v}.set("k", 1);`,
      `if (${v}.has("k")) console.log(${v}.get("k"), ${v}.size);`,
    ];
  },
  (g) => {
    const v = g.local("seen");
    return [`const ${v} = new Set([1, 2]);`, `${v}.add(3);`, `console.log([...${v}].includes(2));`];
  },
  (g) => [`const ${g.local("pairs")} = Object.entries({ a: 1 }).map(([key, value]) => key + value);`],
  (g) => [`const ${g.local("evens")} = Array.from({ length: 3 }, (_, index) => index * 2).filter(Boolean);`],
  () => [`setTimeout(() => console.info("tick"), 10);`],
  (g) => {
    const v = g.local("url");
    return [
      `const ${v} = new URL("https://example.com/a?b=1");`,
      `console.log(${v}.searchParams.get("b"), ${v}.hostname);`,
    ];
  },
  (g) => {
    const v = g.local("now");
    return [`const ${v} = new Date();`, `console.log(${v}.toISOString(), ${v}.getFullYear());`];
  },
  (g) => [`const ${g.local("ratio")} = Number.parseFloat("1.5") + Number.EPSILON;`],
  (g) => [`const ${g.local("encoded")} = Buffer.from("hi").toString("base64");`],
  (g) => [`const ${g.local("mode")} = process.env.NODE_ENV ?? "development";`],
  (g) => [`const ${g.local("requestId")} = crypto.randomUUID();`],
  (g) => [`const ${g.local("amount")} = new Intl.NumberFormat("en").format(3);`],
  (g) => [`const ${g.local("copy")} = structuredClone({ a: [1] });`],
  () => [
    `queueMicrotask(() => console.debug(encodeURIComponent("a b"), Reflect.ownKeys({}), Symbol.iterator));`,
  ],
  (g) => [
    `const ${g.local("weak")} = new WeakRef({});`,
    `console.log(globalThis.isFinite(1), typeof window);`,
  ],
  (g) => [`const ${g.local("settled")} = await Promise.allSettled([Promise.resolve(1)]);`],
];

/** [receiver expression, its real members via the lib, plausible members it does not have]. */
const builtinMemberPlants: [string, string[]][] = [
  ["Math", ["clamp", "randomInt", "average", "roundTo"]],
  ["JSON", ["tryParse", "safeStringify", "parseSafe"]],
  ["Object", ["deepClone", "isEmpty", "mapValues"]],
  ["Array", ["flatten", "range", "zip"]],
  ["Promise", ["delay", "timeout", "sleep"]],
  ["console", ["success", "fatal", "verbose"]],
  ["Number", ["parseDecimal", "toFixedString"]],
  ["Date", ["today", "fromISO"]],
];

export const builtinFragment: FragmentMaker = (g, plant) => {
  const lines = g.random.sample(builtinLines, 2).flatMap((make) => make(g));
  if (!plant) return { lines };
  const [receiver, fakes] = g.random.pick(builtinMemberPlants);
  const member = g.freshMember(fakes, receiver);
  return {
    lines: [...lines, `const ${g.local("result")} = ${receiver}.${member}(1);`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};

export const instanceBuiltinFragment: FragmentMaker = (g, plant) => {
  const map = g.local("cache");
  const lines = [`const ${map} = new Map${ts(g, "<string, string>")}();`, `${map}.set("a", "b");`];
  if (!plant)
    return { lines: [...lines, `for (const [key, value] of ${map}.entries()) console.log(key, value);`] };
  const member = g.freshMember(["getOrDefault", "putIfAbsent", "setDefault", "containsKey"], "Map");
  return {
    lines: [...lines, `console.log(${map}.${member}("a"));`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};

// Locals, parameters, destructuring, shadowing, labels, closures: everything here is bound.
const bindingLines: ((g: Generation) => string[])[] = [
  (g) => [
    `function ${g.local("summarize")}({ sku, quantity }${ts(g, ": { sku: string; quantity: number }")}, [first, ...others]${ts(g, ": number[]")}) {`,
    `  return sku + quantity + first + others.length;`,
    `}`,
  ],
  () => [`for (const [key, value] of Object.entries({ a: 1 })) console.log(key, value);`],
  () => [
    `try {`,
    `  JSON.parse("{");`,
    `} catch (error) {`,
    `  console.error(error instanceof Error ? error.message : error);`,
    `}`,
  ],
  (g) => {
    const v = g.local("config");
    return [`const ${v} = { nested: { deep: 1 } };`, `console.log(${v}?.nested?.deep ?? 0, ${v}.nested);`];
  },
  (g) => {
    const v = g.local("add");
    return [`const ${v} = (a${ts(g, ": number")}, b = 1) => a + b;`, `console.log(${v}(2));`];
  },
  () => [
    `outer: for (let i = 0; i < 3; i++) {`,
    `  for (let j = 0; j < 3; j++) if (j === i) continue outer;`,
    `}`,
  ],
  (g) => [`function ${g.local("countArgs")}() {`, `  return arguments.length;`, `}`],
  (g) => {
    const k = g.local("Counter", true);
    return [
      `class ${k} {`,
      `  count = 0;`,
      `  increment() {`,
      `    this.count += 1;`,
      `    return this.count;`,
      `  }`,
      `}`,
      `new ${k}().increment();`,
    ];
  },
  (g) => [
    `const { ${g.local("alpha")}, beta: ${g.local("renamed")} = 2, ...${g.local("restProps")} } = { alpha: 1, gamma: 3 };`,
  ],
  (g) => {
    const v = g.local("reader");
    return [`const ${v} = { value: 1, read() { return this.value; } };`, `console.log(${v}.read());`];
  },
  (g) => [`const parseInt = (text${ts(g, ": string")}) => Number(text) * 2;`, `console.log(parseInt("4"));`],
  (g) => {
    const f = g.local("firstOf");
    return g.typescript
      ? [`function ${f}<T>(items: T[]): T | undefined {`, `  return items[0];`, `}`]
      : [`function ${f}(items) {`, `  return items[0];`, `}`];
  },
  (g) => [`const ${g.local("tag")} = \`\${typeof document}-\${[1, 2].length}\`;`],
  (g) => {
    const v = g.local("items");
    return [
      `const ${v} = [3, 1, 2].sort((left, right) => left - right);`,
      `${v}.forEach((item, index) => console.log(index, item));`,
    ];
  },
];

export const bindingFragment: FragmentMaker = (g, plant) => {
  const lines = g.random.sample(bindingLines, 2).flatMap((make) => make(g));
  if (!plant) return { lines };
  // An invented helper called from otherwise fine code.
  const name = g.freshSymbol("camel");
  const v = g.local("value");
  return {
    lines: [...lines, `const ${v} = ${name}(${g.random.pick(["1", "[]", "{ id: 1 }", '"x"'])});`],
    planted: [{ kind: "unknownSymbol", name }],
  };
};

export const plantedPackageFragment: FragmentMaker = (g) => {
  const specifier = g.random.chance(0.3)
    ? g.freshPackage(() => g.typoOf(g.random.pick(g.dependencies)))
    : g.random.chance(0.15)
      ? g.freshPackage(() => `node:${g.random.pick(["filesystem", "cryptography", "httpclient", "paths"])}`)
      : g.freshPackage(() => g.inventedPackage());
  const local = g.local("helper");
  const style = g.random.int(3);
  const importLine =
    style === 0
      ? `import ${local} from "${specifier}";`
      : style === 1
        ? `import * as ${local} from "${specifier}";`
        : `import { ${local} } from "${specifier}";`;
  return {
    imports: [importLine],
    lines: [`console.log(${local}${style === 2 ? "()" : ".run()"});`],
    planted: [{ kind: "unknownPackage", name: specifier }],
  };
};

// Node built-in modules, real usage and plants.
const nodeUsages: {
  imports: string[];
  lines: (g: Generation, name: string) => string[];
  receiver?: string;
  module: string;
}[] = [
  {
    module: "node:path",
    receiver: "path",
    imports: [`import * as path from "node:path";`],
    lines: (g) => [`const ${g.local("joined")} = path.join("a", path.basename("b/c"));`],
  },
  {
    module: "node:fs/promises",
    imports: [`import { readFile, writeFile } from "node:fs/promises";`],
    lines: () => [`await writeFile("out.txt", await readFile("in.txt", "utf8"));`],
  },
  {
    module: "node:crypto",
    imports: [`import { createHash } from "node:crypto";`],
    lines: (g) => [`const ${g.local("digest")} = createHash("sha256").update("x").digest("hex");`],
  },
  {
    module: "events",
    imports: [`import { EventEmitter } from "events";`],
    lines: (g) => {
      const v = g.local("emitter");
      return [`const ${v} = new EventEmitter();`, `${v}.on("ready", () => {});`];
    },
  },
  {
    module: "os",
    receiver: "os",
    imports: [`import os from "os";`],
    lines: (g) => [`const ${g.local("cores")} = os.cpus().length + os.totalmem();`],
  },
  {
    module: "node:test",
    imports: [`import test from "node:test";`],
    lines: () => [`test("works", () => {});`],
  },
  {
    module: "node:util",
    receiver: "util",
    imports: [`import * as util from "node:util";`],
    lines: (g) => [`const ${g.local("shown")} = util.inspect({ a: 1 }) + util.format("%d", 1);`],
  },
];

export const nodeFragment: FragmentMaker = (g, plant) => {
  const usage = g.random.pick(nodeUsages);
  const fragment: Fragment = { imports: [...usage.imports], lines: usage.lines(g, "") };
  if (!plant) return fragment;
  if (usage.receiver !== undefined && g.random.chance(0.6)) {
    const member = g.freshMember(
      ["joinPaths", "readJson", "cpuCount", "formatBytes", "resolveAll"],
      usage.module,
    );
    fragment.lines.push(`console.log(${usage.receiver}.${member}("x"));`);
    fragment.planted = [{ kind: "unknownMember", name: member }];
  } else {
    const member = g.freshMember(["readFileAsync", "hashString", "sleep", "copyDirectory"], usage.module);
    fragment.imports!.push(`import { ${member} } from "${usage.module}";`);
    fragment.lines.push(`console.log(${member});`);
    fragment.planted = [{ kind: "unknownMember", name: member }];
  }
  return fragment;
};
