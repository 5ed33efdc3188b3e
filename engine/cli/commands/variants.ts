import { parseArgs } from "node:util";
import {
  isMergedVariantCached,
  loadCatalog,
  mergedVariantPath,
  ModelResolver,
  shippedCatalogPath,
  type Catalog,
  type CatalogVariant,
} from "../../catalog/index.js";

export const variantsUsage = `  variants [--catalog FILE]...
      Lists the model variants of the catalog (the shipped models.json, then each --catalog over it)
      and whether their files are downloaded, built or merged yet.`;

export async function variantsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { catalog: { type: "string", multiple: true } } });
  const files = [shippedCatalogPath(), ...(values.catalog ?? [])];
  const catalog = await loadCatalog(files);
  const resolver = new ModelResolver();
  console.log(`Catalog: ${files.join(" + ")}\nModels folder: ${resolver.modelsDir}\n`);
  for (const variant of catalog.variants.values()) {
    const marker = variant.id === catalog.defaultVariant ? " (default)" : "";
    console.log(`${variant.id}${marker}: ${variant.label}\n  ${variant.description}`);
    for (const line of await variantLines(catalog, variant, resolver)) console.log(`  ${line}`);
    console.log("");
  }
  return 0;
}

async function variantLines(
  catalog: Catalog,
  variant: CatalogVariant,
  resolver: ModelResolver,
): Promise<string[]> {
  const status = (id: string): string => {
    const entry = catalog.models.get(id) ?? catalog.adapters.get(id)!;
    const location = resolver.locate(entry);
    const present = resolver.isPresent(entry);
    const state =
      location.kind === "builtin"
        ? present
          ? "built"
          : "built on first use"
        : present
          ? location.kind === "hf"
            ? "downloaded"
            : "present"
          : location.kind === "hf"
            ? "not downloaded"
            : "missing";
    return `${id} [${state}]`;
  };
  const lines: string[] = [];
  if (variant.tokenEnsemble) {
    const members = variant.tokenEnsemble.members
      .map((member) => `${member.variant} x${member.weight}`)
      .join(" + ");
    lines.push(`ensemble:  token-level average of ${members}`);
    for (const member of variant.tokenEnsemble.members) {
      const memberVariant = catalog.variants.get(member.variant)!;
      for (const line of await variantLines(
        catalog,
        { ...memberVariant, draft: undefined, embedding: undefined },
        resolver,
      ))
        lines.push(`  ${member.variant}: ${line.replace(/:\s+/, " ")}`);
    }
    if (variant.embedding !== undefined) lines.push(`embedding: ${status(variant.embedding)}`);
    return lines;
  }
  if (variant.remote) {
    const adapters = variant.remote.adapters
      .map((adapter) => `${adapter.name} scale ${adapter.scale}`)
      .join(", ");
    lines.push(
      `server:    ${variant.remote.kind} at ${variant.remote.url}, model ${variant.remote.model ?? variant.target}${adapters ? `, adapters ${adapters}` : ""}`,
    );
    if (variant.embedding !== undefined) lines.push(`embedding: ${status(variant.embedding)}`);
    return lines;
  }
  if (variant.merge === undefined) {
    lines.push(`target:    ${status(variant.target)}`);
  } else {
    const merge = variant.merge;
    const inputs = merge.inputs.map((input) => `${status(input.id)} x${input.weight}`).join(", ");
    let cached = "merged on first use";
    const sources = [merge.base, ...merge.inputs.map((input) => input.id)].map(
      (id) => catalog.models.get(id) ?? catalog.adapters.get(id)!,
    );
    if (sources.every((entry) => resolver.isPresent(entry))) {
      const { path } = await mergedVariantPath(catalog, variant, resolver);
      if (isMergedVariantCached(path)) cached = `merged: ${path}`;
    }
    lines.push(`target:    ${merge.method} merge of ${inputs} over ${status(merge.base)} [${cached}]`);
  }
  if (variant.draft !== undefined) lines.push(`draft:     ${status(variant.draft)}`);
  if (variant.embedding !== undefined) lines.push(`embedding: ${status(variant.embedding)}`);
  for (const adapter of variant.adapters)
    lines.push(`adapter:   ${status(adapter.id)} scale ${adapter.scale}`);
  return lines;
}
