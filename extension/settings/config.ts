import type { ConfigurationScope } from "vscode";
import type { DetectorPolicy } from "../../engine/detector/index.js";
import type {
  BestOfNSettings,
  CompletionEnsembleSettings,
  ContrastiveSettings,
  SpeedQuality,
} from "../../engine/ensemble/index.js";
import {
  restrictedSettings,
  settingDefault,
  settingSchema,
  type NumberSettingKey,
  type SettingDefaults,
  type SettingKey,
} from "./manifestSettings.js";

export type { DetectorPolicy };
export type GpuSetting = "auto" | "cpu";

/**
 * The part of a vscode.WorkspaceConfiguration Coop uses. `get` takes no default: package.json's applies.
 * `update`'s `global` is vscode's boolean ConfigurationTarget: true writes the user's settings, false the
 * workspace's.
 */
export interface SettingsSection {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { defaultValue?: T; globalValue?: T } | undefined;
  update(key: string, value: unknown, global: boolean): PromiseLike<void>;
}

/** The part of vscode.workspace Coop's settings use (test/contract/manifest.test.ts passes a fake one). */
export interface SettingsWorkspace {
  readonly isTrusted: boolean;
  readonly workspaceFolders: readonly unknown[] | undefined;
  getConfiguration(section: "coop", scope?: ConfigurationScope): SettingsSection;
}

/**
 * Coop's settings, read live: every getter asks VS Code each time, so a change applies without a
 * reload unless the caller holds on to a value. Defaults, ranges and choices are package.json's
 * (./manifestSettings.ts); test/contract/manifest.test.ts checks that every setting has a getter and
 * that a getter with nothing set gives what it gives with the manifest's defaults.
 */
export class CoopConfig {
  constructor(private readonly workspace: SettingsWorkspace) {}

  get variant(): string {
    return read(this.workspace, "variant");
  }

  completionsEnabled(scope?: ConfigurationScope): boolean {
    return read(this.workspace, "completions.enabled", scope);
  }

  excludedLanguages(scope?: ConfigurationScope): string[] {
    return read(this.workspace, "completions.excludedLanguages", scope);
  }

  detectorPolicy(scope?: ConfigurationScope): DetectorPolicy {
    return choice<DetectorPolicy>(this.workspace, "detector.policy", scope);
  }

  /** How long the TypeScript compiler may take to check a suggestion; 0 leaves it to the fast checker. */
  compilerBudgetMs(scope?: ConfigurationScope): number {
    return number(this.workspace, "detector.compilerBudgetMs", scope);
  }

  /** Diagnostics, hovers and quick fixes on the names an accepted suggestion uses that do not exist. */
  findingDiagnostics(scope?: ConfigurationScope): boolean {
    return read(this.workspace, "detector.diagnostics", scope);
  }

  /** What the router, the cascade and the long-context rule use to pick the model of a completion. */
  ensemble(scope?: ConfigurationScope): CompletionEnsembleSettings {
    return {
      preference: choice<SpeedQuality>(this.workspace, "ensemble.preference", scope),
      minConfidence: number(this.workspace, "ensemble.cascadeMinConfidence", scope),
      longContextTokens: number(this.workspace, "ensemble.longContextTokens", scope),
    };
  }

  /** Best-of-n for multi-line completions and chat code blocks; undefined when n is 1 (off). */
  bestOfN(scope?: ConfigurationScope): BestOfNSettings | undefined {
    const n = number(this.workspace, "bestOfN.n", scope);
    return n > 1 ? { n, budgetMs: number(this.workspace, "bestOfN.budgetMs", scope) } : undefined;
  }

  /** Contrastive decoding of chat answers; undefined when it is off. */
  chatContrastive(scope?: ConfigurationScope): ContrastiveSettings | undefined {
    if (!read(this.workspace, "chat.contrastive.enabled", scope)) return undefined;
    return {
      alpha: number(this.workspace, "chat.contrastive.alpha", scope),
      beta: number(this.workspace, "chat.contrastive.beta", scope),
    };
  }

