import * as vscode from "vscode";
import {
  ModelResolver,
  loadCatalog,
  localEntriesOf,
  type Catalog,
  type CatalogModel,
  type CatalogVariant,
  type TokenEnsembleMember,
} from "../../engine/catalog/index.js";
import type { CoopConfig } from "../settings/config.js";
import { walkthroughStepDone } from "../walkthrough/walkthroughProgress.js";
import type { EngineConnection } from "../engine/engineConnection.js";
import { describeError } from "../../engine/errors/index.js";

interface VariantItem extends vscode.QuickPickItem {
  variantId: string;
  /** Models that must be downloaded before the variant can load. */
  missingDownloads: number;
}

/**
 * Coop: Swap Model Variant: pick from the catalog, remember it for the workspace, load it without a reload.
 */
export async function swapVariant(
  config: CoopConfig,
  engine: EngineConnection,
  log: vscode.LogOutputChannel,
): Promise<void> {
  let catalog: Catalog;
  try {
    catalog = await loadCatalog(engine.catalogFiles());
  } catch (error) {
    const message = describeError(error);
    log.error(`The model catalog could not be read: ${message}`);
    void vscode.window
      .showErrorMessage(`Coop: the model catalog could not be read: ${message}`, "Show Log")
      .then((choice) => choice && log.show());
    return;
  }
  const resolver = new ModelResolver(engine.storage());
  const items = [...catalog.variants.values()].map((variant) =>
    variantItem(catalog, variant, resolver, config.variant),
  );
  const picked = await vscode.window.showQuickPick(items, {
    title: "Coop: Swap Model Variant",
    placeHolder: `Active: ${config.variant}. Pick the variant for this workspace`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  if (!picked) return;
  // Keeping the active variant is a choice too (the walkthrough's first step).
  walkthroughStepDone("variantChosen");
  if (picked.variantId === config.variant) return;
  await config.setVariant(picked.variantId);
  if (picked.missingDownloads > 0) {
    const choice = await vscode.window.showInformationMessage(
      `Coop: ${picked.label} is the variant of this workspace now; its models must be downloaded first (${picked.detail}).`,
      "Download Models",
    );
    if (choice) await vscode.commands.executeCommand("coop.downloadModels");
    return;
  }
  await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Coop: loading ${picked.label}`,
      cancellable: true,
    },
    async (progress, token) => {
      let reported = 0;
      try {
        // A merged variant is built on first use: the engine reports the merge, then the load.
        await engine.loadNow(token, ({ message, fraction }) => {
          const percent = fraction === undefined ? undefined : Math.floor(fraction * 100);
          progress.report({
            message,
            increment: percent === undefined ? undefined : Math.max(0, percent - reported),
          });
          if (percent !== undefined) reported = Math.max(reported, percent);
        });
        void vscode.window.setStatusBarMessage(`Coop: ${picked.label} ready`, 4000);
      } catch (error) {
        if (token.isCancellationRequested) return;
        const message = describeError(error);
        void vscode.window
          .showErrorMessage(`Coop could not load ${picked.label}: ${message}`, "Show Log")
          .then((choice) => choice && log.show());
      }
    },
  );
}

function variantItem(
  catalog: Catalog,
  variant: CatalogVariant,
  resolver: ModelResolver,
  active: string,
): VariantItem {
  // A variant on a server needs only its embedding model here.
  const models = localEntriesOf(catalog, variant);
  const missing = models.filter((model) => !resolver.isPresent(model));
  const bytes = models.reduce((sum, model) => sum + (model.size ?? 0), 0);
  const builtin = models.every((model) => model.uri.startsWith("builtin:"));
  const availability = builtin
    ? missing.length === 0
      ? "embedded, built"
      : "embedded, built on first use"
    : missing.length === 0
      ? "downloaded"
      : `to download: ${missing.map(describeModel).join(", ")}`;
  return {
    variantId: variant.id,
    missingDownloads: builtin ? 0 : missing.length,
    label: variant.label,
    description: `${variant.id}${variant.id === active ? " (active)" : ""}`,
    detail: [
      variant.description,
      availability,
      bytes > 0 ? formatBytes(bytes) : undefined,
      variant.merge ? `merged (${variant.merge.method})` : undefined,
      variant.tokenEnsemble ? describeEnsemble(variant.tokenEnsemble.members) : undefined,
      variant.remote ? `on ${variant.remote.kind} at ${variant.remote.url}` : undefined,
    ]
      .filter(Boolean)
      .join(" · "),
  };
}

/** "ensemble of a and b", with the weights when they are not equal. */
function describeEnsemble(members: readonly TokenEnsembleMember[]): string {
  const weighted = members.some((member) => member.weight !== members[0]!.weight);
  return `ensemble of ${members.map((member) => (weighted ? `${member.variant} ×${member.weight}` : member.variant)).join(" and ")}`;
}

function describeModel(model: Pick<CatalogModel, "id" | "size">): string {
  return model.size ? `${model.id} (${formatBytes(model.size)})` : model.id;
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${(bytes / 2 ** 20).toFixed(0)} MB`;
}
