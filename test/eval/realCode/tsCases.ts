// TypeScript/JavaScript cases generated from the real typings (tsTypings.ts): correct usages and
// mutated ones (near-miss members, exports, packages and subpaths, unexported workspace names), plus
// correct cases of each everyday pattern a name-table detector got wrong, several variants per template.
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { Random } from "../random.js";
import { nearMiss, nearMissSegment } from "./nearMiss.js";
import type { RealCase, RealLabel } from "./realCase.js";
import { tsReceivers, type TsMember, type TsReceiver, type TsTypings } from "./tsTypings.js";
import { repoNodeModules, tsWorkspaceName } from "./tsWorkspace.js";

const suffix = "\nexport const ready = true;\n";
const npmPackages = ["axios", "clsx", "commander", "date-fns", "express", "lodash", "nanoid", "rxjs", "zod"];

interface Draft {
  family: string;
  javascript?: boolean;
  extension?: string;
  head: string[];
  snippet: string;
  expected: RealLabel[];
}

class CaseList {
  readonly cases: RealCase[] = [];

  add(draft: Draft): void {
    const id = `ts-${String(this.cases.length).padStart(3, "0")}`;
    const extension = draft.extension ?? (draft.javascript ? "js" : "ts");
    this.cases.push({
      id,
      language: draft.javascript ? "javascript" : "typescript",
      workspace: tsWorkspaceName,
      path: `src/${id}.${extension}`,
      prefix: draft.head.length === 0 ? "" : draft.head.join("\n") + "\n",
      snippet: draft.snippet,
      suffix,
      family: draft.family,
      expected: draft.expected,
    });
  }
}

function usage(expression: string, member: TsMember | undefined, name: string): string {
  const call = member !== undefined && member.callable && member.requiredArgs === 0;
  return `const result = ${expression}.${name}${call ? "()" : ""};`;
}

/** Receivers written with TypeScript-only syntax cannot go into a .js file. */
function typeScriptOnly(receiver: TsReceiver): boolean {
  return [...receiver.imports, ...receiver.setup].some((line) => /declare |import type|<\w+>\(/.test(line));
}

function memberCases(list: CaseList, typings: TsTypings, random: Random): void {
  for (const receiver of tsReceivers) {
    const members = typings.members.get(receiver.id)!;
    const names = new Set(members.map((member) => member.name));
    const head = [...receiver.imports, ...receiver.setup];
    const javascript = !typeScriptOnly(receiver) && random.chance(0.3);
    for (const member of random.sample(members, 2))
      list.add({
        family: `member:${receiver.id}`,
        javascript,
        head,
        snippet: usage(receiver.expression, member, member.name),
        expected: [],
      });
    for (const member of random.sample(members, 2)) {
      const wrong = nearMiss(member.name, names, random);
      if (wrong === undefined) continue;
      list.add({
        family: `member:${receiver.id}`,
        javascript,
        head,
        snippet: usage(receiver.expression, member, wrong),
        expected: [{ kind: "unknownMember", name: wrong }],
      });
    }
  }
}

function namedImportCases(list: CaseList, typings: TsTypings, random: Random): void {
  for (const [specifier, exports] of typings.exports) {
    const values = exports.filter((entry) => entry.value);
    if (values.length === 0) continue;
    const names = new Set(exports.map((entry) => entry.name));
    const javascript = random.chance(0.3);
    for (const entry of random.sample(values, 2))
      list.add({
        family: `namedImport:${specifier}`,
        javascript,
        head: [],
        snippet: `import { ${entry.name} } from "${specifier}";`,
        expected: [],
      });
    for (const entry of random.sample(values, 2)) {
      const wrong = nearMiss(entry.name, names, random);
      if (wrong !== undefined)
        list.add({
          family: `namedImport:${specifier}`,
          javascript,
          head: [],
          snippet: `import { ${wrong} } from "${specifier}";`,
          expected: [{ kind: "unknownMember", name: wrong }],
        });
    }
  }
  for (const [specifier, unexported] of typings.unexported)
    for (const name of unexported)
      list.add({
        family: "unexportedWorkspaceName",
        head: [],
        snippet: `import { ${name} } from "${specifier}";`,
        expected: [{ kind: "unknownMember", name }],
      });
}

/** Subpaths a package really has: its `exports` keys, or its top-level modules when it has none. */
function realSubpaths(name: string): string[] {
  const folder = join(repoNodeModules, name);
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { exports?: object };
  if (manifest.exports !== undefined && typeof manifest.exports === "object")
    return Object.keys(manifest.exports)
      .filter(
        (key) => key.startsWith("./") && !key.includes("*") && !key.endsWith(".json") && !key.endsWith(".js"),
      )
      .map((key) => key.slice(2));
  return readdirSync(folder)
    .filter((file) => file.endsWith(".js") && !file.startsWith("_") && file !== "index.js")
    .map((file) => file.slice(0, -3));
}

function aliasFor(specifier: string): string {
  const last = specifier
    .split(/[/:]/)
    .pop()!
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, next?: string) => (next ?? "").toUpperCase());
  return /^[A-Za-z]/.test(last) ? last : `m${last}`;
}

