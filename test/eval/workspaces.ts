// The small, realistic workspaces the labelled snippets live in. Each is written to a temp folder with
// manifests and installed-looking dependencies, so the detector reads them exactly as it would a project.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

export interface EvalWorkspace {
  name: string;
  language: "typescript" | "python";
  /** Source files (indexed by the detector) and other files (manifests, installed packages). */
  sources: Record<string, string>;
  support: Record<string, string>;
  /** Where snippets are inserted, and the file's text before them. */
  snippetPath: string;
  prefix: string;
}

const npmPackage = (name: string, types?: string): Record<string, string> => ({
  [`node_modules/${name}/package.json`]: JSON.stringify({
    name,
    version: "1.0.0",
    ...(types === undefined ? {} : { types: "index.d.ts" }),
  }),
  ...(types === undefined ? {} : { [`node_modules/${name}/index.d.ts`]: types }),
});

const site = ".venv/lib/python3.11/site-packages";
const pythonPackage = (
  name: string,
  files: Record<string, string>,
  distribution = name,
): Record<string, string> => {
  const out: Record<string, string> = {
    [`${site}/${distribution}-1.0.dist-info/METADATA`]: `Name: ${distribution}\nVersion: 1.0\n`,
  };
  for (const [file, text] of Object.entries(files)) out[`${site}/${name}/${file}`] = text;
  return out;
};

export const shopWorkspace: EvalWorkspace = {
  name: "shop",
  language: "typescript",
  snippetPath: "src/checkout.ts",
  prefix: `import { Cart, emptyCart, type CartItem } from "./models/cart.js";\nimport { formatPrice } from "./services/pricing.js";\n\n`,
  sources: {
    "src/models/cart.ts": `export interface CartItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export class Cart {
  private items: CartItem[] = [];
  constructor(readonly ownerId: string) {}
  addItem(item: CartItem): void {
    this.items.push(item);
  }
  removeItem(sku: string): boolean {
    const before = this.items.length;
    this.items = this.items.filter((item) => item.sku !== sku);
    return this.items.length < before;
  }
  totalPrice(): number {
    return this.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
  }
  get itemCount(): number {
    return this.items.length;
  }
}

export function emptyCart(ownerId: string): Cart {
  return new Cart(ownerId);
}

export const DEFAULT_CURRENCY = "EUR";

export enum OrderStatus {
  Pending,
  Paid,
  Shipped,
}
`,
    "src/services/pricing.ts": `import type { Cart } from "../models/cart.js";

export function applyDiscount(total: number, percent: number): number {
  return total * (1 - percent / 100);
}

export function formatPrice(amount: number, currency = "EUR"): string {
  return new Intl.NumberFormat("en", { style: "currency", currency }).format(amount);
}

export class TaxCalculator {
  constructor(private readonly rate: number) {}
  taxFor(amount: number): number {
    return amount * this.rate;
  }
  totalWithTax(cart: Cart): number {
    return cart.totalPrice() + this.taxFor(cart.totalPrice());
  }
}
`,
    "src/services/orderService.ts": `import type { Cart } from "../models/cart.js";
import { OrderStatus } from "../models/cart.js";

export type Order = { id: string; total: number; status: OrderStatus };

export interface OrderRepository {
  save(order: Order): Promise<void>;
  load(id: string): Promise<Order | undefined>;
}

export class OrderService {
  constructor(private readonly repository: OrderRepository) {}
  async placeOrder(cart: Cart): Promise<Order> {
    const order = { id: crypto.randomUUID(), total: cart.totalPrice(), status: OrderStatus.Pending };
    await this.repository.save(order);
    return order;
  }
  async findOrder(id: string): Promise<Order | undefined> {
    return this.repository.load(id);
  }
}
`,
    "src/util/strings.ts": `export function slugify(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-");
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
`,
    "lib/legacy.js": `function legacyHash(text) {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return hash;
}
module.exports = { legacyHash };
`,
  },
  support: {
    "package.json": JSON.stringify(
      {
        name: "shop",
        type: "module",
        dependencies: {
          express: "^4.19.0",
          zod: "^3.23.0",
          "@acme/logger": "^2.0.0",
          lodash: "^4.17.21",
          "date-fns": "^3.6.0",
        },
        devDependencies: { vitest: "^1.6.0" },
      },
      null,
      2,
    ),
    ...npmPackage("express"),
    ...npmPackage("lodash"),
    ...npmPackage("ms"),
    ...npmPackage(
      "zod",
      "export declare const z: unknown;\nexport declare function object(shape: unknown): unknown;\nexport declare function string(): unknown;\nexport declare class ZodError extends Error {}\n",
    ),
    ...npmPackage(
      "@acme/logger",
      "export interface Logger {\n  info(message: string): void;\n  error(message: string): void;\n}\nexport declare function createLogger(name: string): Logger;\nexport declare const LOG_LEVELS: string[];\n",
    ),
    ...npmPackage(
      "date-fns",
      "export declare function format(date: Date, pattern: string): string;\nexport declare function addDays(date: Date, days: number): Date;\nexport declare function parseISO(text: string): Date;\n",
    ),
    ...npmPackage(
      "vitest",
      "export declare function describe(name: string, fn: () => void): void;\nexport declare function it(name: string, fn: () => void): void;\nexport declare function expect(value: unknown): any;\n",
    ),
  },
};

