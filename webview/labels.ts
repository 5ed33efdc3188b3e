import type {
  ChatEntry,
  ChatSourceRef,
  ChatViewState,
  CodeBlockFinding,
  StateAction,
} from "../extension/protocol/chatProtocol.js";

/** The words the view shows, kept apart from the DOM so they can be checked. */

/** "src/a.ts:3-9", lines 1-based like the editor shows them (the protocol's are 0-based). */
export function sourceLabel(source: ChatSourceRef): string {
  const start = source.startLine + 1;
  const end = source.endLine + 1;
  return start === end ? `${source.path}:${start}` : `${source.path}:${start}-${end}`;
}

export function sourceAriaLabel(source: ChatSourceRef): string {
  const start = source.startLine + 1;
  const end = source.endLine + 1;
  return start === end
    ? `Open ${source.path} at line ${start}`
    : `Open ${source.path}, lines ${start} to ${end}`;
}

const findingTitles: Record<string, string> = {
  unknownSymbol: "Unknown symbol",
  unknownMember: "Unknown member",
  unknownPackage: "Unknown package",
  lowConfidence: "Uncertain name",
};

export interface FindingText {
  title: string;
  name: string;
  evidence: string;
  /** "Nearest existing names: a, b", or nothing when the detector found none. */
  suggestions?: string;
}

export function findingText(finding: CodeBlockFinding): FindingText {
  const suggestions =
    finding.suggestions.length > 0
      ? `Nearest existing ${finding.suggestions.length === 1 ? "name" : "names"}: ${finding.suggestions.join(", ")}`
      : undefined;
  return {
    title: findingTitles[finding.kind] ?? finding.kind,
    name: finding.name,
    evidence: finding.evidence,
    ...(suggestions ? { suggestions } : {}),
  };
}

/** How an answer ended, when it is worth saying: "stopped", "cut at the token limit", its speed. */
export function answerStatus(entry: ChatEntry): string {
  const parts: string[] = [];
  if (entry.stopReason === "aborted") parts.push("stopped");
  if (entry.stopReason === "maxTokens") parts.push("cut at the token limit");
  if (entry.tokensPerSecond !== undefined && entry.tokensPerSecond > 0)
    parts.push(`${entry.tokensPerSecond.toFixed(1)} tokens/s`);
  return parts.join(" · ");
}

export const actionLabels: Record<StateAction, { label: string; ariaLabel: string }> = {
  downloadModels: { label: "Download Models", ariaLabel: "Download the models of this variant" },
  retry: { label: "Retry", ariaLabel: "Start the engine again" },
  swapVariant: { label: "Swap Variant", ariaLabel: "Choose another model variant" },
  showLog: { label: "Show Log", ariaLabel: "Show Coop's log" },
};

export interface StateScreenText {
  title: string;
  /** What the state means for the user, beyond the extension's detail. */
  explanation?: string;
}

/** The state screen's words; undefined for idle and ready, which show the chat alone. */
export function stateScreenText(state: ChatViewState): StateScreenText | undefined {
  switch (state.engine) {
    case "idle":
    case "ready":
      return undefined;
    case "notDownloaded":
      return {
        title: "Models not downloaded",
        explanation: `Coop answers with models that run on your machine. The variant ${state.variant} needs its model files: download them once, or swap to a variant you already have.`,
      };
    case "downloading":
      return { title: `Downloading the models of ${state.variant}` };
    case "loading":
      return { title: `Loading ${state.variant}…` };
    case "error":
      return { title: "Coop's engine stopped with an error" };
  }
}

/** "42%" for a known fraction; undefined while it is unknown. */
export function progressText(progress: number | undefined): string | undefined {
  return progress === undefined ? undefined : `${Math.floor(progress * 100)}%`;
}

/** The header's one line about the engine. */
export function engineSummary(state: ChatViewState | undefined): string {
  if (!state) return "Connecting…";
  const words: Record<ChatViewState["engine"], string> = {
    idle: "starts when you ask",
    notDownloaded: "not downloaded",
    downloading: "downloading",
    loading: "loading",
    ready: "ready",
    error: "error",
  };
  return `${state.variant} · ${words[state.engine]}`;
}

/** Asking makes sense in these states; the others show what to fix first. */
export function canAsk(state: ChatViewState | undefined): boolean {
  return (
    state === undefined || state.engine === "idle" || state.engine === "ready" || state.engine === "loading"
  );
}
