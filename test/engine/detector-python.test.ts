// The detector's Python checks typed by stubs: stdlib classes from typeshed, installed packages from their
// sources, receivers reached through calls and chains, and the constructs that must not be findings
// (match patterns, star imports, guarded imports). Installed packages come from the machine's python3.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { detect, workspaceFromFiles, type IndexedWorkspace } from "../../engine/detector/index.js";

let root: string;
let workspace: IndexedWorkspace;
/** Where python3 has requests, yaml and click (copied into the workspace's .venv as a user's would be). */
const packageDirs = (() => {
  try {
    const script =
      "import click, requests, yaml, os\n" +
      "for m in (click, requests, yaml): print(os.path.dirname(m.__file__))";
    return execFileSync("python3", ["-c", script], { encoding: "utf8" }).trim().split("\n");
  } catch {
    return undefined;
  }
})();

before(async () => {
  root = await mkdtemp(join(tmpdir(), "coop-detector-python-"));
  const sitePackages = join(root, ".venv", "lib", "python3.11", "site-packages");
  await mkdir(sitePackages, { recursive: true });
  for (const dir of packageDirs ?? [])
    await cp(dir, join(sitePackages, dir.split(/[\\/]/).pop()!), { recursive: true });
  workspace = await workspaceFromFiles(
    [{ path: "app/shop.py", text: "class Cart:\n    def total(self):\n        return 0\n" }],
    {
      root,
    },
  );
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The findings of a snippet after a prefix, as "kind name". */
async function findings(snippet: string, prefix = ""): Promise<string[]> {
  const found = await detect(snippet, {
    language: "python",
    workspace,
    prefixContext: prefix,
    path: "app/main.py",
  });
  return found.map((finding) => `${finding.kind} ${finding.name}`);
}

describe("standard-library classes and instances from typeshed", () => {
  test("members of classes, of what their methods return, and of constructed instances", async () => {
    const prefix = "from datetime import date, datetime\nfrom pathlib import Path\n";
    assert.deepEqual(
      await findings(
        "d = date.today()\nprint(d.year, d.isoformat(), datetime.now().astimezone().tzname())\n" +
          'p = Path("x")\nprint(p.parent.name.upper(), Path.home().joinpath("a").exists())\n',
        prefix,
      ),
      [],
    );
    assert.deepEqual(
      await findings('date.today_utc()\nx = datetime.from_iso("2020")\nPath("x").exist()\n', prefix),
      ["unknownMember today_utc", "unknownMember from_iso", "unknownMember exist"],
    );
  });

  test("literals, built-in calls, module functions with known returns, and `with ... as`", async () => {
    assert.deepEqual(
      await findings(
        '"x".upper().strip()\n[1].append(2)\n{}.items()\nlen("a").bit_length()\n' +
          "m = re.match('a', 'b')\nm.group(0)\nlog = logging.getLogger(__name__)\nlog.info('x')\n" +
          'with open("f") as f:\n    f.read()\n',
        "import re\nimport logging\n",
      ),
      [],
    );
    assert.deepEqual(
      await findings(
        '"x".contains("y")\n{}.iteritems()\nm = re.compile("a")\nm.matchall("b")\n' +
          "log = logging.getLogger()\n" +
          'log.infoo("x")\nwith open("f") as f:\n    f.readx()\n',
        "import re\nimport logging\n",
      ),
      [
        "unknownMember contains",
        "unknownMember iteritems",
        "unknownMember matchall",
        "unknownMember infoo",
        "unknownMember readx",
      ],
    );
  });

  test("a module's class reached through the module, and suggestions from the class's members", async () => {
    const found = await detect("datetime.date.todayy()\n", {
      language: "python",
      workspace,
      prefixContext: "import datetime\n",
    });
    assert.equal(found.length, 1);
    assert.equal(found[0]!.name, "todayy");
    assert.ok(found[0]!.suggestions.includes("today"));
  });

  test("what is not knowable stays unknown: private names, untyped results, rebound names", async () => {
    assert.deepEqual(
      await findings(
        "d = date.today()\nd._private\nx = json.loads('1')\nx.anything\n" +
          "y = date.today()\ny = 3\ny.whatever\n",
        "import json\nfrom datetime import date\n",
      ),
      [],
    );
  });

  test("no findings where Python allows: super(), type(x), enum members, Any, a metaclass", async () => {
    const snippet = `class Child(Base):
    def save(self):
        super().save()
        return type(self).registry

def handle(status: HTTPStatus, anything: Any):
    anything.whatever()
    p = Path("x")
    p.custom_attribute = 1
    del p.custom_attribute
    io.IOBase.register(Child)
    return HTTPStatus.OK.phrase, status.value, http.HTTPStatus.NOT_FOUND.description
`;
    const prefix =
      "import http\nimport io\nfrom http import HTTPStatus\n" +
      "from pathlib import Path\nfrom typing import Any\n";
    assert.deepEqual(await findings(snippet, prefix), ["unknownSymbol Base"]);
  });
});

describe("imports: submodules, star imports, guarded imports", () => {
  test("a submodule of a standard package must exist", async () => {
    assert.deepEqual(
      await findings("import os.path\nimport xml.etree.ElementTree\nimport email.mime.text\n"),
      [],
    );
    assert.deepEqual(await findings("import os.pathlib\n"), ["unknownPackage os.pathlib"]);
  });

  test("`from m import *` binds m's __all__ (or public names); other names are still findings", async () => {
    assert.deepEqual(
      await findings("from os.path import *\nprint(join('a', 'b'), exists('x'), nosuch('y'))\n"),
      ["unknownSymbol nosuch"],
    );
  });

  test("a guarded import of a package that is not installed is no finding; its names are known", async () => {
    const snippet =
      "try:\n    import ujson as j\nexcept ImportError:\n    import json as j\nj.dumps({})\n" +
      "try:\n    from lxml import etree\nexcept ModuleNotFoundError:\n    etree = None\n";
    assert.deepEqual(await findings(snippet), []);
    assert.deepEqual(await findings("import ujson\n"), ["unknownPackage ujson"]);
    // The guarded package is absent here, so the name holds the fallback, whose members are known.
    assert.deepEqual(
      await findings("try:\n    import ujson as j\nexcept ImportError:\n    import json as j\nj.dumpz({})\n"),
      ["unknownMember dumpz"],
    );
  });
});

describe("match statements", () => {
  test("capture patterns bind; class and value patterns are references", async () => {
    const snippet = `def describe(order):
    match order:
        case {"sku": sku, **others}:
            return sku, others
        case [first, *rest]:
            return first, rest
        case Cart(total=0) as empty:
            return empty
        case Point(x=0, y=y):
            return y
        case str() as text:
            return text
        case Color.RED:
            return None
`;
    assert.deepEqual(await findings(snippet, "from app.shop import Cart\n"), [
      "unknownSymbol Point",
      "unknownSymbol Color",
    ]);
  });
});

describe(
  "installed packages read from site-packages",
  { skip: packageDirs === undefined && "no python3 with requests, yaml, click" },
  () => {
    test("classes of requests, PyYAML and click with their members and return types", async () => {
      assert.deepEqual(
        await findings(
          "s = requests.Session()\ns.get('u').json()\ns.headers.update({})\n" +
            "r = requests.get('u')\nr.raise_for_status()\n" +
            "yaml.safe_load('a')\nctx = click.Context(click.Command('x'))\nctx.invoke(print)\n",
          "import click\nimport requests\nimport yaml\n",
        ),
        [],
      );
      assert.deepEqual(
        await findings(
          "requests.Session().get_json('u')\nr = requests.get('u')\nr.statuscode\nyaml.safe_loads('a')\n" +
            "ctx = click.Context(click.Command('x'))\nctx.invokee(print)\n",
          "import click\nimport requests\nimport yaml\n",
        ),
        [
          "unknownMember get_json",
          "unknownMember statuscode",
          "unknownMember safe_loads",
          "unknownMember invokee",
        ],
      );
    });

    test("`with Session() as s` binds what __enter__ returns", async () => {
      assert.deepEqual(
        await findings(
          "with Session() as s:\n    s.post('u')\n    s.postt('u')\n",
          "from requests import Session\n",
        ),
        ["unknownMember postt"],
      );
    });
  },
);
