import type { Cart } from "./cart.js";
import { applyDiscounts, type AppliedDiscount, type Discount } from "./discounts.js";
import { multiply, subtract, sum, type Money } from "./money.js";

export interface Order {
  readonly lines: readonly { sku: string; name: string; quantity: number; total: Money }[];
  readonly subtotal: Money;
  readonly discounts: readonly AppliedDiscount[];
  readonly tax: Money;
  readonly total: Money;
}

export interface CheckoutOptions {
  discounts?: readonly Discount[];
  /** The sales tax rate, e.g. 0.2 for 20%, charged on the discounted subtotal. */
  taxRate: number;
}

/** Turns a cart into an order: line totals, discounts, tax and the amount to pay. */
export function checkout(cart: Cart, options: CheckoutOptions): Order {
  if (cart.isEmpty) throw new Error("cannot check out an empty cart");
  const subtotal = cart.subtotal();
  const discounts = applyDiscounts(cart, options.discounts ?? []);
  const discounted = subtract(
    subtotal,
    sum(
      discounts.map((discount) => discount.amount),
      subtotal.currency,
    ),
  );
  const tax = multiply(discounted, options.taxRate);
  return {
    lines: cart.items.map((line) => ({
      sku: line.product.sku,
      name: line.product.name,
      quantity: line.quantity,
      total: cart.lineTotal(line),
    })),
    subtotal,
    discounts,
    tax,
    total: sum([discounted, tax], subtotal.currency),
  };
}
