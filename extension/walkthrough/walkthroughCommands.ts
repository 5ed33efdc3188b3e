import * as vscode from "vscode";
import type { CoopConfig } from "../settings/config.js";
import { walkthroughStepDone } from "./walkthroughProgress.js";

/** The variant Coop builds on the machine itself: nothing to download. */
export const embeddedVariant = "coop-tiny";

/** A few lines that invite a completion: an unfinished function over the names defined above it. */
const sample = `// Coop suggests as you type: put the cursor at the end of a line and pause,
// then press Tab to accept the ghost text (Alt+] and Alt+[ show the other suggestions).
interface CartLine {
  price: number;
  quantity: number;
}

export function cartTotal(lines: CartLine[]): number {
  return lines.reduce((sum, line) => sum + line.price * line.quantity, 0);
}

export function formatTotal(lines: CartLine[]): string {
  `;

/**
 * The walkthrough's own commands: stay on the embedded variant, open a file to try a completion in.
 * The sample is a file in Coop's global storage, not in the user's workspace (an untitled document
 * has no path for the completion pipeline to work with).
 */
export function registerWalkthroughCommands(config: CoopConfig, storage: vscode.Uri): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand("coop.useEmbeddedVariant", async () => {
      await config.setVariant(embeddedVariant);
      walkthroughStepDone("modelsReady");
      void vscode.window.showInformationMessage(
        `Coop uses ${embeddedVariant}: its models are built on this machine on first use, no download.`,
      );
    }),
    vscode.commands.registerCommand("coop.openSampleFile", async () => {
      const file = vscode.Uri.joinPath(storage, "try-coop.ts");
      await vscode.workspace.fs.createDirectory(storage);
      await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(sample));
      const document = await vscode.workspace.openTextDocument(file);
      const editor = await vscode.window.showTextDocument(document);
      const end = document.lineAt(document.lineCount - 1).range.end;
      editor.selection = new vscode.Selection(end, end);
    }),
  );
}