export const chatWorkspace: EvalWorkspace = {
  name: "chat",
  language: "typescript",
  snippetPath: "src/app.js",
  prefix: `import { ChatRoom } from "./chat/room.js";\nimport { createMessage } from "./chat/message.js";\n\n`,
  sources: {
    "src/chat/room.js": `export class ChatRoom {
  constructor(name) {
    this.name = name;
    this.members = new Set();
  }
  join(user) {
    this.members.add(user);
  }
  leave(user) {
    this.members.delete(user);
  }
  broadcast(message) {
    for (const member of this.members) member.deliver(message);
  }
}
`,
    "src/chat/message.js": `export function createMessage(author, body) {
  return { author, body, sentAt: Date.now() };
}

export function parseMentions(body) {
  return [...body.matchAll(/@(\\w+)/g)].map((match) => match[1]);
}

export const MAX_MESSAGE_LENGTH = 2000;
`,
    "src/net/socketClient.js": `export class SocketClient {
  constructor(url) {
    this.url = url;
  }
  connect() {
    return Promise.resolve(this);
  }
  send(payload) {
    return JSON.stringify(payload).length;
  }
  close() {}
}

export function defaultClient() {
  return new SocketClient("ws://localhost:8080");
}
`,
  },
  support: {
    "package.json": JSON.stringify(
      {
        name: "chat",
        type: "module",
        dependencies: { ws: "^8.17.0", uuid: "^9.0.0", nanoid: "^5.0.0", "@chat/protocol": "^1.2.0" },
      },
      null,
      2,
    ),
    ...npmPackage("ws"),
    ...npmPackage(
      "uuid",
      "export declare function v4(): string;\nexport declare function validate(id: string): boolean;\n",
    ),
    ...npmPackage(
      "nanoid",
      "export declare function nanoid(size?: number): string;\nexport declare function customAlphabet(alphabet: string, size: number): () => string;\n",
    ),
    ...npmPackage(
      "@chat/protocol",
      "export declare function encodeFrame(data: unknown): Uint8Array;\nexport declare function decodeFrame(bytes: Uint8Array): unknown;\nexport declare const PROTOCOL_VERSION: number;\n",
    ),
  },
};

