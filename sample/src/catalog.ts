import { money, type Currency, type Money } from "./money.js";

export interface Product {
  readonly sku: string;
  readonly name: string;
  readonly price: Money;
  readonly tags: readonly string[];
}

/** The products the shop sells, by SKU. */
export class Catalog {
  private readonly products = new Map<string, Product>();

  constructor(readonly currency: Currency) {}

  add(sku: string, name: string, priceCents: number, tags: readonly string[] = []): Product {
    if (this.products.has(sku)) throw new Error(`the catalog already has a product ${sku}`);
    const product: Product = { sku, name, price: money(priceCents, this.currency), tags };
    this.products.set(sku, product);
    return product;
  }

  find(sku: string): Product | undefined {
    return this.products.get(sku);
  }

  get(sku: string): Product {
    const product = this.find(sku);
    if (!product) throw new Error(`no product ${sku} in the catalog`);
    return product;
  }

  withTag(tag: string): Product[] {
    return [...this.products.values()].filter((product) => product.tags.includes(tag));
  }

  search(text: string): Product[] {
    const needle = text.toLowerCase();
    return [...this.products.values()].filter((product) => product.name.toLowerCase().includes(needle));
  }
}
