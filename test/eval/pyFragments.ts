// Statement templates for the Python workspaces (inventory, weather).
import type { FragmentMaker, Generation } from "./fragment.js";

const builtinLines: ((g: Generation) => string[])[] = [
  (g) => [`${g.local("total")} = sum(len(str(x)) for x in range(3))`],
  (g) => [`${g.local("pairs")} = dict(zip(["a", "b"], [1, 2]))`],
  (g) => [`${g.local("ordered")} = sorted({3, 1, 2}, key=lambda item: -item, reverse=True)`],
  () => [`print(isinstance(1, int), any([]), all([]), repr(None), __name__)`],
  (g) => [`${g.local("rounded")} = round(abs(-2.5)) + max(1, 2) + divmod(7, 2)[0]`],
  (g) => {
    const v = g.local("handle");
    return [`with open(__file__) as ${v}:`, `    print(${v}.readline())`];
  },
  () => [`try:`, `    int("x")`, `except (ValueError, TypeError) as error:`, `    print(error)`],
  (g) => [`${g.local("flags")} = [bool(x) for x in enumerate(reversed([1, 2]))]`],
  (g) => [`${g.local("size")} = getattr(object(), "__sizeof__")() + hash("x") % 7`],
  () => [`if __name__ == "__main__":`, `    raise SystemExit(NotImplemented is None)`],
];

const stdlibUsages: {
  imports: string[];
  module: string;
  alias?: string;
  lines: (g: Generation) => string[];
}[] = [
  {
    module: "os.path",
    alias: "os.path",
    imports: ["import os"],
    lines: (g) => [`${g.local("target")} = os.path.join(os.getcwd(), "out")`],
  },
  {
    module: "json",
    alias: "json",
    imports: ["import json"],
    lines: (g) => [`${g.local("text")} = json.dumps({"a": 1}, indent=2)`],
  },
  {
    module: "math",
    alias: "math",
    imports: ["import math"],
    lines: (g) => [`${g.local("angle")} = math.floor(math.pi * 2) + math.sqrt(4)`],
  },
  {
    module: "itertools",
    alias: "itertools",
    imports: ["import itertools"],
    lines: (g) => [`${g.local("chained")} = list(itertools.chain([1], [2]))`],
  },
  {
    module: "collections",
    imports: ["from collections import Counter, defaultdict"],
    lines: (g) => {
      const v = g.local("groups");
      return [`${v} = defaultdict(list)`, `${v}["a"].append(Counter("abc").most_common(1))`];
    },
  },
  {
    module: "pathlib",
    imports: ["from pathlib import Path"],
    lines: (g) => [`${g.local("exists")} = Path("data").exists()`],
  },
  {
    module: "datetime",
    alias: "dt",
    imports: ["import datetime as dt"],
    lines: (g) => [`${g.local("stamp")} = dt.datetime.now().isoformat()`],
  },
  {
    module: "typing",
    imports: ["from typing import Optional"],
    lines: (g) => {
      const f = g.local("maybe");
      return [
        `def ${f}(value: Optional[int] = None) -> list[int]:`,
        `    return [value] if value is not None else []`,
      ];
    },
  },
];

