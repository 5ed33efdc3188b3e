// What exists, read from the real typings with the TypeScript compiler: the members of receivers reached
// through imports, calls and chains, and the exports of modules. Cases are generated from these names.
import ts from "typescript";
import { programWith } from "./tsProgram.js";

/** An expression whose members a suggestion uses, with the lines that bring it into scope. */
export interface TsReceiver {
  id: string;
  imports: string[];
  setup: string[];
  expression: string;
}

export interface TsMember {
  name: string;
  callable: boolean;
  /** Arguments every call signature requires at least (0 when it can be called bare). */
  requiredArgs: number;
}

export interface TsExport {
  name: string;
  value: boolean;
  type: boolean;
}

export interface TsTypings {
  members: Map<string, TsMember[]>;
  exports: Map<string, TsExport[]>;
  /** Top-level names a workspace module declares without exporting them. */
  unexported: Map<string, string[]>;
  /** Global functions (the lib's and @types/node's). */
  globals: string[];
}

const zod = 'import { z } from "zod";';
const express = 'import express from "express";';
const expressTypes = 'import type { Request, Response } from "express";';

export const tsReceivers: TsReceiver[] = [
  { id: "z", imports: [zod], setup: [], expression: "z" },
  { id: "z.string()", imports: [zod], setup: [], expression: "z.string()" },
  { id: "z.number()", imports: [zod], setup: [], expression: "z.number()" },
  { id: "z.array()", imports: [zod], setup: [], expression: "z.array(z.string())" },
  {
    id: "z.object() schema",
    imports: [zod],
    setup: ["const Schema = z.object({ name: z.string(), age: z.number() });"],
    expression: "Schema",
  },
  { id: "express", imports: [express], setup: [], expression: "express" },
  { id: "express()", imports: [express], setup: ["const app = express();"], expression: "app" },
  {
    id: "express.Router()",
    imports: [express],
    setup: ["const router = express.Router();"],
    expression: "router",
  },
  { id: "Request", imports: [expressTypes], setup: ["declare const req: Request;"], expression: "req" },
  { id: "Response", imports: [expressTypes], setup: ["declare const res: Response;"], expression: "res" },
  { id: "_", imports: ['import _ from "lodash";'], setup: [], expression: "_" },
  {
    id: "_.chain()",
    imports: ['import _ from "lodash";'],
    setup: ["const wrapped = _.chain([3, 1, 2]);"],
    expression: "wrapped",
  },
  { id: "axios", imports: ['import axios from "axios";'], setup: [], expression: "axios" },
  {
    id: "axios.create()",
    imports: ['import axios from "axios";'],
    setup: ['const client = axios.create({ baseURL: "https://example.com" });'],
    expression: "client",
  },
  {
    id: "AxiosRequestConfig",
    imports: ['import type { AxiosRequestConfig } from "axios";'],
    setup: ["declare const config: AxiosRequestConfig;"],
    expression: "config",
  },
  {
    id: "new Command()",
    imports: ['import { Command } from "commander";'],
    setup: ["const program = new Command();"],
    expression: "program",
  },
  {
    id: "date-fns namespace",
    imports: ['import * as dateFns from "date-fns";'],
    setup: [],
    expression: "dateFns",
  },
  { id: "of()", imports: ['import { of } from "rxjs";'], setup: [], expression: "of(1, 2, 3)" },
  {
    id: "new Subject()",
    imports: ['import { Subject } from "rxjs";'],
    setup: ["const events = new Subject<string>();"],
    expression: "events",
  },
  { id: "fs", imports: ['import * as fs from "node:fs";'], setup: [], expression: "fs" },
  { id: "fs.promises", imports: ['import * as fs from "node:fs";'], setup: [], expression: "fs.promises" },
  { id: "path", imports: ['import path from "node:path";'], setup: [], expression: "path" },
  {
    id: "new URL()",
    imports: [],
    setup: ['const url = new URL("https://example.com/search?q=coop");'],
    expression: "url",
  },
  {
    id: "url.searchParams",
    imports: [],
    setup: ['const url = new URL("https://example.com/search?q=coop");'],
    expression: "url.searchParams",
  },
  {
    id: "createHash()",
    imports: ['import { createHash } from "node:crypto";'],
    setup: ['const hash = createHash("sha256");'],
    expression: "hash",
  },
  {
    id: "new EventEmitter()",
    imports: ['import { EventEmitter } from "node:events";'],
    setup: ["const emitter = new EventEmitter();"],
    expression: "emitter",
  },
  { id: "process", imports: [], setup: [], expression: "process" },
  { id: "Buffer", imports: [], setup: [], expression: "Buffer" },
  { id: "Error", imports: [], setup: [], expression: "Error" },
  { id: "string literal", imports: [], setup: [], expression: '"coop-shop"' },
  { id: "array literal", imports: [], setup: [], expression: "[3, 1, 2]" },
  { id: "new Map()", imports: [], setup: ["const stock = new Map<string, number>();"], expression: "stock" },
  { id: "Promise.resolve()", imports: [], setup: [], expression: "Promise.resolve(42)" },
  { id: "Math", imports: [], setup: [], expression: "Math" },
  { id: "JSON", imports: [], setup: [], expression: "JSON" },
  { id: "Object", imports: [], setup: [], expression: "Object" },
  { id: "new Date()", imports: [], setup: ["const now = new Date();"], expression: "now" },
  {
    id: "OrderBook",
    imports: ['import { OrderBook } from "./order.js";'],
    setup: ["const book = new OrderBook();"],
    expression: "book",
  },
  {
    id: "Order",
    imports: ['import type { Order } from "./order.js";'],
    setup: ["declare const order: Order;"],
    expression: "order",
  },
  { id: "money namespace", imports: ['import { money } from "./index.js";'], setup: [], expression: "money" },
];