  get modelsDirectory(): string | undefined {
    return nonEmpty(read(this.workspace, "modelsDirectory"));
  }

  /** A workspace cannot point Coop at a catalog unless it is trusted (restrictedConfigurations). */
  get modelCatalog(): string | undefined {
    return nonEmpty(read(this.workspace, "modelCatalog"));
  }

  get gpu(): GpuSetting {
    return choice<GpuSetting>(this.workspace, "gpu");
  }

  get threads(): number {
    return number(this.workspace, "threads");
  }

  /** How long the engine may stay silent, heartbeat included, before it is killed and restarted. */
  get engineResponseTimeoutMs(): number {
    return number(this.workspace, "engine.responseTimeoutMs");
  }

  /** Remembers the variant for this workspace (or for the user when no folder is open). */
  async setVariant(id: string): Promise<void> {
    await write(this.workspace, "variant", id, !this.workspace.workspaceFolders?.length);
  }

  async setCompletionsEnabled(enabled: boolean): Promise<void> {
    await write(this.workspace, "completions.enabled", enabled, true);
  }

  /** Adds a language to, or takes it off, the user's coop.completions.excludedLanguages. */
  async setLanguageExcluded(languageId: string, excluded: boolean): Promise<void> {
    const key = "completions.excludedLanguages";
    const current = this.workspace.getConfiguration("coop").inspect<string[]>(key)?.globalValue;
    const languages = current ?? settingDefault(key);
    const next = excluded
      ? [...new Set([...languages, languageId])]
      : languages.filter((language) => language !== languageId);
    await write(this.workspace, key, next, true);
  }
}

/** Settings whose change means the models must be reloaded. */
export const settingsThatReloadModels = [
  "coop.gpu",
  "coop.threads",
  "coop.modelsDirectory",
  "coop.modelCatalog",
  "coop.variant",
];

/**
 * A setting's value, or package.json's default when it is not set. In an untrusted workspace a restricted
 * setting is read from the user's settings only.
 */
function read<K extends SettingKey>(
  workspace: SettingsWorkspace,
  key: K,
  scope?: ConfigurationScope,
): SettingDefaults[K] {
  const section = workspace.getConfiguration("coop", scope);
  const value =
    !workspace.isTrusted && restrictedSettings.includes(`coop.${key}`)
      ? section.inspect<SettingDefaults[K]>(key)?.globalValue
      : section.get<SettingDefaults[K]>(key);
  return value ?? settingDefault(key);
}

/**
 * A number setting held to package.json's range and made whole if the manifest says integer (a
 * hand-edited settings.json can hold anything); NaN becomes the minimum.
 */
function number(workspace: SettingsWorkspace, key: NumberSettingKey, scope?: ConfigurationScope): number {
  const value = read(workspace, key, scope);
  const { type, minimum = -Number.MAX_SAFE_INTEGER, maximum = Number.MAX_SAFE_INTEGER } = settingSchema(key);
  const held = Number.isFinite(value) ? Math.min(maximum, Math.max(minimum, value)) : minimum;
  return type === "integer" ? Math.floor(held) : held;
}

/**
 * One of the values package.json's `enum` lists for the setting, else its default. T is the code's union
 * of those values; test/contract/manifest.test.ts checks it lists the same ones.
 */
function choice<T extends string>(
  workspace: SettingsWorkspace,
  key: SettingKey,
  scope?: ConfigurationScope,
): T {
  const value = read(workspace, key, scope);
  return (settingSchema(key).enum?.some((allowed) => allowed === value) ? value : settingDefault(key)) as T;
}

function write<K extends SettingKey>(
  workspace: SettingsWorkspace,
  key: K,
  value: SettingDefaults[K],
  global: boolean,
): PromiseLike<void> {
  return workspace.getConfiguration("coop").update(key, value, global);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
