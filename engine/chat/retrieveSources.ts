import { isAbsolute } from "node:path";
import type { Retriever } from "../retriever/index.js";
import type { ChatAttachment } from "../host/contract/engineApi.js";
import type { RetrievedSource } from "./groundingText.js";

/** Chunks a chat answer may be grounded in, at most. */
const maxSources = 8;
/** Characters of each attachment that join the question in the query (a whole file would drown it). */
const maxAttachmentQueryChars = 4000;

/**
 * The workspace chunks most relevant to a question and its attachments, best first, within a token
 * budget. The first attachment inside the workspace says where the question comes from: chunks it
 * already holds are left out, and the definitions of its file and its imports join the candidates.
 */
export async function retrieveSources(
  retriever: Retriever,
  question: string,
  attachments: readonly ChatAttachment[],
  options: { budgetTokens: number; countTokens: (text: string) => number },
): Promise<RetrievedSource[]> {
  if (options.budgetTokens <= 0) return [];
  const query = [
    question,
    ...attachments.map((attachment) => attachment.text.slice(0, maxAttachmentQueryChars)),
  ].join("\n");
  const origin = attachments.find((attachment) => isWorkspaceRelative(attachment.path));
  const from = origin && {
    path: origin.path,
    startLine: origin.startLine ?? 0,
    endLine: origin.endLine ?? origin.startLine ?? Math.max(0, origin.text.split("\n").length - 1),
  };
  const chunks = await retriever.query(query, {
    k: maxSources,
    budgetTokens: options.budgetTokens,
    countTokens: options.countTokens,
    from,
  });
  return chunks.map(({ path, startLine, endLine, text, score }) => ({
    path,
    startLine,
    endLine,
    text,
    score,
  }));
}

/** A path inside the workspace (the editor sends absolute paths for files outside it). */
export function isWorkspaceRelative(path: string): boolean {
  return path !== "" && !isAbsolute(path) && !/^[a-zA-Z]:[\\/]/.test(path) && !/^[a-z][\w+.-]*:/i.test(path);
}