export const inventoryWorkspace: EvalWorkspace = {
  name: "inventory",
  language: "python",
  snippetPath: "app/report.py",
  prefix: `from app.models import Product, Warehouse\nfrom app import storage\n\n`,
  sources: {
    "app/__init__.py": ``,
    "app/models.py": `from dataclasses import dataclass


class Product:
    def __init__(self, sku, name, price):
        self.sku = sku
        self.name = name
        self.price = price

    def discounted(self, percent):
        return self.price * (1 - percent / 100)


class Warehouse:
    def __init__(self):
        self.products = {}

    def add_product(self, product):
        self.products[product.sku] = product

    def remove_product(self, sku):
        return self.products.pop(sku, None)

    def find_by_sku(self, sku):
        return self.products.get(sku)

    def total_value(self):
        return sum(p.price for p in self.products.values())


def load_products(path):
    return []


DEFAULT_LOCATION = "main"
`,
    "app/storage.py": `import json


def save_json(path, data):
    with open(path, "w") as handle:
        json.dump(data, handle)


def read_json(path):
    with open(path) as handle:
        return json.load(handle)


class JsonStore:
    def __init__(self, path):
        self.path = path

    def get(self, key):
        return read_json(self.path).get(key)

    def put(self, key, value):
        data = read_json(self.path)
        data[key] = value
        save_json(self.path, data)
`,
  },
  support: {
    "requirements.txt": "requests==2.32.3\npydantic>=2.7\nclick~=8.1\nnumpy>=1.26  # numbers\n",
    ...pythonPackage("requests", {
      "__init__.py": "from .api import get, post\nfrom .sessions import Session\n\n__version__ = '2.32.3'\n",
      "api.py": "def get(url, **kwargs):\n    pass\n\n\ndef post(url, data=None, **kwargs):\n    pass\n",
      "sessions.py": "class Session:\n    def get(self, url):\n        pass\n",
      "exceptions.py":
        "class RequestException(IOError):\n    pass\n\n\nclass HTTPError(RequestException):\n    pass\n",
    }),
    ...pythonPackage("pydantic", {
      "__init__.py":
        "class BaseModel:\n    pass\n\n\ndef Field(default=None, **kwargs):\n    pass\n\n\ndef field_validator(*fields):\n    pass\n",
    }),
    ...pythonPackage("click", {
      "__init__.py":
        "def command(name=None):\n    pass\n\n\ndef option(*names, **attrs):\n    pass\n\n\ndef echo(message=None):\n    pass\n\n\ndef group(name=None):\n    pass\n",
    }),
    ...pythonPackage("numpy", {
      "__init__.py":
        "def array(obj):\n    pass\n\n\ndef zeros(shape):\n    pass\n\n\ndef mean(a):\n    pass\n\n\nclass ndarray:\n    pass\n",
    }),
  },
};

export const weatherWorkspace: EvalWorkspace = {
  name: "weather",
  language: "python",
  snippetPath: "weather/cli.py",
  prefix: `import httpx\nfrom weather.client import WeatherClient\n\n`,
  sources: {
    "weather/__init__.py": ``,
    "weather/client.py": `import httpx


class WeatherClient:
    def __init__(self, base_url, api_key=None):
        self.base_url = base_url
        self.api_key = api_key

    def fetch_forecast(self, city, days=3):
        return httpx.get(f"{self.base_url}/forecast", params={"q": city, "days": days}).json()

    def current_conditions(self, city):
        return httpx.get(f"{self.base_url}/current", params={"q": city}).json()
`,
    "weather/units.py": `def celsius_to_fahrenheit(celsius):
    return celsius * 9 / 5 + 32


def kmh_to_ms(speed):
    return speed / 3.6


FREEZING_POINT = 0.0
`,
  },
  support: {
    "pyproject.toml": `[project]\nname = "weather"\nversion = "0.1.0"\ndependencies = [\n  "httpx>=0.27",\n  "rich>=13",\n  "python-dateutil>=2.9",\n]\n`,
    ...pythonPackage("httpx", {
      "__init__.py":
        "def get(url, params=None):\n    pass\n\n\ndef post(url, json=None):\n    pass\n\n\nclass Client:\n    pass\n\n\nclass HTTPStatusError(Exception):\n    pass\n",
    }),
    ...pythonPackage("rich", {
      "__init__.py": "def print(*objects):\n    pass\n",
      "console.py": "class Console:\n    def print(self, *objects):\n        pass\n",
      "table.py": "class Table:\n    def add_row(self, *cells):\n        pass\n",
    }),
    ...pythonPackage(
      "dateutil",
      {
        "__init__.py": "",
        "parser.py": "def parse(text):\n    pass\n",
        "relativedelta.py": "class relativedelta:\n    pass\n",
      },
      "python_dateutil",
    ),
  },
};

export const evalWorkspaces: readonly EvalWorkspace[] = [
  shopWorkspace,
  chatWorkspace,
  inventoryWorkspace,
  weatherWorkspace,
];

/** Writes a workspace under root/<name> and returns that folder. */
export async function writeWorkspace(root: string, workspace: EvalWorkspace): Promise<string> {
  const folder = join(root, workspace.name);
  for (const [path, text] of Object.entries({ ...workspace.sources, ...workspace.support })) {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), text);
  }
  return folder;
}