export const pythonStdlibFragment: FragmentMaker = (g, plant) => {
  const usage = g.random.pick(stdlibUsages);
  const fragment = {
    imports: [...usage.imports],
    lines: usage.lines(g),
    planted: undefined as { kind: "unknownMember" | "unknownPackage"; name: string }[] | undefined,
  };
  if (!plant)
    return { imports: fragment.imports, lines: [...fragment.lines, ...g.random.pick(builtinLines)(g)] };
  if (usage.alias !== undefined && g.random.chance(0.5)) {
    const member = g.freshMember(
      ["joinpath", "parse", "clamp", "flatten", "read_file", "to_json", "chunked"],
      usage.module,
    );
    fragment.lines.push(`print(${usage.alias}.${member}("x"))`);
    fragment.planted = [{ kind: "unknownMember", name: member }];
  } else if (g.random.chance(0.5)) {
    const [module, fakes] = g.random.pick([
      ["collections", ["OrderedSet", "FrozenDict", "DefaultList"]],
      ["itertools", ["chunked", "flatten", "windowed"]],
      ["json", ["parse", "loads_file", "JSONParser"]],
      ["os", ["listfiles", "getuser", "makedir"]],
    ] as const);
    const member = g.freshMember(fakes, module);
    fragment.imports.push(`from ${module} import ${member}`);
    fragment.lines.push(`print(${member})`);
    fragment.planted = [{ kind: "unknownMember", name: member }];
  } else {
    const module = g.freshPackage(() => g.inventedPackage());
    const direct = g.random.chance(0.5);
    fragment.imports.push(direct ? `import ${module}` : `from ${module} import helpers`);
    fragment.lines.push(`print(${direct ? module : "helpers"})`);
    fragment.planted = [{ kind: "unknownPackage", name: module }];
  }
  return { imports: fragment.imports, lines: fragment.lines, planted: fragment.planted };
};

const bindingLines: ((g: Generation) => string[])[] = [
  (g) => {
    const f = g.local("summarize");
    return [
      `def ${f}(first, *rest, scale=1, **options):`,
      `    inner = [item * scale for item in rest if item]`,
      `    return first, inner, options.get("mode")`,
    ];
  },
  () => [`for index, (left, right) in enumerate([(1, 2)]):`, `    print(index, left + right)`],
  (g) => {
    const v = g.local("squares");
    return [`${v} = {key: value ** 2 for key, value in {"a": 2}.items()}`];
  },
  (g) => [`if (${g.local("count")} := len("abc")) > 2:`, `    print("long")`],
  (g) => {
    const k = g.local("Counter", true);
    return [
      `class ${k}:`,
      `    total = 0`,
      ``,
      `    def increment(self, step=1):`,
      `        self.total += step`,
      `        self.last_step = step`,
      `        return self.total + self.last_step`,
      ``,
      `    @staticmethod`,
      `    def zero():`,
      `        return 0`,
    ];
  },
  (g) => {
    const f = g.local("make_adder");
    return [
      `def ${f}(amount):`,
      `    def add(value):`,
      `        nonlocal amount`,
      `        return value + amount`,
      `    return add`,
    ];
  },
  (g) => [`${g.local("first")}, *${g.local("others")} = [1, 2, 3]`],
  (g) => [`${g.local("label")} = f"{__name__}-{len('ab'):>4}"`],
  (g) => {
    const v = g.local("pick");
    return [`${v} = (lambda a, b=2: a * b)(3)`];
  },
  () => [`list = [1, 2]`, `print(list[0])`],
];

export const pythonBindingFragment: FragmentMaker = (g, plant) => {
  const lines = g.random.sample(bindingLines, 2).flatMap((make) => make(g));
  if (!plant) return { lines };
  const name = g.freshSymbol("snake");
  return {
    lines: [...lines, `${g.local("value")} = ${name}(${g.random.pick(["1", "[]", "{}", "'x'"])})`],
    planted: [{ kind: "unknownSymbol", name }],
  };
};

const productMembers = new Set(["sku", "name", "price", "discounted"]);
const warehouseMembers = new Set(["products", "add_product", "remove_product", "find_by_sku", "total_value"]);

