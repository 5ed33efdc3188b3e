// The labelled evaluation set: snippets generated from templates with a fixed seed, set in the
// workspaces of workspaces.ts, each labelled with the hallucinations planted in it.
import { languageForPath, type LanguageId } from "../../engine/syntax/index.js";
import { Generation, type Fragment, type FragmentMaker, type Label } from "./fragment.js";
import {
  bindingFragment,
  builtinFragment,
  instanceBuiltinFragment,
  nodeFragment,
  plantedPackageFragment,
} from "./jsFragments.js";
import {
  inventoryFragment,
  inventoryPackageFragment,
  pythonBindingFragment,
  pythonStdlibFragment,
  storageFragment,
  weatherFragment,
  weatherPackageFragment,
} from "./pyFragments.js";
import { Random } from "./random.js";
import {
  cartFragment,
  chatPackageFragment,
  orderFragment,
  pricingFragment,
  roomFragment,
  shopPackageFragment,
  socketFragment,
  stringsFragment,
} from "./shopFragments.js";
import { evalWorkspaces, type EvalWorkspace } from "./workspaces.js";

export type { Label, LabelKind } from "./fragment.js";

export interface EvalSnippet {
  id: string;
  workspace: string;
  language: LanguageId;
  path: string;
  prefix: string;
  snippet: string;
  /** The planted hallucinations: each must be found, and nothing else may be. */
  planted: Label[];
}

export const evalSeed = 20261123;
const snippetsPerWorkspace = 60;

/** Workspace-specific makers (own code, own packages) and the language's shared ones. */
const makersByWorkspace: Record<string, FragmentMaker[]> = {
  shop: [cartFragment, pricingFragment, orderFragment, stringsFragment, shopPackageFragment],
  chat: [roomFragment, socketFragment, chatPackageFragment],
  inventory: [inventoryFragment, storageFragment, inventoryPackageFragment],
  weather: [weatherFragment, weatherPackageFragment],
};
const sharedJs: FragmentMaker[] = [builtinFragment, instanceBuiltinFragment, bindingFragment, nodeFragment];
const sharedPython: FragmentMaker[] = [pythonStdlibFragment, pythonBindingFragment];

function existingWords(workspace: EvalWorkspace): Set<string> {
  const words = new Set<string>();
  for (const text of [
    ...Object.values(workspace.sources),
    ...Object.values(workspace.support),
    workspace.prefix,
  ]) {
    for (const match of text.matchAll(/[A-Za-z_$][\w$]*/g)) words.add(match[0]);
  }
  return words;
}

function dependenciesOf(workspace: EvalWorkspace): string[] {
  return Object.keys(workspace.support)
    .map(
      (path) =>
        /^node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(path)?.[1] ??
        /site-packages\/([^/]+)\/__init__\.py$/.exec(path)?.[1],
    )
    .filter((name): name is string => name !== undefined);
}

function snippetFor(workspace: EvalWorkspace, g: Generation, random: Random, index: number): EvalSnippet {
  const python = workspace.language === "python";
  const own = makersByWorkspace[workspace.name]!;
  const shared = python ? sharedPython : sharedJs;
  const makers = [...random.sample(own, 1 + random.int(2)), ...random.sample(shared, 1 + random.int(2))];
  if (!python && random.chance(0.12)) makers.push(plantedPackageFragment);
  // About a third of the snippets are clean; the rest carry one or two plants.
  const plantCount = makers.includes(plantedPackageFragment)
    ? 0
    : random.chance(0.33)
      ? 0
      : random.chance(0.7)
        ? 1
        : 2;
  const planting = new Set(
    random.sample(
      makers.map((_, i) => i),
      plantCount,
    ),
  );
  const fragments: Fragment[] = makers.map((make, i) =>
    make(g, make === plantedPackageFragment || planting.has(i)),
  );
  const imports = [...new Set(fragments.flatMap((fragment) => fragment.imports ?? []))];
  const body = fragments.flatMap((fragment) => [...fragment.lines, ""]);
  const snippet = [...imports, ...(imports.length > 0 ? [""] : []), ...body].join("\n");
  const planted = fragments.flatMap((fragment) => fragment.planted ?? []);
  return {
    id: `${workspace.name}-${String(index).padStart(3, "0")}`,
    workspace: workspace.name,
    language: languageForPath(workspace.snippetPath)!,
    path: workspace.snippetPath,
    prefix: workspace.prefix,
    snippet,
    planted: [...new Map(planted.map((label) => [`${label.kind}:${label.name}`, label])).values()],
  };
}

/** The whole set, deterministic for a seed. */
export function generateEvalSet(seed = evalSeed): EvalSnippet[] {
  const random = new Random(seed);
  const snippets: EvalSnippet[] = [];
  for (const workspace of evalWorkspaces) {
    const python = workspace.language === "python";
    const g = new Generation(
      random,
      languageForPath(workspace.snippetPath) === "typescript",
      python,
      existingWords(workspace),
      dependenciesOf(workspace),
    );
    for (let index = 0; index < snippetsPerWorkspace; index++)
      snippets.push(snippetFor(workspace, g, random, index));
  }
  return snippets;
}
