// Fragments that use the shop (TypeScript) and chat (JavaScript) workspaces' own code and packages.
import type { FragmentMaker } from "./fragment.js";

const cartMembers = new Set(["addItem", "removeItem", "totalPrice", "itemCount", "ownerId", "items"]);

export const cartFragment: FragmentMaker = (g, plant) => {
  const cart = g.local("cart");
  const lines = [
    `const ${cart} = new Cart("user-1");`,
    `${cart}.addItem({ sku: "A1", quantity: 2, unitPrice: 9.5 });`,
    `console.log(${cart}.totalPrice(), ${cart}.itemCount, ${cart}.ownerId);`,
  ];
  if (!plant) return { lines };
  if (g.random.chance(0.25)) {
    // The receiver comes from a call's return value: the detector cannot know its type (an honest miss).
    const other = g.local("fresh");
    const member = g.freshMember(["applyCoupon", "clearItems", "checkout", "getTotal"], cartMembers);
    return {
      lines: [...lines, `const ${other} = emptyCart("user-2");`, `${other}.${member}();`],
      planted: [{ kind: "unknownMember", name: member }],
    };
  }
  const member = g.random.chance(0.5)
    ? g.freshMember(["addProduct", "applyCoupon", "clearItems", "getTotal", "checkout"], cartMembers)
    : g.freshTypo(g.random.pick(["addItem", "removeItem", "totalPrice"]));
  return {
    lines: [...lines, `${cart}.${member}("A1");`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};

export const pricingFragment: FragmentMaker = (g, plant) => {
  const calculator = g.local("calculator");
  const net = g.local("net");
  const names = ["applyDiscount", "TaxCalculator"];
  const lines = [
    `const ${calculator} = new TaxCalculator(0.2);`,
    `const ${net} = applyDiscount(100, 5);`,
    `console.log(formatPrice(${calculator}.taxFor(${net})));`,
  ];
  if (!plant) return { imports: [`import { ${names.join(", ")} } from "./services/pricing.js";`], lines };
  switch (g.random.int(3)) {
    case 0: {
      const wrong = g.freshTypo("applyDiscount");
      return {
        imports: [`import { TaxCalculator } from "./services/pricing.js";`],
        lines: [lines[0]!, `const ${net} = ${wrong}(100, 5);`, lines[2]!],
        planted: [{ kind: "unknownSymbol", name: wrong }],
      };
    }
    case 1: {
      const member = g.freshMember(
        ["computeShipping", "roundPrice", "applyCoupon", "priceWithTax"],
        new Set(["applyDiscount", "formatPrice", "TaxCalculator"]),
      );
      return {
        imports: [`import { ${names.join(", ")}, ${member} } from "./services/pricing.js";`],
        lines: [...lines, `console.log(${member});`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    default: {
      const member = g.freshMember(
        ["taxRate", "setRate", "totalFor", "netFor"],
        new Set(["taxFor", "totalWithTax", "rate"]),
      );
      return {
        imports: [`import { ${names.join(", ")} } from "./services/pricing.js";`],
        lines: [...lines, `console.log(${calculator}.${member}(1));`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
  }
};

export const orderFragment: FragmentMaker = (g, plant) => {
  const place = g.local("placeAndCheck");
  const service = g.local("service");
  const order = g.local("order");
  const imports = [
    `import { OrderService, type OrderRepository } from "./services/orderService.js";`,
    `import { OrderStatus } from "./models/cart.js";`,
  ];
  let repositoryType = "OrderRepository";
  let extra: string[] = [];
  let planted: { kind: "unknownSymbol" | "unknownMember"; name: string }[] | undefined;
  if (plant) {
    const choice = g.random.int(3);
    if (choice === 0) {
      repositoryType = g.freshSymbol("pascal");
      planted = [{ kind: "unknownSymbol", name: repositoryType }];
    } else if (choice === 1) {
      const member = g.freshMember(
        ["Refunded", "Cancelled", "Delivered"],
        new Set(["Pending", "Paid", "Shipped"]),
      );
      extra = [`  if (${order}.status === OrderStatus.${member}) return undefined;`];
      planted = [{ kind: "unknownMember", name: member }];
    } else {
      const member = g.freshMember(
        ["refundOrder", "cancelOrder", "listOrders"],
        new Set(["placeOrder", "findOrder", "repository"]),
      );
      extra = [`  await ${service}.${member}(${order}.id);`];
      planted = [{ kind: "unknownMember", name: member }];
    }
  }
  const lines = [
    `async function ${place}(repository: ${repositoryType}) {`,
    `  const ${service} = new OrderService(repository);`,
    `  const ${order} = await ${service}.placeOrder(new Cart("u"));`,
    ...extra,
    `  return ${order}.status === OrderStatus.Paid ? await ${service}.findOrder(${order}.id) : undefined;`,
    `}`,
  ];
  return planted === undefined ? { imports, lines } : { imports, lines, planted };
};

export const stringsFragment: FragmentMaker = (g, plant) => {
  const lines = [`console.log(slugify("Hello World"), capitalize("x"));`];
  if (!plant)
    return {
      imports: [
        `import { slugify, capitalize } from "./util/strings.js";`,
        `import legacy from "../lib/legacy.js";`,
      ],
      lines: [...lines, `console.log(legacy.legacyHash("x"));`],
    };
  if (g.random.chance(0.5)) {
    const module = g.freshPackage(() => `./util/${g.random.pick(["text", "format", "helpers", "slug"])}.js`);
    return {
      imports: [`import { slugify, capitalize } from "${module}";`],
      lines,
      planted: [{ kind: "unknownPackage", name: module }],
    };
  }
  const wrong = g.freshTypo(g.random.pick(["slugify", "capitalize"]));
  return {
    imports: [`import { slugify, capitalize } from "./util/strings.js";`],
    lines: [...lines, `console.log(${wrong}("y"));`],
    planted: [{ kind: "unknownSymbol", name: wrong }],
  };
};

export const shopPackageFragment: FragmentMaker = (g, plant) => {
  const usages = [
    () => ({
      imports: [`import { format, addDays } from "date-fns";`],
      lines: [`const ${g.local("due")} = format(addDays(new Date(), 3), "yyyy-MM-dd");`],
    }),
    () => {
      const app = g.local("app");
      return {
        imports: [`import express from "express";`],
        lines: [`const ${app} = express();`, `${app}.get("/health", (req, res) => res.send("ok"));`],
      };
    },
    () => {
      const log = g.local("log");
      return {
        imports: [`import { createLogger } from "@acme/logger";`],
        lines: [`const ${log} = createLogger("shop");`, `${log}.info("ready");`],
      };
    },
    () => ({ imports: [`import _ from "lodash";`], lines: [`console.log(_.chunk([1, 2, 3], 2));`] }),
    () => ({ imports: [`import ms from "ms";`], lines: [`console.log(ms("2h"));`] }),
    () => ({ imports: [`import { z, ZodError } from "zod";`], lines: [`console.log(z, new ZodError());`] }),
    () => ({
      imports: [`import { describe, it, expect } from "vitest";`],
      lines: [`describe("cart", () => it("adds", () => expect(1).toBe(1)));`],
    }),
  ];
  const usage = g.random.pick(usages)();
  if (!plant) return usage;
  const [module, real, fakes] = g.random.pick([
    [
      "date-fns",
      ["format", "addDays", "parseISO"],
      ["formatRelativeSmart", "addBusinessHours", "toHumanDate"],
    ],
    [
      "@acme/logger",
      ["createLogger", "LOG_LEVELS", "Logger"],
      ["createAuditLogger", "setLogLevel", "rootLogger"],
    ],
    ["zod", ["z", "object", "string", "ZodError"], ["validateSchema", "zodify", "parseStrict"]],
  ] as const);
  const member = g.freshMember(fakes, new Set(real));
  return {
    imports: [...usage.imports, `import { ${member} } from "${module}";`],
    lines: [...usage.lines, `console.log(${member});`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};

const roomMembers = new Set(["join", "leave", "broadcast", "name", "members"]);

export const roomFragment: FragmentMaker = (g, plant) => {
  const room = g.local("room");
  const lines = [
    `const ${room} = new ChatRoom("general");`,
    `${room}.join({ deliver: (message) => console.log(message) });`,
    `${room}.broadcast(createMessage("ann", "hi"));`,
    `console.log(${room}.members.size, ${room}.name);`,
  ];
  if (!plant) return { lines };
  if (g.random.chance(0.5)) {
    const member = g.random.chance(0.5)
      ? g.freshMember(["kick", "sendAll", "mute", "history", "addMember"], roomMembers)
      : g.freshTypo(g.random.pick(["broadcast", "leave", "join"]));
    return {
      lines: [...lines, `${room}.${member}("bob");`],
      planted: [{ kind: "unknownMember", name: member }],
    };
  }
  const wrong = g.random.chance(0.5) ? g.freshTypo("createMessage") : g.freshSymbol("camel");
  return {
    lines: [...lines, `${room}.broadcast(${wrong}("bob", "hey"));`],
    planted: [{ kind: "unknownSymbol", name: wrong }],
  };
};

export const socketFragment: FragmentMaker = (g, plant) => {
  const client = g.local("client");
  const imports = [
    `import { SocketClient, defaultClient } from "./net/socketClient.js";`,
    `import { parseMentions as mentionsOf, MAX_MESSAGE_LENGTH } from "./chat/message.js";`,
  ];
  const lines = [
    `const ${client} = new SocketClient("ws://example.test");`,
    `await ${client}.connect();`,
    `${client}.send({ mentions: mentionsOf("@ann hi"), limit: MAX_MESSAGE_LENGTH });`,
    `defaultClient().close();`,
  ];
  if (!plant) return { imports, lines };
  switch (g.random.int(3)) {
    case 0: {
      const member = g.freshMember(
        ["reconnect", "sendJson", "onMessage", "disconnect"],
        new Set(["connect", "send", "close", "url"]),
      );
      return {
        imports,
        lines: [...lines, `${client}.${member}();`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    case 1: {
      const module = g.freshPackage(
        () => `./net/${g.random.pick(["socket", "transport", "wsClient", "connection"])}.js`,
      );
      return {
        imports: [`import { SocketClient, defaultClient } from "${module}";`, imports[1]!],
        lines,
        planted: [{ kind: "unknownPackage", name: module }],
      };
    }
    default: {
      const member = g.freshMember(
        ["formatMessage", "MAX_MENTIONS", "stripMentions"],
        new Set(["createMessage", "parseMentions", "MAX_MESSAGE_LENGTH"]),
      );
      return {
        imports: [...imports, `import { ${member} } from "./chat/message.js";`],
        lines: [...lines, `console.log(${member});`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
  }
};

export const chatPackageFragment: FragmentMaker = (g, plant) => {
  const usages = [
    () => ({ imports: [`import { v4 as uuid } from "uuid";`], lines: [`const ${g.local("id")} = uuid();`] }),
    () => ({
      imports: [`import { nanoid, customAlphabet } from "nanoid";`],
      lines: [`const ${g.local("short")} = nanoid(8) + customAlphabet("abc", 4)();`],
    }),
    () => {
      const server = g.local("server");
      return {
        imports: [`import { WebSocketServer } from "ws";`],
        lines: [
          `const ${server} = new WebSocketServer({ port: 8080 });`,
          `${server}.on("connection", (socket) => socket.send("hi"));`,
        ],
      };
    },
    () => ({
      imports: [`import { encodeFrame, decodeFrame, PROTOCOL_VERSION } from "@chat/protocol";`],
      lines: [`console.log(decodeFrame(encodeFrame({ v: PROTOCOL_VERSION })));`],
    }),
  ];
  const usage = g.random.pick(usages)();
  if (!plant) return usage;
  const [module, real, fakes] = g.random.pick([
    ["uuid", ["v4", "validate"], ["v4Short", "uuidv7", "generate"]],
    ["nanoid", ["nanoid", "customAlphabet"], ["nanoidAsync", "shortId", "urlAlphabetId"]],
    [
      "@chat/protocol",
      ["encodeFrame", "decodeFrame", "PROTOCOL_VERSION"],
      ["encodeMessage", "FRAME_SIZE", "parseFrame"],
    ],
  ] as const);
  const member = g.freshMember(fakes, new Set(real));
  return {
    imports: [...usage.imports, `import { ${member} } from "${module}";`],
    lines: [...usage.lines, `console.log(${member});`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};
