import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";
import { fencedCodeBlocks, type FencedCodeBlock } from "./fencedBlocks.js";

/**
 * Answers are model output, rendered as markdown that can never carry markup of its own: html is
 * off (tags in the text show as text), links and images become text (nothing in the page
 * navigates or loads), and each fenced code block becomes a placeholder the view decorates with
 * its buttons and findings.
 *
 * The answer is first cut into prose and fenced code blocks by the engine's rules (fencedBlocks.ts),
 * so block N here is the block N the detector checked; the prose between them goes to markdown-it.
 */

export type { FencedCodeBlock } from "./fencedBlocks.js";

/** One piece of the answer rendered to HTML: a top-level markdown block, or one fenced code block. */
export interface RenderedBlock {
  html: string;
  /** The fenced code blocks in this piece, by index. */
  codeBlockIndexes: number[];
}

export interface RenderedMarkdown {
  blocks: RenderedBlock[];
  codeBlocks: FencedCodeBlock[];
}

const markdown = createMarkdown();

export function renderMarkdown(text: string): RenderedMarkdown {
  const codeBlocks = fencedCodeBlocks(text);
  const lines = text.split("\n");
  const blocks: RenderedBlock[] = [];
  let proseStart = 0;
  for (const block of codeBlocks) {
    blocks.push(...renderProse(lines.slice(proseStart, block.startLine).join("\n")));
    blocks.push({ html: codeBlockHtml(block), codeBlockIndexes: [block.index] });
    proseStart = block.endLine;
  }
  blocks.push(...renderProse(lines.slice(proseStart).join("\n")));
  return { blocks, codeBlocks };
}

function codeBlockHtml(block: FencedCodeBlock): string {
  const escape = markdown.utils.escapeHtml;
  return `<div class="code-block" data-testid="code-block" data-block-index="${block.index}"><pre><code>${escape(block.code)}</code></pre></div>\n`;
}

/** Prose as top-level markdown blocks: while an answer streams only the last ones change. */
function renderProse(text: string): RenderedBlock[] {
  if (text.trim() === "") return [];
  return topLevelBlocks(markdown.parse(text, {})).map((tokens) => ({
    html: markdown.renderer.render(tokens, markdown.options, {}),
    codeBlockIndexes: [],
  }));
}

function createMarkdown(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const escape = md.utils.escapeHtml;
  // Code markdown-it sees that the engine does not (a fence in a > quote, indented code) is shown
  // as code, without buttons: the engine did not check it.
  md.renderer.rules.fence = (tokens, index) =>
    `<pre class="plain-code"><code>${escape(tokens[index]!.content)}</code></pre>\n`;
  md.renderer.rules.code_block = (tokens, index) =>
    `<pre class="plain-code"><code>${escape(tokens[index]!.content)}</code></pre>\n`;
  // A link shows its text and, when different, its address, both as text.
  md.renderer.rules.link_open = (tokens, index) =>
    `<span class="md-link" title="${escape(tokens[index]!.attrGet("href") ?? "")}">`;
  md.renderer.rules.link_close = (tokens, index) => {
    const opening = linkOpening(tokens, index);
    const href = opening?.attrGet("href") ?? "";
    const shown = opening ? linkText(tokens, tokens.indexOf(opening), index) : "";
    const sameAsText = href === "" || href === shown || href === `mailto:${shown}`;
    return sameAsText ? "</span>" : `</span> <span class="md-link-url">(${escape(href)})</span>`;
  };
  md.renderer.rules.image = (tokens, index, options, env, renderer) => {
    const alt = renderer.renderInlineAsText(tokens[index]!.children ?? [], options, env);
    return `<span class="md-image">[image${alt ? `: ${escape(alt)}` : ""}]</span>`;
  };
  return md;
}

/** Splits block tokens into top-level blocks: an opening token at level 0 through its closing one. */
function topLevelBlocks(tokens: Token[]): Token[][] {
  const blocks: Token[][] = [];
  let start = 0;
  while (start < tokens.length) {
    let end = start;
    if (tokens[start]!.nesting === 1) {
      while (
        end + 1 < tokens.length &&
        !(tokens[end + 1]!.level === tokens[start]!.level && tokens[end + 1]!.nesting === -1)
      )
        end++;
      end++;
    }
    blocks.push(tokens.slice(start, end + 1));
    start = end + 1;
  }
  return blocks;
}

function linkOpening(tokens: Token[], closeIndex: number): Token | undefined {
  let depth = 0;
  for (let i = closeIndex - 1; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.type === "link_close") depth++;
    if (token.type === "link_open") {
      if (depth === 0) return token;
      depth--;
    }
  }
  return undefined;
}

function linkText(tokens: Token[], openIndex: number, closeIndex: number): string {
  return tokens
    .slice(openIndex + 1, closeIndex)
    .map((token) => (token.type === "text" || token.type === "code_inline" ? token.content : ""))
    .join("");
}
