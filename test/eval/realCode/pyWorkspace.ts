// The Python workspace of the real-code set: a small shop app whose requirements.txt declares requests,
// PyYAML and click, installed in its own .venv as pip would (copied from the interpreter's
// site-packages, with their dist-info).
import { cp, mkdir, readdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export const pyWorkspaceName = "py-shop";
/**
 * Import names copied into the workspace's virtualenv when the interpreter has them: the declared
 * packages and their dependencies (requests uses charset_normalizer or chardet).
 */
export const pyInstalled = [
  "requests",
  "urllib3",
  "idna",
  "certifi",
  "charset_normalizer",
  "chardet",
  "yaml",
  "click",
];
const distributions = [
  "requests",
  "urllib3",
  "idna",
  "certifi",
  "charset_normalizer",
  "chardet",
  "pyyaml",
  "click",
];

export const pyWorkspaceSources: Record<string, string> = {
  "requirements.txt": "requests>=2.31\nPyYAML>=6.0\nclick>=8.1\n",
  "app/__init__.py": "",
  "app/models.py": `from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class OrderLine:
    sku: str
    quantity: int
    price_cents: int


@dataclass
class Order:
    id: str
    customer: str
    lines: list[OrderLine] = field(default_factory=list)
    placed_at: datetime = field(default_factory=datetime.now)

    def total_cents(self) -> int:
        return sum(line.quantity * line.price_cents for line in self.lines)
`,
  "app/pricing.py": `import yaml

from app.models import Order


def load_prices(path: str) -> dict[str, int]:
    with open(path, encoding="utf-8") as stream:
        return yaml.safe_load(stream)


def discounted(order: Order, percent: int) -> int:
    return order.total_cents() * (100 - percent) // 100
`,
};

/** Writes the workspace under `parent` with a virtualenv holding `installed` (import name -> path). */
export async function writePyWorkspace(
  parent: string,
  installed: Record<string, string>,
  version: string,
): Promise<string> {
  const root = join(parent, pyWorkspaceName);
  for (const [path, text] of Object.entries(pyWorkspaceSources)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const sitePackages = join(root, ".venv", "lib", `python${version}`, "site-packages");
  await mkdir(sitePackages, { recursive: true });
  const notCache = (source: string): boolean => basename(source) !== "__pycache__";
  for (const path of Object.values(installed))
    await cp(path, join(sitePackages, basename(path)), { recursive: true, filter: notCache });
  for (const source of new Set(Object.values(installed).map((path) => dirname(path))))
    for (const entry of await readdir(source)) {
      const distribution = entry.toLowerCase().replace(/-.*$/, "");
      if (/\.(dist|egg)-info$/.test(entry) && distributions.includes(distribution))
        await cp(join(source, entry), join(sitePackages, entry), { recursive: true });
    }
  return root;
}