function packageCase(list: CaseList, specifier: string, exists: boolean, random: Random): void {
  list.add({
    family: exists ? "package:real" : "package:missing",
    javascript: random.chance(0.3),
    head: [],
    snippet: `import * as ${aliasFor(specifier)} from "${specifier}";`,
    expected: exists ? [] : [{ kind: "unknownPackage", name: specifier }],
  });
}

function packageCases(list: CaseList, random: Random): void {
  const installed = new Set(readdirSync(repoNodeModules));
  for (const name of npmPackages) {
    packageCase(list, name, true, random);
    const wrongName = nearMissSegment(name, installed, random, "kebab");
    if (wrongName !== undefined) packageCase(list, wrongName, false, random);
    const subpaths = realSubpaths(name);
    for (const subpath of random.sample(subpaths, 1)) packageCase(list, `${name}/${subpath}`, true, random);
    // Subpaths in the package's own style: lodash's are function names, nanoid's kebab-case.
    const wrongSubpath = nearMissSegment(
      random.pick(subpaths.length > 0 ? subpaths : ["index"]),
      new Set(subpaths),
      random,
      subpaths.some((subpath) => /[A-Z]/.test(subpath)) ? "camel" : "kebab",
    );
    if (wrongSubpath !== undefined) packageCase(list, `${name}/${wrongSubpath}`, false, random);
  }
  const builtins = builtinModules.filter((name) => /^[a-z]/.test(name));
  for (const name of random.sample(builtins, 6)) {
    packageCase(list, `node:${name}`, true, random);
    const wrong = nearMissSegment(name, new Set(builtins), random, name.includes("_") ? "snake" : "kebab");
    if (wrong !== undefined) packageCase(list, `node:${wrong}`, false, random);
  }
}

function symbolCases(list: CaseList, typings: TsTypings, random: Random): void {
  for (const specifier of [
    "date-fns",
    "rxjs",
    "node:crypto",
    "node:util",
    "./money.js",
    "./order.js",
    "commander",
  ]) {
    const values = typings.exports.get(specifier)!.filter((entry) => entry.value);
    const imported = random.sample(values, 3).map((entry) => entry.name);
    const head = [`import { ${imported.join(", ")} } from "${specifier}";`];
    const target = imported[0]!;
    list.add({ family: "symbol:imported", head, snippet: `const handler = ${target};`, expected: [] });
    const wrong = nearMiss(target, new Set(values.map((entry) => entry.name)), random);
    if (wrong !== undefined)
      list.add({
        family: "symbol:imported",
        head,
        snippet: `const handler = ${wrong};`,
        expected: [{ kind: "unknownSymbol", name: wrong }],
      });
  }
  for (const name of random.sample(typings.globals, 8)) {
    list.add({ family: "symbol:global", head: [], snippet: `const handler = ${name};`, expected: [] });
    const wrong = nearMiss(name, new Set(typings.globals), random);
    if (wrong !== undefined)
      list.add({
        family: "symbol:global",
        head: [],
        snippet: `const handler = ${wrong};`,
        expected: [{ kind: "unknownSymbol", name: wrong }],
      });
  }
}

/** A correct member of `receiverId` and, with `wrong`, a near miss of one labelled unknownMember. */
function pickMember(
  typings: TsTypings,
  receiverId: string,
  random: Random,
  wrong: boolean,
  filter: (member: TsMember) => boolean = () => true,
): { member: TsMember; name: string; expected: RealLabel[] } | undefined {
  const members = typings.members.get(receiverId)!;
  const member = random.pick(members.filter(filter));
  if (!wrong) return { member, name: member.name, expected: [] };
  const name = nearMiss(member.name, new Set(members.map((entry) => entry.name)), random);
  return name === undefined ? undefined : { member, name, expected: [{ kind: "unknownMember", name }] };
}

function call(member: TsMember, name: string, args = ""): string {
  return member.callable ? `${name}(${member.requiredArgs === 0 ? "" : args})` : name;
}

