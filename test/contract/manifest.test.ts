import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { DetectorPolicy } from "../../engine/detector/index.js";
import type { SpeedQuality } from "../../engine/ensemble/index.js";
import {
  CoopConfig,
  type GpuSetting,
  type SettingsSection,
  type SettingsWorkspace,
} from "../../extension/settings/config.js";
import { repoRoot } from "../support/repoRoot.js";

interface Property {
  type: string;
  default: unknown;
  scope?: string;
  enum?: string[];
  minimum?: number;
  maximum?: number;
}

interface Manifest {
  name: string;
  main: string;
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, Property> };
    views: Record<string, { id: string; type?: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
  };
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as Manifest;
const properties = manifest.contributes.configuration.properties;
const settingKeys = Object.keys(properties).map((key) => key.replace(/^coop\./, ""));

async function extensionSources(): Promise<string> {
  const files = await readdir(join(repoRoot, "extension"), { recursive: true });
  const texts = await Promise.all(
    files
      .filter((file) => file.endsWith(".ts"))
      .map((file) => readFile(join(repoRoot, "extension", file), "utf8")),
  );
  return texts.join("\n");
}

test("the manifest is a VS Code extension that activates lazily", () => {
  assert.equal(manifest.name, "coop");
  assert.equal(manifest.main, "./out/extension.cjs");
  assert.match(manifest.engines.vscode, /^\^1\.\d+\.\d+$/);
  assert.ok(!(manifest.activationEvents ?? []).includes("*"), "activation must not be eager ('*')");
  const typesVersion = manifest.devDependencies["@types/vscode"]!.replace(/^\^/, "");
  assert.equal(
    typesVersion,
    manifest.engines.vscode.replace(/^\^/, ""),
    "@types/vscode must match engines.vscode",
  );
});

type Values = Record<string, unknown>;

interface FakeSettings {
  /** The user's values, and the workspace's (which win), by key without `coop.`. */
  user?: Values;
  workspace?: Values;
  /** Whether an unset key reads as package.json's default, as in VS Code; else as nothing. */
  manifestDefaults?: boolean;
  trusted?: boolean;
  /** Collects the keys the getters read. */
  read?: Set<string>;
}

/** A vscode.workspace with these settings; `get(key, fallback)` behaves as VS Code's. */
function fakeWorkspace(settings: FakeSettings = {}): SettingsWorkspace {
  const { user = {}, workspace = {}, manifestDefaults = false, trusted = true, read } = settings;
  const unset = (key: string) => (manifestDefaults ? properties[`coop.${key}`]?.default : undefined);
  const section = {
    get: (key: string, fallback?: unknown) => {
      read?.add(key);
      return workspace[key] ?? user[key] ?? unset(key) ?? fallback;
    },
    inspect: (key: string) => {
      read?.add(key);
      return { defaultValue: unset(key), globalValue: user[key], workspaceValue: workspace[key] };
    },
    update: () => Promise.resolve(),
  };
  return { isTrusted: trusted, workspaceFolders: [], getConfiguration: () => section as SettingsSection };
}

/** What every getter of CoopConfig gives (accessors, and the methods but setters, without a scope). */
function readAll(workspace: SettingsWorkspace): Record<string, unknown> {
  const config = new CoopConfig(workspace);
  const values: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(Object.getOwnPropertyDescriptors(CoopConfig.prototype))) {
    if (member.get) values[name] = member.get.call(config) as unknown;
    else if (typeof member.value === "function" && name !== "constructor" && !/^set[A-Z]/.test(name))
      values[name] = (member.value as () => unknown).call(config);
  }
  return values;
}

/** A value of the setting's type that is not its default (so that it reaches every getter's branches). */
function otherValue(key: string): unknown {
  const property = properties[`coop.${key}`]!;
  const value = property.default;
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") {
    const candidate = property.maximum ?? value + 1;
    return candidate !== value ? candidate : property.minimum;
  }
  if (Array.isArray(value)) return [...(value as unknown[]), "other"];
  return property.enum?.find((choice) => choice !== value) ?? `${String(value)}/other`;
}

const everyOtherValue = Object.fromEntries(settingKeys.map((key) => [key, otherValue(key)]));

test("every contributed setting has a getter in CoopConfig, and every getter a contributed setting", () => {
  const read = new Set<string>();
  readAll(fakeWorkspace({ read }));
  readAll(fakeWorkspace({ workspace: everyOtherValue, read }));
  for (const key of settingKeys) assert.ok(read.has(key), `no getter reads coop.${key}`);
  for (const key of read)
    assert.ok(
      settingKeys.includes(key),
      `CoopConfig reads coop.${key}, which package.json does not contribute`,
    );
});

