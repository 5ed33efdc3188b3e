import type { Cart } from "./cart.js";
import { money, multiply, sum, zero, type Money } from "./money.js";

/** A rule that takes something off a cart's subtotal. */
export interface Discount {
  readonly label: string;
  amount(cart: Cart): Money;
}

/** A percentage off every product carrying a tag ("10% off books"). */
export function percentOffTag(tag: string, percent: number): Discount {
  return {
    label: `${percent}% off ${tag}`,
    amount(cart) {
      const tagged = cart.items.filter((line) => line.product.tags.includes(tag));
      return multiply(
        sum(
          tagged.map((line) => cart.lineTotal(line)),
          cart.subtotal().currency,
        ),
        percent / 100,
      );
    },
  };
}

/** Buy `buy` of a product, get `free` more of it for nothing. */
export function buyXGetYFree(sku: string, buy: number, free: number): Discount {
  return {
    label: `buy ${buy} get ${free} free`,
    amount(cart) {
      const line = cart.items.find((candidate) => candidate.product.sku === sku);
      if (!line) return zero(cart.subtotal().currency);
      const freeItems = Math.floor(line.quantity / (buy + free)) * free;
      return multiply(line.product.price, freeItems);
    },
  };
}

/** A fixed amount off once the subtotal reaches a threshold. */
export function amountOffAbove(thresholdCents: number, offCents: number): Discount {
  return {
    label: `${offCents / 100} off above ${thresholdCents / 100}`,
    amount(cart) {
      const subtotal = cart.subtotal();
      return subtotal.cents >= thresholdCents ? money(offCents, subtotal.currency) : zero(subtotal.currency);
    },
  };
}

export interface AppliedDiscount {
  readonly label: string;
  readonly amount: Money;
}

/** The discounts that apply to the cart, never taking off more than its subtotal. */
export function applyDiscounts(cart: Cart, discounts: readonly Discount[]): AppliedDiscount[] {
  let remaining = cart.subtotal().cents;
  const applied: AppliedDiscount[] = [];
  for (const discount of discounts) {
    const amount = discount.amount(cart);
    const taken = Math.min(amount.cents, remaining);
    if (taken <= 0) continue;
    remaining -= taken;
    applied.push({ label: discount.label, amount: money(taken, amount.currency) });
  }
  return applied;
}
