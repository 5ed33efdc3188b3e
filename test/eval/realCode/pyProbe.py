"""The real Python interpreter as the source of truth for the real-code set.

Reads one JSON request on stdin and writes one JSON answer on stdout:
  {"command": "enumerate", "receivers": [{"id", "setup", "expression"}], "packages": [...], "stars": [...]}
      -> what exists: public members of each receiver (callable, required arguments), submodules of
         packages, the names a star import binds, stdlib module names, builtins, installed package folders.
  {"command": "label", "cases": [{"id", "prefix", "snippet", "suffix"}]}
      -> per case, the names the snippet uses that do not exist, judged on the actual objects:
         modules by importlib, attributes by hasattr on the evaluated receiver, free names by symtable
         against the module's bindings, star imports and builtins.
No network: sockets refuse to connect while receivers are evaluated.
"""

import ast
import builtins
import importlib
import importlib.util
import inspect
import json
import pkgutil
import socket
import symtable
import sys
import warnings

warnings.simplefilter("ignore")

IMPORT_ERRORS = ("ImportError", "ModuleNotFoundError")


def _refuse(*_args, **_kwargs):
    raise OSError("the real-code probe does not use the network")


socket.socket.connect = _refuse
socket.create_connection = _refuse


def required_arguments(value):
    try:
        signature = inspect.signature(value)
    except (TypeError, ValueError):
        return -1
    return sum(
        1
        for parameter in signature.parameters.values()
        if parameter.default is inspect.Parameter.empty
        and parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
    )


def members_of(value):
    found = []
    for name in dir(value):
        if name.startswith("_"):
            continue
        try:
            member = getattr(value, name)
        except Exception:
            continue
        is_callable = callable(member) and not inspect.isclass(member)
        found.append(
            {
                "name": name,
                "callable": is_callable,
                "requiredArgs": required_arguments(member) if is_callable else 0,
            }
        )
    return found


def star_names(module_name):
    namespace = {}
    exec(f"from {module_name} import *", namespace)
    return sorted(name for name in namespace if not name.startswith("__"))


def submodules(package_name):
    package = importlib.import_module(package_name)
    if not hasattr(package, "__path__"):
        return []
    names = (info.name for info in pkgutil.iter_modules(package.__path__))
    return sorted(name for name in names if not name.startswith("_"))


def enumerate_command(request):
    members = {}
    for receiver in request["receivers"]:
        namespace = {}
        exec(receiver["setup"], namespace)
        members[receiver["id"]] = members_of(eval(receiver["expression"], namespace))
    folders = {}
    for name in request["installed"]:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a dependency another distribution does without (chardet or charset_normalizer)
            continue
        folders[name] = module.__path__[0] if hasattr(module, "__path__") else module.__file__
    return {
        "members": members,
        "submodules": {name: submodules(name) for name in request["packages"]},
        "stars": {name: star_names(name) for name in request["stars"]},
        "stdlib": sorted(name for name in sys.stdlib_module_names if not name.startswith("_")),
        "builtins": sorted(name for name in dir(builtins) if not name.startswith("_")),
        "installed": folders,
        "version": f"{sys.version_info.major}.{sys.version_info.minor}",
    }


