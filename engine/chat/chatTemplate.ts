import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from "node-llama-cpp";
import { importNodeLlamaCpp } from "../runtime/index.js";
import type { ChatTurn } from "../host/contract/engineApi.js";
import { stopTriggersOf, type StopTriggers } from "./stopTriggers.js";

/** A model's chat format: how a conversation becomes prompt tokens, and what ends the model's turn. */
export interface ChatTemplate {
  /** node-llama-cpp's name for the format ("ChatML", "Jinja", …), for logs and tests. */
  name: string;
  /** The prompt tokens for a system message and the turns, ready for the assistant's answer. */
  render(system: string, turns: readonly ChatTurn[]): Token[];
  stops: StopTriggers;
}

/**
 * The model's own chat format: the GGUF's `tokenizer.chat_template`, through node-llama-cpp (which
 * maps well-known templates such as ChatML to its own wrappers and renders others with Jinja).
 * Without a template, ChatML when the vocabulary has its control tokens (the Qwen family and the
 * tiny models), else node-llama-cpp's guess from the model's name and architecture.
 */
export async function chatTemplateOf(model: LlamaModel): Promise<ChatTemplate> {
  const llama = await importNodeLlamaCpp();
  const declared = model.fileInfo.metadata.tokenizer.chat_template?.trim();
  const wrapper: ChatWrapper =
    !declared && hasChatMlTokens(model) ? new llama.ChatMLChatWrapper() : llama.resolveChatWrapper(model);
  const render = (system: string, turns: readonly ChatTurn[]) => renderState(wrapper, system, turns);
  const { stopGenerationTriggers } = render("", [{ role: "user", content: "" }]);
  return {
    name: wrapper.wrapperName,
    render: (system, turns) => render(system, turns).contextText.tokenize(model.tokenizer),
    stops: stopTriggersOf(stopGenerationTriggers, model.tokenizer),
  };
}

function renderState(wrapper: ChatWrapper, system: string, turns: readonly ChatTurn[]) {
  const history: ChatHistoryItem[] = [];
  if (system !== "") history.push({ type: "system", text: system });
  for (const turn of turns)
    history.push(
      turn.role === "user"
        ? { type: "user", text: turn.content }
        : { type: "model", response: [turn.content] },
    );
  // An empty model response last: the prompt ends where the assistant's answer begins.
  history.push({ type: "model", response: [] });
  return wrapper.generateContextState({ chatHistory: history });
}

function hasChatMlTokens(model: LlamaModel): boolean {
  return ["<|im_start|>", "<|im_end|>"].every((text) => model.tokenize(text, true).length === 1);
}
