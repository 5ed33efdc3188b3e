import { Cart } from "./cart.js";
import { Catalog } from "./catalog.js";
import { checkout } from "./checkout.js";
import { buyXGetYFree, percentOffTag } from "./discounts.js";
import { formatReceipt } from "./receipt.js";

export { Cart } from "./cart.js";
export { Catalog, type Product } from "./catalog.js";
export { checkout, type Order } from "./checkout.js";
export { amountOffAbove, applyDiscounts, buyXGetYFree, percentOffTag, type Discount } from "./discounts.js";
export { formatMoney, money, type Money } from "./money.js";
export { formatReceipt } from "./receipt.js";

/** A sample purchase as a receipt (`npm run receipt` prints it). */
export function demoReceipt(): string {
  const catalog = new Catalog("EUR");
  catalog.add("BK-001", "The Pragmatic Programmer", 4250, ["books"]);
  catalog.add("MG-002", "Coffee mug", 1200, ["kitchen"]);
  catalog.add("ST-003", "Sticker pack", 350, ["office"]);

  const cart = new Cart(catalog);
  cart.add("BK-001");
  cart.add("MG-002", 2);
  cart.add("ST-003", 3);

  const order = checkout(cart, {
    taxRate: 0.2,
    discounts: [percentOffTag("books", 10), buyXGetYFree("ST-003", 2, 1)],
  });
  return formatReceipt(order, "Coop Corner Shop");
}
