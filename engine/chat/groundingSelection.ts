import type { ChatAttachment } from "../host/contract/engineApi.js";
import { firstLinesWithin, formatAttachment, formatSource, type RetrievedSource } from "./groundingText.js";

/** An attachment is cut to fit only if at least this many tokens remain for it. */
const minAttachmentTokens = 48;

/** A piece of a chat prompt's grounding: an attachment (no source) or a retrieved workspace source. */
export interface GroundingPiece {
  text: string;
  source?: RetrievedSource;
}

/**
 * The grounding that fits `budget` tokens: attachments first (the user chose them), cut by lines
 * when they do not fit whole; then the sources that fit, best first. The list ends with the sources,
 * so dropping from its end drops the weakest source first. Used by the local and the remote chat.
 */
export function selectGrounding(
  attachments: readonly ChatAttachment[],
  sources: readonly RetrievedSource[],
  budget: number,
  countTokens: (text: string) => number,
): { pieces: GroundingPiece[]; cutAttachments: number } {
  const attached: GroundingPiece[] = [];
  const retrieved: GroundingPiece[] = [];
  let remaining = Math.max(0, budget);
  let cutAttachments = 0;
  for (const attachment of attachments) {
    const whole = formatAttachment(attachment);
    const cost = countTokens(whole) + 2;
    if (cost <= remaining) {
      attached.push({ text: whole });
      remaining -= cost;
      continue;
    }
    cutAttachments++;
    if (remaining < minAttachmentTokens) continue;
    const cut = firstLinesWithin(
      attachment.text,
      remaining - 2,
      (text, cutLines) => formatAttachment(attachment, text, cutLines),
      countTokens,
    );
    if (!cut) continue;
    const text = formatAttachment(attachment, cut.text, cut.cutLines);
    attached.push({ text });
    remaining -= countTokens(text) + 2;
  }
  for (const source of sources) {
    const text = formatSource(source);
    const cost = countTokens(text) + 2;
    if (cost > remaining) continue;
    retrieved.push({ text, source });
    remaining -= cost;
  }
  return { pieces: [...attached, ...retrieved], cutAttachments };
}

/** The system text of a grounded chat prompt: the instructions, then the sources, then the attachments. */
export function groundedSystemText(instructions: string, pieces: readonly GroundingPiece[]): string {
  const sources = pieces.filter((piece) => piece.source);
  const attachments = pieces.filter((piece) => !piece.source);
  const parts = [instructions];
  if (sources.length > 0)
    parts.push(["Workspace code that may be relevant:", ...sources.map((piece) => piece.text)].join("\n\n"));
  if (attachments.length > 0)
    parts.push(
      ["Code the user attached to the question:", ...attachments.map((piece) => piece.text)].join("\n\n"),
    );
  return parts.join("\n\n");
}
