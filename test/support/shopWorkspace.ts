// A small shop workspace for grounding tests: many chunks relevant to an invoice's total, more than a
// small context budget holds, with comments, blank lines and bodies a draft model finds more or less
// surprising.

const invoice = `import type { Money } from "./money.js";

// An invoice: what was bought, by whom, and in which currency.
export interface LineItem {
  sku: string;
  price: Money;
  quantity: number;
}

export interface Invoice {
  customer: string;
  currency: string;
  items: LineItem[];
}

// The total of an invoice's items before discounts, taxes and shipping.
export function computeInvoiceTotal(items: LineItem[]): number {
  let total = 0;
  for (const item of items) total += item.price.amount * item.quantity;
  return Math.round(total * 100) / 100;
}
`;

const money = `// Amounts of money in the smallest unit of their currency.
export interface Money {
  amount: number;
  currency: string;
}

export function addMoney(a: Money, b: Money): Money {
  if (a.currency !== b.currency) throw new Error("currencies differ");
  return { amount: a.amount + b.amount, currency: a.currency };
}

export function formatMoney(value: Money): string {
  return \`\${(value.amount / 100).toFixed(2)} \${value.currency}\`;
}
`;

const discounts = `import type { Invoice } from "./invoice.js";

// Discounts apply to the invoice total, the largest one first.
export interface Discount {
  code: string;
  percent: number;
}

export function applyDiscounts(invoice: Invoice, total: number, discounts: Discount[]): number {
  const sorted = [...discounts].sort((a, b) => b.percent - a.percent);
  let discounted = total;
  for (const discount of sorted) discounted -= (discounted * discount.percent) / 100;
  return Math.max(0, Math.round(discounted * 100) / 100);
}
`;

const taxes = `import type { Invoice } from "./invoice.js";

// Value added tax by country, in percent of the invoice total.
const vatRates: Record<string, number> = { de: 19, fr: 20, it: 22, nl: 21 };

export function invoiceTax(invoice: Invoice, total: number, country: string): number {
  const rate = vatRates[country] ?? 0;
  return Math.round(total * rate) / 100;
}
`;

const shipping = `import type { Invoice } from "./invoice.js";

// Shipping is free above a threshold, else it costs per item.
export const freeShippingAbove = 5000;

export function shippingCost(invoice: Invoice, total: number): number {
  if (total >= freeShippingAbove) return 0;
  const items = invoice.items.reduce((count, item) => count + item.quantity, 0);
  return 499 + items * 50;
}
`;

const receipt = `import { formatMoney } from "./money.js";
import type { Invoice } from "./invoice.js";

// The printed receipt of an invoice: one line per item, then the total.
export function printReceipt(invoice: Invoice, total: number): string {
  const lines = invoice.items.map(
    (item) => \`\${item.sku} x\${item.quantity} \${formatMoney(item.price)}\`,
  );
  lines.push(\`total \${formatMoney({ amount: total, currency: invoice.currency })}\`);
  return lines.join("\\n");
}
`;

const refunds = `import type { Invoice, LineItem } from "./invoice.js";
import { computeInvoiceTotal } from "./invoice.js";

// A refund returns some items of an invoice; its total is what goes back to the customer.
export function refundTotal(invoice: Invoice, returned: LineItem[]): number {
  const known = new Set(invoice.items.map((item) => item.sku));
  const valid = returned.filter((item) => known.has(item.sku));
  return computeInvoiceTotal(valid);
}
`;

const report = `import type { Invoice } from "./invoice.js";
import { computeInvoiceTotal } from "./invoice.js";

// Monthly report: the number of invoices and the sum of their totals, per customer.
export function monthlyReport(invoices: Invoice[]): Map<string, { count: number; total: number }> {
  const report = new Map<string, { count: number; total: number }>();
  for (const invoice of invoices) {
    const entry = report.get(invoice.customer) ?? { count: 0, total: 0 };
    entry.count += 1;
    entry.total += computeInvoiceTotal(invoice.items);
    report.set(invoice.customer, entry);
  }
  return report;
}
`;

const checkout = `import { applyDiscounts, type Discount } from "./discounts.js";
import { computeInvoiceTotal, type Invoice } from "./invoice.js";
import { printReceipt } from "./receipt.js";
import { shippingCost } from "./shipping.js";
import { invoiceTax } from "./taxes.js";

// Checks an invoice out: its total with discounts, tax and shipping, and the receipt to print.
export function checkout(invoice: Invoice, discounts: Discount[], country: string) {
  const total = computeInvoiceTotal(invoice.items);
  const discounted = applyDiscounts(invoice, total, discounts);
  const tax = invoiceTax(invoice, discounted, country);
  const charged = discounted + tax + shippingCost(invoice, discounted);
  return { charged, receipt: printReceipt(invoice, charged) };
}
`;

/** Workspace-relative path to text. */
export const shopWorkspace: Record<string, string> = {
  "src/invoice.ts": invoice,
  "src/money.ts": money,
  "src/discounts.ts": discounts,
  "src/taxes.ts": taxes,
  "src/shipping.ts": shipping,
  "src/receipt.ts": receipt,
  "src/refunds.ts": refunds,
  "src/report.ts": report,
  "src/checkout.ts": checkout,
};
