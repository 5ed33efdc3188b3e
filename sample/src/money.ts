/** An amount of money in the smallest unit of its currency (cents), so sums never drift. */
export interface Money {
  readonly cents: number;
  readonly currency: Currency;
}

export type Currency = "EUR" | "USD" | "GBP";

const symbols: Record<Currency, string> = { EUR: "€", USD: "$", GBP: "£" };

export function money(cents: number, currency: Currency): Money {
  if (!Number.isInteger(cents)) throw new Error(`an amount must be a whole number of cents, not ${cents}`);
  return { cents, currency };
}

export function zero(currency: Currency): Money {
  return money(0, currency);
}

export function add(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.cents + b.cents, a.currency);
}

export function subtract(a: Money, b: Money): Money {
  assertSameCurrency(a, b);
  return money(a.cents - b.cents, a.currency);
}

export function multiply(amount: Money, factor: number): Money {
  return money(Math.round(amount.cents * factor), amount.currency);
}

export function sum(amounts: readonly Money[], currency: Currency): Money {
  return amounts.reduce(add, zero(currency));
}

export function formatMoney(amount: Money): string {
  const sign = amount.cents < 0 ? "-" : "";
  return `${sign}${symbols[amount.currency]}${(Math.abs(amount.cents) / 100).toFixed(2)}`;
}

function assertSameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency) throw new Error(`cannot combine ${a.currency} with ${b.currency}`);
}
