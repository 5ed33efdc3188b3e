import type { EditorMetrics } from "./editorBenchResults.js";
import type { EditorPage } from "./editorPage.js";
import type { SettingsFile } from "../../../tools/editor/settingsFile.js";
import type { WorkspaceFiles } from "./workspaceFixture.js";

/**
 * The code-server sessions scenarios run in. One code-server per session serves all its scenarios:
 * - trusted: Workspace Trust disabled (the workspace is trusted), notification toasts shown;
 * - untrusted: Workspace Trust on, and the user declines to trust the workspace (Restricted Mode).
 */
export type SessionName = "trusted" | "untrusted";

export interface ScenarioContext {
  page: EditorPage;
  /** The session's workspace folder on disk. */
  workspace: string;
  /** A folder of this scenario outside the workspace (for user catalogs, models, …). */
  scratch: string;
  /** The user's settings.json (window, resource and language settings). */
  userSettings: SettingsFile;
  /**
   * The settings of the machine code-server runs on: a remote VS Code takes machine-scoped settings
   * (coop.gpu, coop.threads, coop.modelsDirectory, coop.modelCatalog) from these only.
   */
  machineSettings: SettingsFile;
  /** The workspace's .vscode/settings.json. */
  workspaceSettings: SettingsFile;
  /** Numbers for bench-results/editor.json (keystroke-to-ghost-text latency, …). */
  metrics: EditorMetrics;
  /** Coop's log (its output channel) as written so far. */
  coopLog: () => Promise<string>;
}

/** One thing a user does in the editor, checked through what they see and what lands on disk. */
export interface Scenario {
  name: string;
  session: SessionName;
  /**
   * Files this scenario needs in the session's workspace, by path relative to its root, written
   * before the editor starts (settings a workspace ships with go in `.vscode/settings.json`); a
   * function when they name the workspace's absolute path.
   */
  files?: WorkspaceFiles | ((workspace: string) => WorkspaceFiles);
  run(context: ScenarioContext): Promise<void>;
}