test("with nothing set, every getter gives what it gives with package.json's defaults", () => {
  const nothingSet = readAll(fakeWorkspace());
  const manifestDefaults = readAll(fakeWorkspace({ manifestDefaults: true }));
  assert.ok(Object.keys(nothingSet).length > 0);
  for (const [name, value] of Object.entries(manifestDefaults))
    assert.deepEqual(nothingSet[name], value, `CoopConfig.${name}'s default differs from package.json's`);
  // The values reach the getters, so the comparison above compares something.
  const otherwise = readAll(fakeWorkspace({ workspace: everyOtherValue }));
  for (const name of Object.keys(nothingSet))
    assert.notDeepEqual(otherwise[name], nothingSet[name], `CoopConfig.${name} ignores its setting`);
});

test("the code's types of enum settings list the manifest's choices", () => {
  // `satisfies` makes the compiler check each list against its type, both ways.
  const policies = { annotate: 0, suppress: 0, repair: 0, off: 0 } satisfies Record<DetectorPolicy, 0>;
  const gpus = { auto: 0, cpu: 0 } satisfies Record<GpuSetting, 0>;
  const preferences = { speed: 0, balanced: 0, quality: 0 } satisfies Record<SpeedQuality, 0>;
  const choices: Record<string, Record<string, 0>> = {
    "coop.detector.policy": policies,
    "coop.gpu": gpus,
    "coop.ensemble.preference": preferences,
  };
  const withEnum = Object.entries(properties).filter(([, property]) => property.enum);
  assert.deepEqual(withEnum.map(([key]) => key).sort(), Object.keys(choices).sort());
  for (const [key, property] of withEnum)
    assert.deepEqual([...property.enum!].sort(), Object.keys(choices[key]!).sort(), key);
});

test("an untrusted workspace's values of the restricted settings are ignored, the user's are not", () => {
  const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
  assert.ok(restricted.length > 0);
  for (const setting of restricted) {
    const key = setting.replace(/^coop\./, "");
    const workspace = { [key]: otherValue(key) };
    const user = { [key]: `${String(otherValue(key))}/user` };
    assert.deepEqual(readAll(fakeWorkspace({ workspace, trusted: false })), readAll(fakeWorkspace()), key);
    assert.deepEqual(
      readAll(fakeWorkspace({ user, workspace, trusted: false })),
      readAll(fakeWorkspace({ user })),
      key,
    );
    assert.notDeepEqual(readAll(fakeWorkspace({ workspace })), readAll(fakeWorkspace()), key);
  }
});

test("settings carry the scope that says who may set them", () => {
  for (const [key, property] of Object.entries(properties)) assert.ok(property.scope, `${key} has no scope`);
  for (const key of ["coop.modelsDirectory", "coop.gpu", "coop.threads"])
    assert.equal(properties[key]!.scope, "machine", key);
  const restricted = manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [];
  // A workspace can set the catalog (machine-overridable), so Restricted Mode must ignore it; the models
  // folder is machine-scoped, so no workspace can set it at all.
  assert.equal(properties["coop.modelCatalog"]!.scope, "machine-overridable");
  assert.deepEqual(restricted, ["coop.modelCatalog"]);
});

test("every contributed command is registered by the extension", async () => {
  const source = await extensionSources();
  for (const { command } of manifest.contributes.commands) {
    assert.match(
      source,
      new RegExp(`registerCommand\\(\\s*"${command.replace(".", "\\.")}"`),
      `${command} is never registered`,
    );
  }
});

test("the chat view lives in Coop's own activity-bar container and has a provider", async () => {
  const container = manifest.contributes.viewsContainers.activitybar.find((entry) => entry.id === "coop");
  assert.ok(container);
  const chat = manifest.contributes.views.coop?.find((view) => view.id === "coop.chat");
  assert.equal(chat?.type, "webview");
  assert.match(await extensionSources(), /viewId = "coop\.chat"/);
});

test("every command in a menu is a declared command", () => {
  const menus = (manifest.contributes as { menus?: Record<string, { command: string }[]> }).menus ?? {};
  const declared = new Set(manifest.contributes.commands.map((entry) => entry.command));
  for (const [menu, entries] of Object.entries(menus)) {
    for (const entry of entries)
      assert.ok(
        declared.has(entry.command),
        `${menu} names ${entry.command}, which package.json does not declare`,
      );
  }
});
