// The TypeScript/JavaScript workspace of the real-code set: a small shop app whose package.json
// declares the real npm packages this repository has installed, with node_modules a symbolic link to
// the repository's (as pnpm-like layouts look).
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const tsWorkspaceName = "ts-shop";
export const repoNodeModules = fileURLToPath(new URL("../../../node_modules", import.meta.url));

const packageJson = {
  name: "real-code-shop",
  private: true,
  type: "module",
  dependencies: {
    axios: "^1.0.0",
    clsx: "^2.0.0",
    commander: "^12.0.0",
    "date-fns": "^4.0.0",
    express: "^4.0.0",
    lodash: "^4.0.0",
    nanoid: "^5.0.0",
    rxjs: "^7.0.0",
    zod: "^3.0.0",
  },
  devDependencies: { "@types/express": "^4.0.0", "@types/lodash": "^4.0.0", "@types/node": "^20.0.0" },
};

export const tsCompilerOptions = {
  target: "ES2022",
  module: "NodeNext",
  moduleResolution: "NodeNext",
  moduleDetection: "force",
  strict: true,
  allowJs: true,
  checkJs: true,
  noEmit: true,
  skipLibCheck: true,
  lib: ["ES2023"],
  types: ["node"],
};

/** The app's own files: other files a suggestion may import from (exported and unexported names). */
export const tsWorkspaceSources: Record<string, string> = {
  "src/money.ts": `export interface Money {
  cents: number;
  currency: string;
}

const defaultCurrency = "EUR";

function roundCents(value: number): number {
  return Math.round(value);
}

function currencySymbol(currency: string): string {
  return currency === "EUR" ? "€" : currency;
}

export const zero: Money = { cents: 0, currency: defaultCurrency };

export function formatMoney(money: Money): string {
  return \`\${currencySymbol(money.currency)}\${(money.cents / 100).toFixed(2)}\`;
}

export function addMoney(a: Money, b: Money): Money {
  return { cents: roundCents(a.cents + b.cents), currency: a.currency };
}

export function scaleMoney(money: Money, factor: number): Money {
  return { cents: roundCents(money.cents * factor), currency: money.currency };
}
`,
  "src/order.ts": `import { addMoney, zero, type Money } from "./money.js";

export interface OrderLine {
  sku: string;
  quantity: number;
  price: Money;
}

export interface Order {
  id: string;
  customer: string;
  lines: OrderLine[];
  placedAt: Date;
  note?: string;
}

function lineTotal(line: OrderLine): Money {
  return { cents: line.price.cents * line.quantity, currency: line.price.currency };
}

export function orderTotal(order: Order): Money {
  return order.lines.map(lineTotal).reduce(addMoney, zero);
}

export class OrderBook {
  private readonly orders = new Map<string, Order>();

  add(order: Order): void {
    this.orders.set(order.id, order);
  }

  find(id: string): Order | undefined {
    return this.orders.get(id);
  }

  get size(): number {
    return this.orders.size;
  }
}
`,
  "src/index.ts": `export * as money from "./money.js";
export * from "./order.js";
`,
  "src/server.ts": `import express from "express";
import { OrderBook } from "./order.js";

export const book = new OrderBook();
export const app = express();
app.use(express.json());
`,
};

/** Writes the workspace under `parent` and returns its root. */
export async function writeTsWorkspace(parent: string): Promise<string> {
  const root = join(parent, tsWorkspaceName);
  const files: Record<string, string> = {
    ...tsWorkspaceSources,
    "package.json": JSON.stringify(packageJson, null, 2) + "\n",
    "tsconfig.json": JSON.stringify({ compilerOptions: tsCompilerOptions, include: ["src"] }, null, 2) + "\n",
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  await symlink(repoNodeModules, join(root, "node_modules"), "dir");
  return root;
}
