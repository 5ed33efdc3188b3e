/**
 * Control tokens of the tiny models, named as in Qwen2.5-Coder (the family Coop ships for real users),
 * so the FIM, repo-level and ChatML layouts the engine builds for real models are exercised by the fixtures.
 */
export const specialTokenTexts = {
  endOfText: "<|endoftext|>",
  fimPrefix: "<|fim_prefix|>",
  fimMiddle: "<|fim_middle|>",
  fimSuffix: "<|fim_suffix|>",
  fimPad: "<|fim_pad|>",
  repoName: "<|repo_name|>",
  fileSeparator: "<|file_sep|>",
  imStart: "<|im_start|>",
  imEnd: "<|im_end|>",
} as const;

export type SpecialTokenRole = keyof typeof specialTokenTexts;

export const specialTokenRoles = Object.keys(specialTokenTexts) as SpecialTokenRole[];

/** GGUF keys that point at the special tokens, as llama.cpp reads them. */
export const specialTokenIdKeys: Partial<Record<SpecialTokenRole, string[]>> = {
  endOfText: [
    "tokenizer.ggml.eos_token_id",
    "tokenizer.ggml.padding_token_id",
    "tokenizer.ggml.bos_token_id",
  ],
  fimPrefix: ["tokenizer.ggml.fim_pre_token_id"],
  fimSuffix: ["tokenizer.ggml.fim_suf_token_id"],
  fimMiddle: ["tokenizer.ggml.fim_mid_token_id"],
  fimPad: ["tokenizer.ggml.fim_pad_token_id"],
  repoName: ["tokenizer.ggml.fim_rep_token_id"],
  fileSeparator: ["tokenizer.ggml.fim_sep_token_id"],
  imEnd: ["tokenizer.ggml.eot_token_id"],
};

/** ChatML, the chat format of the Qwen family. */
export const chatMlTemplate =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
