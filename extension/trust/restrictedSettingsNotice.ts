import * as vscode from "vscode";
import { restrictedSettings } from "../config.js";

/**
 * In an untrusted workspace VS Code ignores the workspace's values of Coop's restricted settings
 * (package.json capabilities.untrustedWorkspaces). Coop tells the user which ones it ignores and why,
 * once per window, and reloads the models when trust is granted so they apply.
 */
export function noticeRestrictedSettings(log: vscode.LogOutputChannel, onTrustGranted: () => void): vscode.Disposable {
  if (!vscode.workspace.isTrusted) {
    const ignored = restrictedSettings.filter((setting) => {
      const [section, ...rest] = setting.split(".");
      const inspected = vscode.workspace.getConfiguration(section).inspect(rest.join("."));
      return inspected?.workspaceValue !== undefined || inspected?.workspaceFolderValue !== undefined;
    });
    if (ignored.length > 0) {
      const message =
        `Coop ignores ${ignored.join(" and ")} as set by this workspace because the workspace is not trusted: ` +
        "an untrusted folder must not choose which model files Coop loads. Trust the workspace to use them.";
      log.warn(message);
      void vscode.window.showWarningMessage(message, "Manage Workspace Trust").then((choice) => {
        if (choice) void vscode.commands.executeCommand("workbench.trust.manage");
      });
    }
  }
  return vscode.workspace.onDidGrantWorkspaceTrust(() => {
    log.info("The workspace is trusted now: its Coop settings apply; the variant reloads on next use.");
    onTrustGranted();
  });
}
