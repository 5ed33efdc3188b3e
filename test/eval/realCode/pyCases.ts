// Python cases generated from what the real interpreter says exists (pyInterpreter.ts): members of stdlib
// and package modules, classes and instances, imported names, modules and submodules, with near misses,
// plus correct cases of the everyday patterns a name-table detector got wrong.
import { Random } from "../random.js";
import { nearMiss, nearMissSegment } from "./nearMiss.js";
import type { PyFacts, PyMember, PyReceiver, pythonFacts } from "./pyInterpreter.js";
import { pyInstalled, pyWorkspaceName } from "./pyWorkspace.js";
import type { RealCase, RealLabel } from "./realCase.js";

interface PyReceiverSpec extends PyReceiver {
  /** A variable the suggestion may use instead of the expression itself (`session = requests.Session()`). */
  bind?: string;
}

const moduleNames = [
  "os",
  "os.path",
  "json",
  "re",
  "datetime",
  "pathlib",
  "collections",
  "itertools",
  "functools",
  "shutil",
  "subprocess",
  "math",
  "random",
  "string",
  "time",
  "urllib.parse",
  "logging",
  "csv",
  "hashlib",
  "uuid",
  "statistics",
  "textwrap",
  "base64",
  "requests",
  "yaml",
  "click",
];

export const pyReceivers: PyReceiverSpec[] = [
  ...moduleNames.map((name) => ({ id: name, setup: `import ${name}`, expression: name })),
  { id: "datetime.datetime", setup: "import datetime", expression: "datetime.datetime" },
  { id: "date", setup: "from datetime import date", expression: "date" },
  { id: "timedelta", setup: "from datetime import timedelta", expression: "timedelta" },
  { id: "Path", setup: "from pathlib import Path", expression: "Path" },
  { id: "Counter", setup: "from collections import Counter", expression: "Counter" },
  { id: "requests.Session", setup: "import requests", expression: "requests.Session" },
  { id: "Path()", setup: "from pathlib import Path", expression: 'Path("orders.json")', bind: "orders_file" },
  {
    id: "datetime.now()",
    setup: "from datetime import datetime",
    expression: "datetime.now()",
    bind: "placed_at",
  },
  { id: "date.today()", setup: "from datetime import date", expression: "date.today()", bind: "today" },
  {
    id: "timedelta()",
    setup: "from datetime import timedelta",
    expression: "timedelta(days=1)",
    bind: "delay",
  },
  { id: "requests.Session()", setup: "import requests", expression: "requests.Session()", bind: "session" },
  {
    id: "requests.Response()",
    setup: "import requests",
    expression: "requests.Response()",
    bind: "response",
  },
  { id: "str", setup: "", expression: '"orders"', bind: "label" },
  { id: "list", setup: "", expression: "[3, 1, 2]", bind: "counts" },
  { id: "dict", setup: "", expression: '{"sku": 1}', bind: "stock" },
  { id: "re.compile()", setup: "import re", expression: 're.compile("[0-9]+")', bind: "pattern" },
  { id: "getLogger()", setup: "import logging", expression: 'logging.getLogger("shop")', bind: "logger" },
  {
    id: "Counter()",
    setup: "from collections import Counter",
    expression: 'Counter("banana")',
    bind: "letters",
  },
  { id: "click.Group()", setup: "import click", expression: 'click.Group("cli")', bind: "cli" },
];

/** Packages whose submodules are enumerated, and modules whose star import is used. */
export const pyPackages = [
  "xml",
  "urllib",
  "email",
  "json",
  "concurrent",
  "logging",
  "http",
  "importlib",
  "requests",
  "click",
];
export const pyStarModules = ["os.path", "json", "math", "string", "shutil"];
const fromImportModules = [
  "os",
  "os.path",
  "json",
  "datetime",
  "pathlib",
  "collections",
  "itertools",
  "functools",
  "subprocess",
  "requests",
  "yaml",
  "click",
  "typing",
  "urllib.parse",
];

/** Python names are near-missed in their own style: `from_iso`, `today_utc`, `get_json`. */
function pyNearMiss(name: string, existing: ReadonlySet<string>, random: Random): string | undefined {
  return nearMiss(name, existing, random, /[a-z][A-Z]/.test(name) ? "camel" : "snake");
}

class CaseList {
  readonly cases: RealCase[] = [];

  add(family: string, head: string[], snippet: string, expected: RealLabel[]): void {
    const id = `py-${String(this.cases.length).padStart(3, "0")}`;
    const prefix = head.filter((line) => line.length > 0).join("\n");
    this.cases.push({
      id,
      language: "python",
      workspace: pyWorkspaceName,
      path: `app/${id.replace("-", "_")}.py`,
      prefix: prefix.length > 0 ? `${prefix}\n\n` : "",
      snippet,
      suffix: "\n",
      family,
      expected,
    });
  }
}

