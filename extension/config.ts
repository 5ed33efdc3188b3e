import * as vscode from "vscode";

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

  /** Remembers the variant for this workspace (or for the user when no folder is open). */
  async setVariant(id: string): Promise<void> {
    const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await this.section().update("variant", id, target);
  }

  async setCompletionsEnabled(enabled: boolean): Promise<void> {
    await this.section().update("completions.enabled", enabled, vscode.ConfigurationTarget.Global);
  }
}

/**
 * Settings whose workspace values VS Code ignores in an untrusted workspace (package.json
 * restrictedConfigurations). coop.modelsDirectory is not among them: it is machine-scoped, so no
 * workspace can set it in the first place.
 */
export const restrictedSettings = ["coop.modelCatalog"];

/** Settings whose change means the models must be reloaded. */
export const settingsThatReloadModels = ["coop.gpu", "coop.threads", "coop.modelsDirectory", "coop.modelCatalog", "coop.variant"];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
