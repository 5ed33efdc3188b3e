import assert from "node:assert/strict";
import { test } from "node:test";
import { Cart } from "../src/cart.js";
import { Catalog } from "../src/catalog.js";
import { checkout } from "../src/checkout.js";
import { amountOffAbove, buyXGetYFree, percentOffTag } from "../src/discounts.js";

function shop(): Catalog {
  const catalog = new Catalog("EUR");
  catalog.add("BK-001", "Book", 2000, ["books"]);
  catalog.add("PN-002", "Pen", 150, ["office"]);
  return catalog;
}

test("the subtotal adds up every line", () => {
  const cart = new Cart(shop());
  cart.add("BK-001");
  cart.add("PN-002", 4);
  assert.equal(cart.subtotal().cents, 2600);
});

test("removing more than the cart holds removes the line", () => {
  const cart = new Cart(shop());
  cart.add("PN-002", 2);
  cart.remove("PN-002", 5);
  assert.ok(cart.isEmpty);
});

test("discounts apply in order and tax is charged on the discounted subtotal", () => {
  const cart = new Cart(shop());
  cart.add("BK-001");
  cart.add("PN-002", 3);
  const order = checkout(cart, {
    taxRate: 0.1,
    discounts: [percentOffTag("books", 10), buyXGetYFree("PN-002", 2, 1)],
  });
  assert.deepEqual(
    order.discounts.map((discount) => discount.amount.cents),
    [200, 150],
  );
  assert.equal(order.tax.cents, 210);
  assert.equal(order.total.cents, 2310);
});

test("a discount never takes more than the subtotal", () => {
  const cart = new Cart(shop());
  cart.add("PN-002");
  const order = checkout(cart, { taxRate: 0, discounts: [amountOffAbove(100, 500)] });
  assert.equal(order.total.cents, 0);
});

test("an unknown product cannot be added", () => {
  assert.throws(() => new Cart(shop()).add("XX-999"), /no product XX-999/);
});
