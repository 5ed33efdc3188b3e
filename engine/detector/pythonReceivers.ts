import type { Receiver } from "./facts.js";
import type { PythonTypes, PyValue } from "./python/pythonTypes.js";

/** What the checker knows outside the stubs: the snippet's and workspace's own classes, modules. */
export interface PythonReceiverContext {
  types: PythonTypes;
  /** Whether a class of the parsed text or the workspace has this name. */
  isOwnClass(name: string): boolean;
  /** Members of an own class on its static side and of its instances; undefined when not knowable. */
  ownClassMembers(name: string): Set<string> | undefined;
  ownInstanceMembers(name: string): Set<string> | undefined;
  moduleResolves(specifier: string): boolean;
  moduleExports(specifier: string): Set<string> | undefined;
}

type Evaluated =
  | { kind: "typed"; value: PyValue }
  | { kind: "ownClass"; name: string }
  | { kind: "ownInstance"; name: string };

export interface ReceiverMembers {
  members: Set<string>;
  /** From stubs or sources, which list public members only: `_private` names are not judged. */
  publicOnly: boolean;
}

/** Members of Python receivers the plain name analysis cannot type: chains, stdlib and package classes. */
export function pythonReceiverMembers(
  receiver: Receiver,
  context: PythonReceiverContext,
): ReceiverMembers | undefined {
  const evaluated = evaluate(receiver, context);
  if (evaluated === undefined) return undefined;
  switch (evaluated.kind) {
    case "ownClass":
      return wrap(context.ownClassMembers(evaluated.name), false);
    case "ownInstance":
      return wrap(context.ownInstanceMembers(evaluated.name), false);
    case "typed": {
      const value = evaluated.value;
      if (value.kind === "module") return wrap(context.moduleExports(value.name), false);
      return wrap(context.types.publicMembers(value), true);
    }
  }
}

function wrap(members: Set<string> | undefined, publicOnly: boolean): ReceiverMembers | undefined {
  return members === undefined ? undefined : { members, publicOnly };
}

function typed(value: PyValue | undefined): Evaluated | undefined {
  return value === undefined ? undefined : { kind: "typed", value };
}

function evaluate(receiver: Receiver, context: PythonReceiverContext): Evaluated | undefined {
  const { types } = context;
  switch (receiver.kind) {
    case "module": {
      if (context.moduleResolves(receiver.specifier))
        return typed({ kind: "module", name: receiver.specifier });
      // `datetime.date`: a module's attribute that is not itself a module.
      const dot = receiver.specifier.lastIndexOf(".");
      if (dot <= 0) return undefined;
      const parent = receiver.specifier.slice(0, dot);
      if (!context.moduleResolves(parent)) return undefined;
      return typed(types.attribute({ kind: "module", name: parent }, receiver.specifier.slice(dot + 1)));
    }
    case "importedName": {
      const asModule = receiver.specifier.endsWith(".")
        ? receiver.specifier + receiver.name
        : `${receiver.specifier}.${receiver.name}`;
      if (context.moduleResolves(asModule)) return typed({ kind: "module", name: asModule });
      if (!receiver.specifier.startsWith(".")) {
        const value = types.valueOfRef(`${receiver.specifier}:${receiver.name}`);
        if (value !== undefined) return typed(value);
      }
      return context.isOwnClass(receiver.name) ? { kind: "ownClass", name: receiver.name } : undefined;
    }
    case "value":
      if (context.isOwnClass(receiver.name)) return { kind: "ownClass", name: receiver.name };
      return typed(types.valueOfRef(`builtins:${receiver.name}`));
    case "instance": {
      if (receiver.typeName.includes(":")) return typed({ kind: "instance", refs: [receiver.typeName] });
      if (context.isOwnClass(receiver.typeName)) return { kind: "ownInstance", name: receiver.typeName };
      // super() proxies the bases' members and type(x) is x's class: neither is an instance of itself.
      if (receiver.typeName === "super" || receiver.typeName === "type") return undefined;
      // `len(x)` and `x: str`: a built-in called or named as a type.
      const builtin = types.valueOfRef(`builtins:${receiver.typeName}`);
      return typed(builtin === undefined ? undefined : types.call(builtin));
    }
    case "self":
      return { kind: "ownInstance", name: receiver.className };
    case "firstResolving": {
      const option = receiver.options.find((candidate) => optionResolves(candidate, context));
      return option === undefined ? undefined : evaluate(option, context);
    }
    case "chain": {
      let current = evaluate(receiver.root, context);
      for (const step of receiver.steps) {
        if (current === undefined) return undefined;
        current = applyStep(current, step, types);
      }
      return current;
    }
  }
}

/** Whether an import's binding can hold: its module resolves (and exports the name, when that is known). */
function optionResolves(option: Receiver, context: PythonReceiverContext): boolean {
  if (option.kind === "module") return context.moduleResolves(option.specifier);
  if (option.kind !== "importedName") return true;
  if (!context.moduleResolves(option.specifier)) return false;
  return context.moduleExports(option.specifier)?.has(option.name) ?? true;
}

function applyStep(current: Evaluated, step: string, types: PythonTypes): Evaluated | undefined {
  if (current.kind === "ownClass")
    return step === "()" ? { kind: "ownInstance", name: current.name } : undefined;
  if (current.kind === "ownInstance") return undefined;
  return typed(step === "()" ? types.call(current.value) : types.attribute(current.value, step.slice(1)));
}
