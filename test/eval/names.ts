// Planted names: plausible hallucinations (typos of real names, invented compounds, near-miss packages)
// that are checked not to exist anywhere the detector looks, so every label is true.
import type { Random } from "./random.js";

const verbs = [
  "fetch",
  "load",
  "compute",
  "validate",
  "normalize",
  "resolve",
  "sync",
  "render",
  "merge",
  "ensure",
  "build",
  "refresh",
  "export",
  "calculate",
];
const nouns = [
  "Shipping",
  "Invoice",
  "Coupon",
  "Profile",
  "Session",
  "Inventory",
  "Forecast",
  "Receipt",
  "Batch",
  "Payload",
  "Summary",
  "Quota",
  "Ledger",
  "Snapshot",
];
const suffixes = ["", "", "Data", "Items", "ById", "Async", "Details", "List"];

export function camelToSnake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** An invented function-like name in the language's style. */
export function inventedName(random: Random, style: "camel" | "snake" | "pascal"): string {
  const camel = random.pick(verbs) + random.pick(nouns) + random.pick(suffixes);
  if (style === "snake") return camelToSnake(camel);
  return style === "pascal" ? camel[0]!.toUpperCase() + camel.slice(1) : camel;
}

/** A one-edit typo of a real name: a dropped, doubled or swapped letter (never the first one). */
export function typo(random: Random, name: string): string {
  const at = 1 + random.int(Math.max(1, name.length - 2));
  switch (random.int(3)) {
    case 0:
      return name.slice(0, at) + name.slice(at + 1);
    case 1:
      return name.slice(0, at) + name[at] + name.slice(at);
    default:
      return at + 1 < name.length
        ? name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2)
        : name + "s";
  }
}

/** Draws names from make() until one is not taken (and differs from the original). */
export function freshName(make: () => string, taken: (name: string) => boolean): string {
  for (let attempt = 0; attempt < 200; attempt++) {
    const name = make();
    if (/^[A-Za-z_.@][\w.@/:-]*$/.test(name) && !taken(name)) return name;
  }
  throw new Error("could not draw a fresh planted name");
}

const packageAdjectives = ["fast", "tiny", "smart", "easy", "super", "micro"];
const packageNouns = [
  "cart",
  "json",
  "cache",
  "router",
  "validator",
  "dates",
  "retry",
  "queue",
  "socket",
  "money",
];

export function inventedNpmPackage(random: Random): string {
  switch (random.int(3)) {
    case 0:
      return `${random.pick(packageAdjectives)}-${random.pick(packageNouns)}`;
    case 1:
      return `@${random.pick(["acme", "shopkit", "chat", "utils"])}/${random.pick(packageNouns)}-${random.pick(["core", "kit", "helpers"])}`;
    default:
      return `${random.pick(packageNouns)}${random.pick(["ify", "js", "-lite", "-plus"])}`;
  }
}

export function inventedPythonPackage(random: Random): string {
  return random.pick([
    () => `${random.pick(packageNouns)}_${random.pick(["utils", "tools", "kit", "helpers"])}`,
    () => `py${random.pick(packageNouns)}${random.pick(["", "2", "x"])}`,
    () => `${random.pick(["fast", "easy", "smart"])}${random.pick(packageNouns)}`,
  ])();
}
