// Chat: answers questions grounded in the workspace, in the model's chat format, streamed and checked by the
// detector.
export { ChatResponder, type ChatDecoding } from "./chatResponder.js";
export { ChatRequestError, validateChatRequest, defaultChatMaxTokens } from "./chatRequest.js";
export {
  buildChatPrompt,
  coopInstructions,
  speculationMarginTokens,
  minAnswerTokens,
  type ChatPrompt,
  type ChatPromptInput,
} from "./chatPrompt.js";
export { chatTemplateOf, type ChatTemplate } from "./chatTemplate.js";
export {
  generateAnswer,
  generateDecodedAnswer,
  type GeneratedAnswer,
  type GenerateAnswerOptions,
  type AnswerStopReason,
} from "./generateAnswer.js";
export { AnswerTextStream, type Detokenize } from "./answerTextStream.js";
export {
  stopTriggersOf,
  endingTokenRunLength,
  textTriggerIndex,
  pendingTriggerLength,
  type StopTriggers,
} from "./stopTriggers.js";
export {
  closesFence,
  codeBlockSpans,
  extractCodeBlocks,
  type CodeBlockSpan,
  type FencedCodeBlock,
} from "./codeBlocks.js";
export { chooseCodeBlocks, type CodeBlockCandidatesOptions } from "./codeBlockCandidates.js";
export { languageForFence } from "./fenceLanguage.js";
export { checkCodeBlocks, codeBlockCheckFor, type CodeBlockCheck } from "./checkCodeBlocks.js";
export { retrieveSources, isWorkspaceRelative } from "./retrieveSources.js";
export {
  formatSource,
  formatAttachment,
  fenced,
  firstLinesWithin,
  type RetrievedSource,
} from "./groundingText.js";
export { selectGrounding, groundedSystemText, type GroundingPiece } from "./groundingSelection.js";
export {
  codeOnlyBodyGrammar,
  codeOnlyGrammar,
  codeOnlyInstructions,
  codeOnlyClosing,
  closeCodeOnly,
  codeOnlyMaxLines,
  codeOnlyMaxLineChars,
} from "./codeOnlyAnswer.js";
