// Names a model plausibly writes instead of a real one: near misses (edit distance 1-2) and renames
// built from the name's own words with common API vocabulary (email -> emailAddress, flatten ->
// deepFlatten, create -> createClient). Never a name in `existing`.
import type { Random } from "../random.js";

const prefixes = ["get", "create", "to", "is", "has", "deep", "safe", "parse", "fetch", "find", "set", "try"];
const suffixes = [
  "Async",
  "Sync",
  "All",
  "Client",
  "Address",
  "Utc",
  "Json",
  "Value",
  "Or",
  "By",
  "Safe",
  "Many",
];
const synonyms: [string, string][] = [
  ["get", "fetch"],
  ["remove", "delete"],
  ["add", "append"],
  ["includes", "contains"],
  ["size", "length"],
  ["exists", "exist"],
  ["find", "search"],
  ["create", "make"],
  ["parse", "decode"],
  ["format", "render"],
  ["keys", "names"],
  ["to", "as"],
  ["from", "of"],
];
const letters = "abcdefghijklmnopqrstuvwxyz";

function words(name: string): string[] {
  return name.split(/(?=[A-Z])|[_-]/).filter((word) => word.length > 0);
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function editOnce(name: string, random: Random): string {
  const at = random.int(name.length);
  switch (random.int(4)) {
    case 0:
      return name.length > 3 ? name.slice(0, at) + name.slice(at + 1) : name + "s";
    case 1:
      return at < name.length - 1
        ? name.slice(0, at) + name[at + 1] + name[at] + name.slice(at + 2)
        : name + "e";
    case 2: {
      const letter = random.pick([...letters]);
      const replaced = /[A-Z]/.test(name[at]!) ? letter.toUpperCase() : letter;
      return name.slice(0, at) + replaced + name.slice(at + 1);
    }
    default:
      return name.slice(0, at + 1) + random.pick([...letters]) + name.slice(at + 1);
  }
}

/**
 * How a name joins words: camelCase (JavaScript members), snake_case or UPPER_CASE (Python), kebab-case
 * (npm package names).
 */
export type NameStyle = "camel" | "snake" | "kebab";

function affix(name: string, word: string, style: NameStyle, before: boolean): string {
  if (style === "camel") return before ? word + capitalize(name) : name + capitalize(word);
  const cased = name === name.toUpperCase() ? word.toUpperCase() : word.toLowerCase();
  const joiner = style === "snake" ? "_" : "-";
  return before ? `${cased}${joiner}${name}` : `${name}${joiner}${cased}`;
}

function rename(name: string, random: Random, style: NameStyle): string {
  const parts = words(name);
  const lower = parts.map((part) => part.toLowerCase());
  const swap = synonyms.find(([a, b]) => lower.includes(a) || lower.includes(b));
  switch (swap !== undefined ? random.int(4) : random.int(3)) {
    case 0:
      return affix(name, random.pick(prefixes), style, true);
    case 1:
      return affix(name, random.pick(suffixes), style, false);
    case 2:
      return name.endsWith("s") ? name.slice(0, -1) : name + "s";
    default: {
      const [a, b] = swap!;
      const swapped = parts.map((part) => {
        const word = part.toLowerCase() === a ? b : part.toLowerCase() === b ? a : part.toLowerCase();
        return part === part.toUpperCase()
          ? word.toUpperCase()
          : part[0] === part[0]!.toUpperCase()
            ? capitalize(word)
            : word;
      });
      return style !== "camel"
        ? swapped.join(style === "snake" ? "_" : "-")
        : swapped.map((word, index) => (index === 0 ? word : capitalize(word))).join("");
    }
  }
}

const identifier = /^[A-Za-z_$][\w$]*$/;

/**
 * A name near `name` that is not in `existing`: a rename from its words or one or two edits. Undefined
 * when none is found in a few tries (a short name whose neighbours all exist).
 */
export function nearMiss(
  name: string,
  existing: ReadonlySet<string>,
  random: Random,
  style: NameStyle = "camel",
): string | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = random.chance(0.5)
      ? rename(name, random, style)
      : random.chance(0.5)
        ? editOnce(name, random)
        : editOnce(editOnce(name, random), random);
    if (
      candidate !== name &&
      identifier.test(candidate) &&
      !existing.has(candidate) &&
      !(candidate in Object.prototype)
    )
      return candidate;
  }
  return undefined;
}

/** A near miss of a module path segment (lowercase, dashes kept): `lodash/deepFlatten`, `nanoid/secure`. */
export function nearMissSegment(
  segment: string,
  existing: ReadonlySet<string>,
  random: Random,
  style: NameStyle = "camel",
): string | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const candidate = random.chance(0.5) ? editOnce(segment, random) : rename(segment, random, style);
    if (candidate !== segment && /^[\w.-]+$/.test(candidate) && !existing.has(candidate)) return candidate;
  }
  return undefined;
}
