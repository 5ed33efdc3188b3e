import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { repoRoot } from "../support/repoRoot.js";

interface Manifest {
  name: string;
  main: string;
  engines: { vscode: string };
  activationEvents?: string[];
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, { scope?: string }> };
    views: Record<string, { id: string; type?: string }[]>;
    viewsContainers: { activitybar: { id: string }[] };
  };
  capabilities: { untrustedWorkspaces: { supported: string | boolean; restrictedConfigurations?: string[] } };
  devDependencies: Record<string, string>;
}

const manifest = JSON.parse(await readFile(join(repoRoot, "package.json"), "utf8")) as Manifest;
const configSource = await readFile(join(repoRoot, "extension", "settings", "config.ts"), "utf8");

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

test("every contributed setting has a getter in extension/settings/config.ts, and every getter a setting", () => {
  const settings = Object.keys(manifest.contributes.configuration.properties).map((key) =>
    key.replace(/^coop\./, ""),
  );
  const read = [...configSource.matchAll(/\.(?:get|inspect|update)(?:<[^>]*>)?\(\s*"([^"]+)"/g)].map(
    (match) => match[1]!,
  );
  for (const setting of settings) assert.ok(read.includes(setting), `no getter reads coop.${setting}`);
  for (const key of read)
    assert.ok(settings.includes(key), `config.ts reads coop.${key}, which package.json does not contribute`);
});

test("settings carry the scope that says who may set them", () => {
  const properties = manifest.contributes.configuration.properties;
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

test("the settings Coop tells untrusted workspaces it ignores are the manifest's restricted ones", () => {
  const declared = [...configSource.matchAll(/restrictedSettings = \[([^\]]*)\]/g)].flatMap((match) =>
    [...match[1]!.matchAll(/"([^"]+)"/g)].map((name) => name[1]!),
  );
  assert.deepEqual(
    declared.sort(),
    [...(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations ?? [])].sort(),
  );
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