function access(expression: string, member: PyMember, name: string): string {
  return `value = ${expression}.${name}${member.callable && member.requiredArgs === 0 ? "()" : ""}`;
}

function memberCases(list: CaseList, facts: PyFacts, random: Random): void {
  for (const receiver of pyReceivers) {
    const members = facts.members[receiver.id]!;
    const names = new Set(members.map((member) => member.name));
    const bound = receiver.bind !== undefined && random.chance(0.6);
    const head = [receiver.setup, bound ? `${receiver.bind} = ${receiver.expression}` : ""];
    const expression = bound ? receiver.bind! : receiver.expression;
    for (const member of random.sample(members, 2))
      list.add(`member:${receiver.id}`, head, access(expression, member, member.name), []);
    for (const member of random.sample(members, 2)) {
      const wrong = pyNearMiss(member.name, names, random);
      if (wrong !== undefined)
        list.add(`member:${receiver.id}`, head, access(expression, member, wrong), [
          { kind: "unknownMember", name: wrong },
        ]);
    }
  }
}

function fromImportCases(list: CaseList, facts: PyFacts, random: Random): void {
  for (const module of fromImportModules) {
    const receiver = pyReceivers.find((entry) => entry.id === module);
    const members = facts.members[receiver?.id ?? module] ?? [];
    if (members.length === 0) continue;
    const names = new Set([...members.map((member) => member.name), ...(facts.submodules[module] ?? [])]);
    const real = random.pick(members).name;
    list.add(`fromImport:${module}`, [], `from ${module} import ${real}`, []);
    const wrong = pyNearMiss(random.pick(members).name, names, random);
    if (wrong !== undefined)
      list.add(`fromImport:${module}`, [], `from ${module} import ${wrong}`, [
        { kind: "unknownMember", name: wrong },
      ]);
  }
}

function moduleCases(list: CaseList, facts: PyFacts, random: Random): void {
  const known = new Set([...facts.stdlib, ...Object.keys(facts.installed)]);
  const importable = [...random.sample(facts.stdlib, 8), "requests", "yaml", "click"];
  for (const name of importable) list.add("module:real", [], `import ${name}`, []);
  for (const name of random.sample([...facts.stdlib, "requests", "yaml", "click"], 11)) {
    const wrong = nearMissSegment(name, known, random, "snake");
    if (wrong !== undefined)
      list.add("module:missing", [], `import ${wrong}`, [{ kind: "unknownPackage", name: wrong }]);
  }
  const packages = Object.entries(facts.submodules).filter(([, children]) => children.length > 0);
  for (const [parent, children] of random.sample(packages, 6)) {
    list.add("submodule:real", [], `import ${parent}.${random.pick(children)}`, []);
    const wrong = nearMissSegment(random.pick(children), new Set(children), random, "snake");
    if (wrong !== undefined)
      list.add("submodule:missing", [], `import ${parent}.${wrong}`, [
        { kind: "unknownPackage", name: `${parent}.${wrong}` },
      ]);
  }
  // A stdlib module written as the submodule of another module that has none (`import os.pathlib`).
  for (const child of random.sample(facts.stdlib, 4)) {
    const parent = random.pick(["os", "json", "re", "datetime", "shutil"]);
    list.add("submodule:missing", [], `import ${parent}.${child}`, [
      { kind: "unknownPackage", name: `${parent}.${child}` },
    ]);
  }
}

function symbolCases(list: CaseList, facts: PyFacts, random: Random): void {
  const builtins = facts.builtins.filter((name) => /^[a-z]/.test(name));
  for (const name of random.sample(builtins, 8)) {
    list.add("symbol:builtin", ["counts = [3, 1, 2]"], `result = ${name}(counts)`, []);
    const wrong = pyNearMiss(name, new Set(facts.builtins), random);
    if (wrong !== undefined)
      list.add("symbol:builtin", ["counts = [3, 1, 2]"], `result = ${wrong}(counts)`, [
        { kind: "unknownSymbol", name: wrong },
      ]);
  }
  for (const module of ["os.path", "json", "shutil", "datetime", "requests", "yaml"]) {
    const members = facts.members[module]!.filter((member) => /^[a-z]/.test(member.name));
    const imported = random.sample(members, 3).map((member) => member.name);
    const head = [`from ${module} import ${imported.join(", ")}`];
    list.add("symbol:imported", head, `handler = ${imported[0]}`, []);
    const exists = new Set([...facts.builtins, ...facts.members[module]!.map((member) => member.name)]);
    const wrong = pyNearMiss(imported[0]!, exists, random);
    if (wrong !== undefined)
      list.add("symbol:imported", head, `handler = ${wrong}`, [{ kind: "unknownSymbol", name: wrong }]);
  }
}

