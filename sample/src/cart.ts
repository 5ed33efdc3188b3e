import type { Catalog, Product } from "./catalog.js";
import { multiply, sum, type Money } from "./money.js";

export interface CartLine {
  readonly product: Product;
  readonly quantity: number;
}

/** What a customer is about to buy: products from one catalog, with quantities. */
export class Cart {
  private readonly lines = new Map<string, CartLine>();

  constructor(private readonly catalog: Catalog) {}

  add(sku: string, quantity = 1): void {
    if (!Number.isInteger(quantity) || quantity <= 0) throw new Error(`cannot add ${quantity} of ${sku}`);
    const product = this.catalog.get(sku);
    const current = this.lines.get(sku)?.quantity ?? 0;
    this.lines.set(sku, { product, quantity: current + quantity });
  }

  remove(sku: string, quantity = Infinity): void {
    const line = this.lines.get(sku);
    if (!line) return;
    const left = line.quantity - quantity;
    if (left > 0) this.lines.set(sku, { ...line, quantity: left });
    else this.lines.delete(sku);
  }

  get items(): readonly CartLine[] {
    return [...this.lines.values()];
  }

  get isEmpty(): boolean {
    return this.lines.size === 0;
  }

  lineTotal(line: CartLine): Money {
    return multiply(line.product.price, line.quantity);
  }

  subtotal(): Money {
    return sum(
      this.items.map((line) => this.lineTotal(line)),
      this.catalog.currency,
    );
  }
}
