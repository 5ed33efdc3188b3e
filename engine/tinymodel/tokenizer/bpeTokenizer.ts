import { byteToTokenChar, tokenTextToBytes } from "./byteUnicode.js";
import { pretokenize, toWellFormed } from "./pretokenize.js";
import { splitOnSpecialTokens, type SpecialToken } from "./specialTokens.js";
import { applyMerges, type MergeRule } from "./applyMerges.js";

export interface BpeVocabulary {
  /** Byte-level token texts; the index is the token id. Must include all 256 byte tokens. */
  tokens: readonly string[];
  /** Merge rules in rank order (rank = index). Both parts and their concatenation must be tokens. */
  merges: readonly (readonly [string, string])[];
  /** Control tokens, with ids outside the normal token range. */
  specialTokens: readonly SpecialToken[];
}

export interface EncodeOptions {
  /** Turn special token texts in the input into their ids (llama.cpp's parse_special). Default false. */
  parseSpecial?: boolean;
}

// Bounds the pre-token memo; a corpus rarely has this many distinct pre-tokens.
const MEMO_LIMIT = 200_000;

/** Encodes and decodes exactly like llama.cpp with a `gpt2` vocabulary and the qwen2 pre-tokenizer. */
export class BpeTokenizer {
  private readonly tokens: readonly string[];
  private readonly specialTokens: readonly SpecialToken[];
  private readonly specialTextById = new Map<number, string>();
  private readonly byteIds: Int32Array;
  private readonly merges = new Map<number, MergeRule>();
  private readonly memo = new Map<string, readonly number[]>();
  private readonly encoder = new TextEncoder();

  constructor({ tokens, merges, specialTokens }: BpeVocabulary) {
    this.tokens = tokens;
    const idOfText = new Map<string, number>();
    tokens.forEach((text, id) => {
      if (idOfText.has(text)) throw new Error(`duplicate token text ${JSON.stringify(text)}`);
      idOfText.set(text, id);
    });

    this.byteIds = new Int32Array(256);
    for (let byte = 0; byte < 256; byte++) {
      const id = idOfText.get(byteToTokenChar(byte));
      if (id === undefined) throw new Error(`missing byte token for 0x${byte.toString(16)}`);
      this.byteIds[byte] = id;
    }

    merges.forEach(([left, right], rank) => {
      const leftId = idOfText.get(left);
      const rightId = idOfText.get(right);
      const mergedId = idOfText.get(left + right);
      if (leftId === undefined || rightId === undefined || mergedId === undefined) {
        throw new Error(`merge ${JSON.stringify(`${left} ${right}`)} does not join two tokens into a token`);
      }
      const key = leftId * tokens.length + rightId;
      // llama.cpp keeps the first rank of a repeated merge.
      if (!this.merges.has(key)) this.merges.set(key, { rank, mergedId });
    });

    for (const { text, id } of specialTokens) {
      if (text === "" || toWellFormed(text) !== text)
        throw new Error(`unusable special token text ${JSON.stringify(text)}`);
      if (!Number.isInteger(id) || id < tokens.length)
        throw new Error(`special token id ${id} is not past the normal tokens`);
      if (this.specialTextById.has(id)) throw new Error(`special token id ${id} used twice`);
      if (idOfText.has(text))
        throw new Error(`special token text ${JSON.stringify(text)} is also a normal token`);
      this.specialTextById.set(id, text);
    }
    this.specialTokens = [...specialTokens];
  }

  encode(text: string, { parseSpecial = false }: EncodeOptions = {}): number[] {
    const wellFormed = toWellFormed(text);
    const fragments = parseSpecial
      ? splitOnSpecialTokens(wellFormed, this.specialTokens)
      : [{ text: wellFormed }];
    const ids: number[] = [];
    for (const fragment of fragments) {
      if (!("text" in fragment)) {
        ids.push(fragment.id);
        continue;
      }
      for (const piece of pretokenize(fragment.text)) {
        for (const id of this.encodePiece(piece)) ids.push(id);
      }
    }
    return ids;
  }

  /** Token bytes joined and read as UTF-8 (invalid sequences become U+FFFD); special tokens as their text. */
  decode(ids: Iterable<number>): string {
    const chunks: Uint8Array[] = [];
    for (const id of ids) {
      const special = this.specialTextById.get(id);
      chunks.push(
        special !== undefined ? this.encoder.encode(special) : tokenTextToBytes(this.tokenText(id)),
      );
    }
    return new TextDecoder().decode(Buffer.concat(chunks));
  }

  /** The vocabulary text of a token: byte-level text for normal tokens, literal text for special ones. */
  tokenText(id: number): string {
    const text = this.specialTextById.get(id) ?? this.tokens[id];
    if (text === undefined) throw new RangeError(`unknown token id ${id}`);
    return text;
  }

  private encodePiece(piece: string): readonly number[] {
    let ids = this.memo.get(piece);
    if (ids === undefined) {
      const bytes = this.encoder.encode(piece);
      ids = applyMerges(
        Array.from(bytes, (byte) => this.byteIds[byte]!),
        this.merges,
        this.tokens.length,
      );
      if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
      this.memo.set(piece, ids);
    }
    return ids;
  }
}