def module_exists(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missing_module(dotted):
    """The first prefix of a dotted module name that cannot be imported, or None."""
    parts = dotted.split(".")
    for end in range(1, len(parts) + 1):
        if not module_exists(".".join(parts[:end])):
            return ".".join(parts)
    return None


def guarded_by_import_error(node, parents):
    parent = parents.get(node)
    while parent is not None:
        if isinstance(parent, ast.Try):
            for handler in parent.handlers:
                names = handler.type
                caught = [names] if not isinstance(names, ast.Tuple) else list(names.elts)
                if any(isinstance(item, ast.Name) and item.id in IMPORT_ERRORS for item in caught):
                    return True
        parent = parents.get(parent)
    return False


def evaluable(node):
    """Dotted names and calls of them with literal arguments: receivers safe to evaluate."""
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return evaluable(node.value)
    if isinstance(node, ast.Call):
        arguments = list(node.args) + [keyword.value for keyword in node.keywords]
        return evaluable(node.func) and all(isinstance(item, ast.Constant) for item in arguments)
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return all(isinstance(item, ast.Constant) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(isinstance(item, ast.Constant) for item in [*node.keys, *node.values])
    return False


def module_bindings(tree, namespace):
    """Names bound at module level: symtable's assignments and imports, plus what star imports bind."""
    table = symtable.symtable(ast.unparse(tree), "<case>", "exec")
    bound = {
        symbol.get_name()
        for symbol in table.get_symbols()
        if symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom) or node.level != 0 or node.module is None:
            continue
        if any(alias.name == "*" for alias in node.names):
            bound.update(star_names(node.module))
    return table, bound | set(dir(builtins)) | set(namespace)


def unresolved_names(table, bound):
    names = set()
    for symbol in table.get_symbols():
        if not symbol.is_referenced() or symbol.get_name() in bound:
            continue
        if table.get_type() == "module" or symbol.is_global():
            names.add(symbol.get_name())
    for child in table.get_children():
        names |= unresolved_names(child, bound)
    return names


def label_case(case):
    prefix, snippet = case["prefix"], case["snippet"]
    source = prefix + snippet + case["suffix"]
    start, end = len(prefix), len(prefix) + len(snippet)
    tree = ast.parse(source)
    offsets = [0]
    for line in source.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))

    def inside(node):
        offset = offsets[node.lineno - 1] + node.col_offset
        return start <= offset < end

    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    namespace = {}
    exec(compile(prefix, "<prefix>", "exec"), namespace)
    labels = []
    # The snippet's own imports are run (alone) so that its attribute uses can be judged.
    for statement in ast.parse(source).body:
        if isinstance(statement, (ast.Import, ast.ImportFrom, ast.Try)) and inside(statement):
            try:
                exec(compile(ast.Module(body=[statement], type_ignores=[]), "<snippet>", "exec"), namespace)
            except ImportError:
                pass
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or not inside(node):
            continue
        if isinstance(node, ast.Import) and not guarded_by_import_error(node, parents):
            for alias in node.names:
                missing = missing_module(alias.name)
                if missing is not None:
                    labels.append({"kind": "unknownPackage", "name": missing})
        elif (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and node.module is not None
            and not guarded_by_import_error(node, parents)
        ):
            missing = missing_module(node.module)
            if missing is not None:
                labels.append({"kind": "unknownPackage", "name": missing})
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if alias.name != "*" and not hasattr(module, alias.name) and not module_exists(submodule):
                    labels.append({"kind": "unknownMember", "name": alias.name})
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and evaluable(node.value):
            try:
                receiver = eval(compile(ast.Expression(node.value), "<receiver>", "eval"), namespace)
            except Exception:
                continue
            if not hasattr(receiver, node.attr):
                labels.append({"kind": "unknownMember", "name": node.attr})
    table, bound = module_bindings(tree, namespace)
    unresolved = unresolved_names(table, bound)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name) or not isinstance(node.ctx, ast.Load):
            continue
        if node.id in unresolved and inside(node):
            labels.append({"kind": "unknownSymbol", "name": node.id})
    unique = {(label["kind"], label["name"]): label for label in labels}
    return list(unique.values())


def label_command(request):
    verdicts = {}
    for case in request["cases"]:
        try:
            verdicts[case["id"]] = {"labels": label_case(case), "error": None}
        except Exception as error:  # a malformed case is dropped, not labelled
            verdicts[case["id"]] = {"labels": [], "error": f"{type(error).__name__}: {error}"}
    return verdicts


def main():
    request = json.load(sys.stdin)
    command = {"enumerate": enumerate_command, "label": label_command}[request["command"]]
    json.dump(command(request), sys.stdout)


if __name__ == "__main__":
    main()