/** The everyday patterns a name-table detector flagged though they are correct, and near misses in them. */
function everydayCases(list: CaseList, typings: TsTypings, random: Random): void {
  const variants = (count: number, make: (wrong: boolean) => void): void => {
    for (let index = 0; index < count; index++) make(index % 3 === 2);
  };
  variants(9, (wrong) => {
    const request = pickMember(typings, "Request", random, false, (member) => !member.callable)!;
    const response = pickMember(typings, "Response", random, wrong, (member) => member.callable);
    if (response === undefined) return;
    list.add({
      family: "everyday:expressHandler",
      head: ['import express, { type Request, type Response } from "express";', "const app = express();"],
      snippet: [
        'app.get("/orders/:id", (req: Request, res: Response) => {',
        '  res.set("X-Order", String(req.params.id));',
        `  const seen = req.${request.name};`,
        `  res.${response.member.requiredArgs === 0 ? `${response.name}()` : response.name};`,
        "  return seen;",
        "});",
      ].join("\n"),
      expected: response.expected,
    });
  });
  const wrappers = ["Partial<Order>", "Readonly<Order>", "Record<string, Order>"];
  variants(9, (wrong) => {
    const wrapper = random.pick(wrappers);
    const field = pickMember(typings, "Order", random, wrong);
    if (field === undefined) return;
    const access = wrapper.startsWith("Record") ? `orders[key]?.${field.name}` : `orders.${field.name}`;
    list.add({
      family: "everyday:utilityTypes",
      head: ['import type { Order } from "./order.js";'],
      snippet: [
        `export function pick(orders: ${wrapper}, key: string) {`,
        `  return key.length > 0 ? ${access} : undefined;`,
        "}",
      ].join("\n"),
      expected: field.expected,
    });
  });
  variants(4, (wrong) => {
    const field = pickMember(typings, "AxiosRequestConfig", random, wrong);
    if (field === undefined) return;
    list.add({
      family: "everyday:utilityTypes",
      head: ['import type { AxiosRequestConfig } from "axios";'],
      snippet: [
        "export function option(config: Partial<AxiosRequestConfig>) {",
        `  return config.${field.name};`,
        "}",
      ].join("\n"),
      expected: field.expected,
    });
  });
  variants(6, (wrong) => {
    const exported = pickMember(typings, "money namespace", random, wrong);
    if (exported === undefined) return;
    list.add({
      family: "everyday:exportStarAs",
      head: ['import { money } from "./index.js";'],
      snippet: `export const value = money.${exported.name};`,
      expected: exported.expected,
    });
  });
  const errorNames = ["Order", "Payment", "Stock", "Checkout", "Shipping", "Refund"];
  variants(6, (wrong) => {
    const name = `${random.pick(errorNames)}Error`;
    const statics = typings.members.get("Error")!.map((member) => member.name);
    const captured = wrong ? nearMiss("captureStackTrace", new Set(statics), random) : "captureStackTrace";
    if (captured === undefined) return;
    list.add({
      family: "everyday:captureStackTrace",
      head: [],
      snippet: [
        `export class ${name} extends Error {`,
        "  constructor(message: string) {",
        "    super(message);",
        `    this.name = "${name}";`,
        `    Error.${captured}(this, ${name});`,
        "  }",
        "}",
      ].join("\n"),
      expected: wrong ? [{ kind: "unknownMember", name: captured }] : [],
    });
  });
  for (const specifier of ["express", "lodash"]) {
    const types = typings.exports.get(specifier)!.filter((entry) => entry.type && !entry.value);
    const names = new Set(typings.exports.get(specifier)!.map((entry) => entry.name));
    variants(5, (wrong) => {
      const type = random.pick(types).name;
      const name = wrong ? nearMiss(type, names, random) : type;
      if (name === undefined) return;
      list.add({
        family: "everyday:typeOnlyImport",
        head: [],
        snippet: `import type { ${name} } from "${specifier}";`,
        expected: wrong ? [{ kind: "unknownMember", name }] : [],
      });
    });
  }
  const defaults = [
    { module: "express", alias: "express", receiver: "express" },
    { module: "lodash", alias: "_", receiver: "_" },
    { module: "axios", alias: "axios", receiver: "axios" },
    { module: "node:path", alias: "path", receiver: "path" },
  ];
  variants(9, (wrong) => {
    const { module, alias, receiver } = random.pick(defaults);
    const member = pickMember(typings, receiver, random, wrong);
    if (member === undefined) return;
    list.add({
      family: "everyday:defaultImport",
      javascript: random.chance(0.3),
      head: [`import ${alias} from "${module}";`],
      snippet: `const result = ${alias}.${call(member.member, member.name)};`,
      expected: member.expected,
    });
  });
  variants(9, (wrong) => {
    const { module, alias, receiver } = random.pick(defaults.slice(0, 2));
    const member = pickMember(typings, receiver, random, wrong);
    if (member === undefined) return;
    const requireForm = random.chance(0.5);
    list.add({
      family: "everyday:exportEquals",
      extension: requireForm ? "cts" : "ts",
      head: [
        requireForm ? `import ${alias} = require("${module}");` : `import * as ${alias} from "${module}";`,
      ],
      snippet: `const result = ${alias}.${call(member.member, member.name)};`,
      expected: member.expected,
    });
  });
}

export const tsSeed = 0x5eed_0015;

/** Every TypeScript/JavaScript case, before the compiler labels them. */
export function generateTsCases(typings: TsTypings, seed = tsSeed): RealCase[] {
  const random = new Random(seed);
  const list = new CaseList();
  memberCases(list, typings, random);
  namedImportCases(list, typings, random);
  packageCases(list, random);
  symbolCases(list, typings, random);
  everydayCases(list, typings, random);
  return list.cases;
}
