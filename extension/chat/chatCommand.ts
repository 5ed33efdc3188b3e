/** What the user asked, once a leading slash command is read. */
export interface ParsedQuestion {
  question: string;
  /** `/code …`: the answer is one code block, for inserting or applying. */
  codeOnly: boolean;
}

const codeCommand = /^\/code(?:\s+|$)/;

/** Reads a leading `/code` command; any other text is a plain question. */
export function parseChatCommand(text: string): ParsedQuestion {
  const trimmed = text.trimStart();
  if (!codeCommand.test(trimmed)) return { question: text, codeOnly: false };
  const rest = trimmed.replace(codeCommand, "").trim();
  return { question: rest === "" ? "Write the code for the attached code's purpose." : rest, codeOnly: true };
}

/** The fence tag for a VS Code language id ("typescriptreact" → "tsx"); plain text when it has none. */
export function fenceTagFor(languageId: string | undefined): string {
  if (!languageId) return "text";
  const aliases: Record<string, string> = {
    typescriptreact: "tsx",
    javascriptreact: "jsx",
    shellscript: "bash",
    plaintext: "text",
  };
  const tag = aliases[languageId] ?? languageId;
  return /^[\w+#.-]{1,32}$/.test(tag) ? tag : "text";
}