export const tsModules = [
  "zod",
  "express",
  "lodash",
  "axios",
  "commander",
  "nanoid",
  "nanoid/non-secure",
  "date-fns",
  "clsx",
  "rxjs",
  "rxjs/operators",
  "node:fs",
  "node:fs/promises",
  "node:path",
  "node:crypto",
  "node:url",
  "node:util",
  "node:events",
  "./money.js",
  "./order.js",
  "./index.js",
];

const identifier = /^[A-Za-z$][\w$]*$/;

function requiredArguments(checker: ts.TypeChecker, signature: ts.Signature): number {
  let required = 0;
  for (const parameter of signature.getParameters()) {
    const declaration = parameter.valueDeclaration;
    if (declaration === undefined || !ts.isParameter(declaration)) break;
    if (checker.isOptionalParameter(declaration) || declaration.dotDotDotToken !== undefined) break;
    required += 1;
  }
  return required;
}

/** Private and protected members exist but cannot be used from outside: neither correct nor near misses. */
function hidden(symbol: ts.Symbol): boolean {
  const flags = ts.ModifierFlags.Private | ts.ModifierFlags.Protected;
  return (symbol.declarations ?? []).some(
    (declaration) => (ts.getCombinedModifierFlags(declaration) & flags) !== 0,
  );
}

function membersOf(checker: ts.TypeChecker, node: ts.VariableDeclaration): TsMember[] {
  const type = checker.getApparentType(checker.getTypeAtLocation(node.name));
  return checker
    .getPropertiesOfType(type)
    .filter((symbol) => identifier.test(symbol.name) && !symbol.name.startsWith("_") && !hidden(symbol))
    .map((symbol) => {
      const signatures = checker.getTypeOfSymbolAtLocation(symbol, node).getCallSignatures();
      return {
        name: symbol.name,
        callable: signatures.length > 0,
        requiredArgs: Math.min(...signatures.map((signature) => requiredArguments(checker, signature))),
      };
    });
}

function unexportedNames(file: ts.SourceFile): string[] {
  const names: string[] = [];
  for (const statement of file.statements) {
    const exported =
      ts.canHaveModifiers(statement) &&
      ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
    if (exported) continue;
    if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name)
      names.push(statement.name.text);
    if (ts.isVariableStatement(statement))
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name)) names.push(declaration.name.text);
  }
  return names;
}

/** Reads the receivers' members and the modules' exports from the workspace at `root`. */
export function readTsTypings(root: string): TsTypings {
  const probes = new Map<string, string>();
  tsReceivers.forEach((receiver, index) =>
    probes.set(
      `src/__receiver${index}.ts`,
      [...receiver.imports, ...receiver.setup, `const probed = ${receiver.expression};`, ""].join("\n"),
    ),
  );
  tsModules.forEach((specifier, index) =>
    probes.set(`src/__module${index}.ts`, `import * as probed from "${specifier}";\n`),
  );
  const program = programWith(root, probes);
  const checker = program.getTypeChecker();
  const sourceOf = (path: string): ts.SourceFile =>
    program.getSourceFiles().find((file) => file.fileName.endsWith(`/${path}`))!;

  const members = new Map<string, TsMember[]>();
  tsReceivers.forEach((receiver, index) => {
    const file = sourceOf(`src/__receiver${index}.ts`);
    const statement = file.statements.at(-1) as ts.VariableStatement;
    members.set(receiver.id, membersOf(checker, statement.declarationList.declarations[0]!));
  });
  const exports = new Map<string, TsExport[]>();
  const unexported = new Map<string, string[]>();
  tsModules.forEach((specifier, index) => {
    const file = sourceOf(`src/__module${index}.ts`);
    const declaration = file.statements[0] as ts.ImportDeclaration;
    const moduleSymbol = checker.getSymbolAtLocation(declaration.moduleSpecifier);
    if (moduleSymbol === undefined) throw new Error(`the compiler does not resolve '${specifier}'`);
    exports.set(
      specifier,
      checker
        .getExportsOfModule(moduleSymbol)
        .filter((symbol) => identifier.test(symbol.name) && symbol.name !== "default")
        .map((symbol) => {
          const flags =
            symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol).flags : symbol.flags;
          return {
            name: symbol.name,
            value: (flags & ts.SymbolFlags.Value) !== 0,
            type: (flags & ts.SymbolFlags.Type) !== 0,
          };
        }),
    );
    const target = moduleSymbol.valueDeclaration;
    if (specifier.startsWith("./") && target !== undefined && ts.isSourceFile(target))
      unexported.set(specifier, unexportedNames(target));
  });
  const anyFile = sourceOf("src/__module0.ts");
  const globals = checker
    .getSymbolsInScope(anyFile, ts.SymbolFlags.Function)
    .map((symbol) => symbol.name)
    .filter((name) => /^[a-z][A-Za-z]+$/.test(name) && name !== "probed")
    .sort();
  return { members, exports, unexported, globals };
}