function everydayCases(list: CaseList, facts: PyFacts, random: Random): void {
  const fieldNames = facts.members["requests.Response()"]!.filter(
    (member) => !member.callable && /^[a-z_]+$/.test(member.name),
  ).map((member) => member.name);
  for (let variant = 0; variant < 8; variant++) {
    const [first, second] = random.sample(fieldNames, 2) as [string, string];
    const wrong =
      variant % 3 === 2 ? pyNearMiss(second, new Set([...fieldNames, ...facts.builtins]), random) : undefined;
    list.add(
      "everyday:matchMapping",
      ["import json"],
      [
        "def handle(text):",
        "    match json.loads(text):",
        `        case {"${first}": ${first}, "${second}": ${second}}:`,
        `            return ${first}, ${wrong ?? second}`,
        "        case [head, *rest]:",
        "            return head, rest",
        "        case _:",
        "            return None",
      ].join("\n"),
      wrong === undefined ? [] : [{ kind: "unknownSymbol", name: wrong }],
    );
  }
  const dateFields = facts.members["date"]!.filter((member) => !member.callable).map((member) => member.name);
  for (let variant = 0; variant < 4; variant++) {
    const [first, second] = random.sample(dateFields, 2) as [string, string];
    list.add(
      "everyday:matchClass",
      ["from datetime import date"],
      [
        "def describe(value):",
        "    match value:",
        `        case date(${first}=${first}, ${second}=${second}):`,
        `            return ${first} + ${second}`,
        "        case [first, *rest]:",
        "            return first, len(rest)",
        "    return None",
      ].join("\n"),
      [],
    );
  }
  for (const module of pyStarModules) {
    const names = facts.stars[module]!.filter((name) => /^[a-z]/.test(name));
    for (let variant = 0; variant < 2; variant++) {
      const real = random.pick(names);
      const wrong =
        variant === 1
          ? pyNearMiss(real, new Set([...facts.stars[module]!, ...facts.builtins]), random)
          : undefined;
      list.add(
        "everyday:starImport",
        [],
        `from ${module} import *\n\nhandler = ${wrong ?? real}`,
        wrong === undefined ? [] : [{ kind: "unknownSymbol", name: wrong }],
      );
    }
  }
  const guards = [
    {
      missing: "import ujson as json_impl",
      fallback: "import json as json_impl",
      receiver: "json",
      name: "json_impl",
    },
    {
      missing: "import simplejson as json_impl",
      fallback: "import json as json_impl",
      receiver: "json",
      name: "json_impl",
    },
    {
      missing: "from yaml import CSafeLoader as Loader",
      fallback: "from yaml import SafeLoader as Loader",
      receiver: "yaml.SafeLoader",
      name: "Loader",
    },
    {
      missing: "import tomli as toml_impl",
      fallback: "import tomllib as toml_impl",
      receiver: "tomllib",
      name: "toml_impl",
    },
  ];
  for (let variant = 0; variant < 10; variant++) {
    const guard = guards[variant % guards.length]!;
    const members = facts.members[guard.receiver]!;
    const member = random.pick(members);
    const wrong =
      variant % 3 === 2
        ? pyNearMiss(member.name, new Set(members.map((entry) => entry.name)), random)
        : undefined;
    list.add(
      "everyday:guardedImport",
      [],
      [
        "try:",
        `    ${guard.missing}`,
        "except ImportError:",
        `    ${guard.fallback}`,
        "",
        `handler = ${guard.name}.${wrong ?? member.name}`,
      ].join("\n"),
      wrong === undefined ? [] : [{ kind: "unknownMember", name: wrong }],
    );
  }
}

export const pySeed = 0x5eed_0016;

/** Every Python case, before the interpreter labels them. */
export function generatePyCases(facts: PyFacts, seed = pySeed): RealCase[] {
  const random = new Random(seed);
  const list = new CaseList();
  memberCases(list, facts, random);
  fromImportCases(list, facts, random);
  moduleCases(list, facts, random);
  symbolCases(list, facts, random);
  everydayCases(list, facts, random);
  return list.cases;
}

/** The receivers, packages and modules the generator needs the interpreter to enumerate. */
export function pyFactsRequest(): Parameters<typeof pythonFacts>[0] {
  return {
    receivers: [
      ...pyReceivers,
      { id: "yaml.SafeLoader", setup: "import yaml", expression: "yaml.SafeLoader" },
      { id: "typing", setup: "import typing", expression: "typing" },
      { id: "tomllib", setup: "import tomllib", expression: "tomllib" },
    ],
    packages: pyPackages,
    stars: pyStarModules,
    installed: pyInstalled,
  };
}