export const inventoryFragment: FragmentMaker = (g, plant) => {
  const warehouse = g.local("warehouse");
  const item = g.local("item");
  const lines = [
    `${warehouse} = Warehouse()`,
    `${item} = Product("A1", "Lamp", 30)`,
    `${warehouse}.add_product(${item})`,
    `print(${warehouse}.total_value(), ${item}.discounted(10), ${item}.sku)`,
  ];
  if (!plant) return { lines };
  switch (g.random.int(4)) {
    case 0: {
      const member = g.random.chance(0.5)
        ? g.freshMember(["find_by_name", "restock", "list_products", "clear"], warehouseMembers)
        : g.freshTypo("find_by_sku");
      return {
        lines: [...lines, `${warehouse}.${member}("A1")`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    case 1: {
      const member = g.freshMember(["apply_tax", "quantity", "category", "with_price"], productMembers);
      return {
        lines: [...lines, `print(${item}.${member})`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    case 2: {
      const wrong = g.random.chance(0.5) ? g.freshTypo("load_products") : g.freshSymbol("snake");
      return {
        lines: [...lines, `${g.local("loaded")} = ${wrong}("products.csv")`],
        planted: [{ kind: "unknownSymbol", name: wrong }],
      };
    }
    default: {
      const member = g.freshMember(
        ["load_inventory", "Category", "Supplier", "save_products"],
        new Set(["Product", "Warehouse", "load_products", "DEFAULT_LOCATION"]),
      );
      return {
        imports: [`from app.models import load_products, ${member}`],
        lines: [...lines, `print(${member})`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
  }
};

export const storageFragment: FragmentMaker = (g, plant) => {
  const store = g.local("store");
  const lines = [
    `storage.save_json("out.json", {"a": 1})`,
    `${store} = storage.JsonStore("db.json")`,
    `${store}.put("k", storage.read_json("out.json"))`,
  ];
  if (!plant)
    return {
      imports: [`from app.storage import JsonStore as Store`],
      lines: [...lines, `print(Store("x").get("k"))`],
    };
  switch (g.random.int(3)) {
    case 0: {
      const member = g.freshMember(
        ["save_yaml", "write_json", "load_json", "delete_json"],
        new Set(["save_json", "read_json", "JsonStore", "json"]),
      );
      return {
        lines: [...lines, `storage.${member}("x")`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    case 1: {
      const module = g.freshPackage(
        () => `app.${g.random.pick(["exporters", "database", "cache", "serializers"])}`,
      );
      return {
        imports: [`from ${module} import export_all`],
        lines: [...lines, `export_all()`],
        planted: [{ kind: "unknownPackage", name: module }],
      };
    }
    default: {
      const wrong = g.freshTypo("save_json");
      return {
        lines: [...lines, `storage.save_json("b.json", {})`, `${wrong}("c.json", {})`],
        planted: [{ kind: "unknownSymbol", name: wrong }],
      };
    }
  }
};

export const inventoryPackageFragment: FragmentMaker = (g, plant) => {
  const usages = [
    () => ({
      imports: ["import requests"],
      lines: [
        `${g.local("response")} = requests.get("https://example.test", timeout=5)`,
        `print(requests.Session, requests.__version__)`,
      ],
    }),
    () => ({ imports: ["from requests.exceptions import HTTPError"], lines: [`print(HTTPError)`] }),
    () => ({
      imports: ["from pydantic import BaseModel, Field"],
      lines: [`class ${g.local("Item", true)}(BaseModel):`, `    name: str = Field(default="x")`],
    }),
    () => ({
      imports: ["import numpy as np"],
      lines: [`${g.local("values")} = np.mean(np.array([1, 2, 3])) + np.zeros(3)`],
    }),
    () => ({
      imports: ["import click"],
      lines: [
        `@click.command()`,
        `@click.option("--name")`,
        `def ${g.local("cli")}(name):`,
        `    click.echo(name)`,
      ],
    }),
  ];
  const usage = g.random.pick(usages)();
  if (!plant) return usage;
  switch (g.random.int(3)) {
    case 0: {
      const module = g.freshPackage(() =>
        g.random.chance(0.5)
          ? g.typoOf(g.random.pick(["requests", "pydantic", "numpy", "click"]))
          : g.inventedPackage(),
      );
      return {
        imports: [...usage.imports, `import ${module}`],
        lines: [...usage.lines, `print(${module})`],
        planted: [{ kind: "unknownPackage", name: module }],
      };
    }
    case 1: {
      const [module, real, fakes] = g.random.pick([
        [
          "requests",
          ["get", "post", "Session", "api", "sessions", "exceptions"],
          ["fetch", "get_json", "AsyncSession"],
        ],
        [
          "pydantic",
          ["BaseModel", "Field", "field_validator"],
          ["ValidationModel", "validator_field", "StrictModel"],
        ],
        ["numpy", ["array", "zeros", "mean", "ndarray"], ["arrray", "average_all", "matrix2"]],
      ] as const);
      const member = g.freshMember(fakes, new Set(real));
      return {
        imports: [...usage.imports, `from ${module} import ${member}`],
        lines: [...usage.lines, `print(${member})`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    default: {
      const module = g.freshPackage(
        () => `requests.${g.random.pick(["retrying", "auth_helpers", "compat2", "async_api"])}`,
      );
      return {
        imports: [...usage.imports, `from ${module} import Retry`],
        lines: [...usage.lines, `print(Retry)`],
        planted: [{ kind: "unknownPackage", name: module }],
      };
    }
  }
};

export const weatherFragment: FragmentMaker = (g, plant) => {
  const client = g.local("client");
  const imports = [`from weather.units import celsius_to_fahrenheit, kmh_to_ms as to_ms`];
  const lines = [
    `${client} = WeatherClient("https://api.example.test", api_key=None)`,
    `${g.local("forecast")} = ${client}.fetch_forecast("Oslo", days=2)`,
    `print(celsius_to_fahrenheit(21), to_ms(36), ${client}.base_url)`,
  ];
  if (!plant) return { imports, lines };
  switch (g.random.int(3)) {
    case 0: {
      const member = g.random.chance(0.5)
        ? g.freshMember(
            ["fetch_history", "hourly_forecast", "alerts", "set_units"],
            new Set(["base_url", "api_key", "fetch_forecast", "current_conditions"]),
          )
        : g.freshTypo("current_conditions");
      return {
        imports,
        lines: [...lines, `print(${client}.${member}("Oslo"))`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
    case 1: {
      const wrong = g.random.chance(0.5) ? g.freshTypo("celsius_to_fahrenheit") : g.freshSymbol("snake");
      return {
        imports,
        lines: [...lines, `print(${wrong}(10))`],
        planted: [{ kind: "unknownSymbol", name: wrong }],
      };
    }
    default: {
      const member = g.freshMember(
        ["fahrenheit_to_celsius", "ms_to_kmh", "BOILING_POINT"],
        new Set(["celsius_to_fahrenheit", "kmh_to_ms", "FREEZING_POINT"]),
      );
      return {
        imports: [...imports, `from weather.units import ${member}`],
        lines: [...lines, `print(${member})`],
        planted: [{ kind: "unknownMember", name: member }],
      };
    }
  }
};

export const weatherPackageFragment: FragmentMaker = (g, plant) => {
  const usages = [
    () => ({ imports: ["from rich.console import Console"], lines: [`Console().print("ok")`] }),
    () => ({
      imports: ["from dateutil import parser as date_parser"],
      lines: [`${g.local("when")} = date_parser.parse("2024-01-01")`],
    }),
    () => ({
      imports: ["import httpx"],
      lines: [
        `${g.local("reply")} = httpx.post("https://example.test", json={})`,
        `print(httpx.HTTPStatusError)`,
      ],
    }),
    () => ({ imports: ["from rich.table import Table"], lines: [`Table().add_row("a")`] }),
  ];
  const usage = g.random.pick(usages)();
  if (!plant) return usage;
  if (g.random.chance(0.5)) {
    const module = g.freshPackage(() =>
      g.random.chance(0.5) ? g.typoOf(g.random.pick(["httpx", "rich", "dateutil"])) : g.inventedPackage(),
    );
    return {
      imports: [...usage.imports, `import ${module}`],
      lines: [...usage.lines, `print(${module})`],
      planted: [{ kind: "unknownPackage", name: module }],
    };
  }
  const member = g.freshMember(
    ["get_json", "AsyncClientPool", "fetch"],
    new Set(["get", "post", "Client", "HTTPStatusError"]),
  );
  return {
    imports: [...usage.imports, "import httpx"],
    lines: [...usage.lines, `print(httpx.${member}("x"))`],
    planted: [{ kind: "unknownMember", name: member }],
  };
};
