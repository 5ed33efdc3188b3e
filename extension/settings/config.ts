import * as vscode from "vscode";
import type {
  BestOfNSettings,
  CompletionEnsembleSettings,
  ContrastiveSettings,
  SpeedQuality,
} from "../../engine/ensemble/index.js";

export type DetectorPolicy = "annotate" | "suppress" | "repair" | "off";
export type GpuSetting = "auto" | "cpu";

/**
 * Coop's settings, read live: every getter asks VS Code each time, so a change applies without a
 * reload unless the caller holds on to a value. Every setting in package.json has a getter here
 * (test/engine/manifest.test.ts checks both ways).
 */
export class CoopConfig {
  private section(scope?: vscode.ConfigurationScope): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration("coop", scope);
  }

  get variant(): string {
    return this.section().get<string>("variant", "coop-tiny");
  }

  completionsEnabled(scope?: vscode.ConfigurationScope): boolean {
    return this.section(scope).get<boolean>("completions.enabled", true);
  }

  excludedLanguages(scope?: vscode.ConfigurationScope): string[] {
    return this.section(scope).get<string[]>("completions.excludedLanguages", []);
  }

  detectorPolicy(scope?: vscode.ConfigurationScope): DetectorPolicy {
    return this.section(scope).get<DetectorPolicy>("detector.policy", "annotate");
  }

  /** Diagnostics, hovers and quick fixes on the names an accepted suggestion uses that do not exist. */
  findingDiagnostics(scope?: vscode.ConfigurationScope): boolean {
    return this.section(scope).get<boolean>("detector.diagnostics", true);
  }

  /** What the router, the cascade and the long-context rule use to pick the model of a completion. */
  ensemble(scope?: vscode.ConfigurationScope): CompletionEnsembleSettings {
    const section = this.section(scope);
    const preference = section.get<SpeedQuality>("ensemble.preference", "balanced");
    return {
      preference: preference === "speed" || preference === "quality" ? preference : "balanced",
      minConfidence: clamp(section.get<number>("ensemble.cascadeMinConfidence", 0.3), 0, 1),
      longContextTokens: Math.floor(
        clamp(section.get<number>("ensemble.longContextTokens", 1024), 0, Number.MAX_SAFE_INTEGER),
      ),
    };
  }

  /** Best-of-n for multi-line completions and chat code blocks; undefined when n is 1 (off). */
  bestOfN(scope?: vscode.ConfigurationScope): BestOfNSettings | undefined {
    const section = this.section(scope);
    const n = clamp(Math.floor(section.get<number>("bestOfN.n", 1)), 1, 16);
    const budgetMs = Math.floor(
      clamp(section.get<number>("bestOfN.budgetMs", 2000), 0, Number.MAX_SAFE_INTEGER),
    );
    return n > 1 ? { n, budgetMs } : undefined;
  }

  /** Contrastive decoding of chat answers; undefined when it is off. */
  chatContrastive(scope?: vscode.ConfigurationScope): ContrastiveSettings | undefined {
    const section = this.section(scope);
    if (!section.get<boolean>("chat.contrastive.enabled", false)) return undefined;
    return {
      alpha: clamp(section.get<number>("chat.contrastive.alpha", 0.5), 0, Number.MAX_SAFE_INTEGER),
      beta: clamp(section.get<number>("chat.contrastive.beta", 0.1), 0, 1),
    };
  }

  get modelsDirectory(): string | undefined {
    return nonEmpty(this.section().get<string>("modelsDirectory", ""));
  }

  /** A workspace cannot point Coop at a catalog unless it is trusted (restrictedConfigurations). */
  get modelCatalog(): string | undefined {
    const inspected = this.section().inspect<string>("modelCatalog");
    const value = vscode.workspace.isTrusted
      ? this.section().get<string>("modelCatalog", "")
      : (inspected?.globalValue ?? inspected?.defaultValue ?? "");
    return nonEmpty(value);
  }

  get gpu(): GpuSetting {
    return this.section().get<GpuSetting>("gpu", "auto");
  }

  get threads(): number {
    return Math.max(0, Math.floor(this.section().get<number>("threads", 0)));
  }

  /** How long the engine may stay silent, heartbeat included, before it is killed and restarted. */
  get engineResponseTimeoutMs(): number {
    return Math.floor(clamp(this.section().get<number>("engine.responseTimeoutMs", 30_000), 1000, 600_000));
  }

  /** Remembers the variant for this workspace (or for the user when no folder is open). */
  async setVariant(id: string): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
    await this.section().update("variant", id, target);
  }

  async setCompletionsEnabled(enabled: boolean): Promise<void> {
    await this.section().update("completions.enabled", enabled, vscode.ConfigurationTarget.Global);
  }

  /** Adds a language to, or takes it off, the user's coop.completions.excludedLanguages. */
  async setLanguageExcluded(languageId: string, excluded: boolean): Promise<void> {
    const inspected = this.section().inspect<string[]>("completions.excludedLanguages");
    const current = inspected?.globalValue ?? inspected?.defaultValue ?? [];
    const next = excluded
      ? [...new Set([...current, languageId])]
      : current.filter((language) => language !== languageId);
    await this.section().update("completions.excludedLanguages", next, vscode.ConfigurationTarget.Global);
  }
}

/**
 * Settings whose workspace values VS Code ignores in an untrusted workspace (package.json
 * restrictedConfigurations). coop.modelsDirectory is not among them: it is machine-scoped, so no
 * workspace can set it in the first place.
 */
export const restrictedSettings = ["coop.modelCatalog"];

/** Settings whose change means the models must be reloaded. */
export const settingsThatReloadModels = [
  "coop.gpu",
  "coop.threads",
  "coop.modelsDirectory",
  "coop.modelCatalog",
  "coop.variant",
];

/** A number setting held to its range (a hand-edited settings.json can hold anything); NaN becomes `min`. */
function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : min;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
