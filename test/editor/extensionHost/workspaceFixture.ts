import type { WorkspaceFiles } from "../harness/workspaceFixture.js";

/**
 * The workspace the extension-host suites open: a tiny TypeScript project. `src/report.ts` has an
 * empty function body, where the embedded tiny variant suggests a block that declares a name the
 * workspace does not define (the detector's unknown symbol), whatever the prompt: its bigram models
 * always continue the fill-in-the-middle prompt the same way.
 */
export const extensionHostWorkspace: WorkspaceFiles = {
  "package.json": JSON.stringify({ name: "shop", version: "1.0.0", private: true }, null, 2) + "\n",
  "src/invoice.ts":
    "export interface Item {\n  price: number;\n  quantity: number;\n}\n\n" +
    "export function computeInvoiceTotal(items: Item[]): number {\n  return items.reduce((sum, item) => sum + item.price * item.quantity, 0);\n}\n\n" +
    "export function formatPrice(value: number): string {\n  return value.toFixed(2);\n}\n",
  "src/report.ts": 'import { computeInvoiceTotal } from "./invoice";\n\nexport function summary() {\n  \n}\n',
};

/** Where completions are asked for in src/report.ts: inside the empty body (0-based line, character). */
export const reportCursor = { line: 3, character: 2 } as const;
