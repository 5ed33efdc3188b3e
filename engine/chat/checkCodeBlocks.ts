import { detect, isCertain, type DetectorWorkspace } from "../detector/index.js";
import type { ChatCodeBlock, EngineChatRequest } from "../host/contract/engineApi.js";
import { isWorkspaceRelative } from "./retrieveSources.js";
import type { FencedCodeBlock } from "./codeBlocks.js";
import { languageForFence } from "./fenceLanguage.js";
import { describeError } from "../errors/index.js";

export interface CodeBlockCheck {
  workspace: DetectorWorkspace;
  /** The workspace-relative file the code is about (relative imports resolve from it). */
  path?: string;
}

/**
 * How a chat answer's code blocks are checked: against the workspace (when one is open and the policy
 * is not off), with relative imports resolved from the first workspace file attached.
 */
export function codeBlockCheckFor(
  request: Pick<EngineChatRequest, "policy" | "attachments">,
  workspace: DetectorWorkspace | undefined,
): CodeBlockCheck | undefined {
  if (request.policy === "off" || !workspace) return undefined;
  const origin = request.attachments?.find((attachment) => isWorkspaceRelative(attachment.path));
  return { workspace, path: origin?.path };
}

/**
 * The answer's code blocks, each with what the detector certainly found missing in it (symbols,
 * members, imports, packages); blocks in a language the syntax layer does not know, or with no
 * check asked for, have no findings. A block the detector fails on is reported through `onError`
 * and keeps no findings, so one odd block never costs the answer.
 */
export async function checkCodeBlocks(
  blocks: readonly FencedCodeBlock[],
  check: CodeBlockCheck | undefined,
  onError?: (message: string) => void,
): Promise<ChatCodeBlock[]> {
  const checked: ChatCodeBlock[] = [];
  for (const block of blocks) {
    const language = languageForFence(block.language);
    let findings: ChatCodeBlock["findings"] = [];
    if (check && language && block.code.trim() !== "") {
      try {
        const found = await detect(block.code, { language, workspace: check.workspace, path: check.path });
        findings = found
          .filter(isCertain)
          .map(({ kind, name, evidence, suggestions }) => ({ kind, name, evidence, suggestions }));
      } catch (error) {
        onError?.(
          `the detector failed on code block ${block.index + 1} (${language}): ${describeError(error)}`,
        );
      }
    }
    checked.push({
      index: block.index,
      ...(block.language === undefined ? {} : { language: block.language }),
      code: block.code,
      findings,
    });
  }
  return checked;
}
