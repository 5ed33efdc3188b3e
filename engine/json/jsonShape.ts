import { CoopError, coopErrorCodes } from "../errors/index.js";

/** A JSON document does not have the shape expected; names the file, the JSON path and what was expected. */
export class JsonShapeError extends CoopError {
  /** `problem` completes "<file>: <path>: ...", e.g. "expected a number, got \"2\"". */
  constructor(
    readonly source: string,
    readonly jsonPath: string,
    readonly problem: string,
  ) {
    super(coopErrorCodes.jsonShape, `${source}: ${jsonPath}: ${problem}`);
    this.name = "JsonShapeError";
  }
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  // JSON.parse reads 1e999 as Infinity (and YAML has .inf and .nan), which JSON.stringify would show as null.
  if (typeof value === "number" && !Number.isFinite(value)) return `${value} (not a finite number)`;
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Reads values out of parsed JSON, checking each against what is expected and naming its path on failure. */
export class JsonReader {
  constructor(readonly source: string) {}

  fail(path: string, expected: string, actual?: unknown): never {
    throw new JsonShapeError(
      this.source,
      path,
      `expected ${expected}${arguments.length > 2 ? `, got ${describe(actual)}` : ""}`,
    );
  }

  object(value: unknown, path: string, allowedKeys?: readonly string[]): Record<string, unknown> {
    if (typeof value !== "object" || value === null || Array.isArray(value))
      this.fail(path, "an object", value);
    const record = value as Record<string, unknown>;
    if (allowedKeys !== undefined) {
      for (const key of Object.keys(record)) {
        if (!allowedKeys.includes(key))
          throw new JsonShapeError(
            this.source,
            `${path}.${key}`,
            `unknown key; the keys allowed here are ${allowedKeys.join(", ")}`,
          );
      }
    }
    return record;
  }

  array(value: unknown, path: string): unknown[] {
    if (!Array.isArray(value)) this.fail(path, "an array", value);
    return value;
  }

  string(value: unknown, path: string, pattern?: { regex: RegExp; description: string }): string {
    if (typeof value !== "string" || value.length === 0)
      this.fail(path, pattern?.description ?? "a non-empty string", value);
    if (pattern !== undefined && !pattern.regex.test(value)) this.fail(path, pattern.description, value);
    return value;
  }

  number(
    value: unknown,
    path: string,
    range: { min?: number; max?: number; integer?: boolean; exclusiveMin?: boolean } = {},
  ): number {
    const { min, max, integer = false, exclusiveMin = false } = range;
    const bounds = [
      min === undefined ? "" : `${exclusiveMin ? ">" : ">="} ${min}`,
      max === undefined ? "" : `<= ${max}`,
    ].filter(Boolean);
    const expected = `${integer ? "a whole number" : "a number"}${bounds.length ? ` ${bounds.join(" and ")}` : ""}`;
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(path, expected, value);
    if (integer && !Number.isInteger(value)) this.fail(path, expected, value);
    if (min !== undefined && (exclusiveMin ? value <= min : value < min)) this.fail(path, expected, value);
    if (max !== undefined && value > max) this.fail(path, expected, value);
    return value;
  }

  boolean(value: unknown, path: string): boolean {
    if (typeof value !== "boolean") this.fail(path, "true or false", value);
    return value;
  }

  oneOf<T extends string>(value: unknown, path: string, options: readonly T[]): T {
    if (typeof value !== "string" || !options.includes(value as T))
      this.fail(path, `one of ${options.map((o) => `"${o}"`).join(", ")}`, value);
    return value as T;
  }

  /** Runs `read` on the value when present (not undefined). */
  optional<T>(value: unknown, read: (value: unknown) => T): T | undefined {
    return value === undefined ? undefined : read(value);
  }
}
