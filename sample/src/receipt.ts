import type { Order } from "./checkout.js";
import { formatMoney, type Money } from "./money.js";

const width = 40;

/** The order as a plain-text receipt, one line per product, discount and total. */
export function formatReceipt(order: Order, shopName: string): string {
  const lines = [center(shopName), "-".repeat(width)];
  for (const line of order.lines) lines.push(row(`${line.quantity} x ${line.name}`, line.total));
  lines.push("-".repeat(width), row("Subtotal", order.subtotal));
  for (const discount of order.discounts)
    lines.push(row(discount.label, { ...discount.amount, cents: -discount.amount.cents }));
  lines.push(row("Tax", order.tax), row("Total", order.total));
  return lines.join("\n");
}

function row(label: string, amount: Money): string {
  const price = formatMoney(amount);
  return `${label.slice(0, width - price.length - 1).padEnd(width - price.length)}${price}`;
}

function center(text: string): string {
  return text.padStart(Math.floor((width + text.length) / 2)).padEnd(width);
}
