// Coop's settings as package.json contributes them: the one place their defaults, ranges, choices and
// scopes are written. The code reads them from here so that none can differ from the manifest.
import manifest from "../../package.json" with { type: "json" };

type Properties = typeof manifest.contributes.configuration.properties;

/** Each setting's default as package.json declares it, by key without the `coop.` prefix. */
export type SettingDefaults = {
  [P in keyof Properties as P extends `coop.${infer Key}` ? Key : never]: Properties[P]["default"];
};

export type SettingKey = keyof SettingDefaults;

/** The settings whose values are numbers. */
export type NumberSettingKey = {
  [K in SettingKey]: SettingDefaults[K] extends number ? K : never;
}[SettingKey];

/** What of a setting's JSON schema the getters use. */
export interface SettingSchema {
  type: string;
  default: unknown;
  scope: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

const properties: Record<string, SettingSchema> = manifest.contributes.configuration.properties;

export function settingSchema(key: SettingKey): SettingSchema {
  return properties[`coop.${key}`]!;
}

/** A copy, so that a caller changing an array default cannot change the next caller's. */
export function settingDefault<K extends SettingKey>(key: K): SettingDefaults[K] {
  return structuredClone(settingSchema(key).default) as SettingDefaults[K];
}

/**
 * Settings whose workspace values are ignored in an untrusted workspace (capabilities.untrustedWorkspaces
 * .restrictedConfigurations), with their `coop.` prefix.
 */
export const restrictedSettings: readonly string[] =
  manifest.capabilities.untrustedWorkspaces.restrictedConfigurations;
