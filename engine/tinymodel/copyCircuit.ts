import { createRandom } from "../linalg/random.js";
import { hashName } from "./noise.js";
import { tokenTextToBytes } from "./tokenizer/index.js";
import type { LlamaShape } from "./llamaShape.js";
import type { Vocabulary } from "./vocabulary.js";
import { embeddingScale } from "./writeTinyModel.js";

/**
 * In-context copying compiled into the first two blocks of a llama network (Olsson et al. 2022,
 * "In-context learning and induction heads"):
 *
 * - block 0 has three previous-token heads. Their keys and queries carry no content, only RoPE phases, so
 *   they attend to the token one, two and three back. They write those tokens' match codes into three
 *   subspaces of the residual.
 * - block 1 has an induction head. Its query is the codes of this token and of the two before it, its keys
 *   the codes of the three tokens before each position: it attends where the last three tokens occurred
 *   before, and reads the code of the token that followed them there into a fourth subspace, which the
 *   output matrix turns into that token's logit. The current token weighs most, so a longer match wins,
 *   and a match without the current token loses to one with it. Three tokens, since the small vocabulary
 *   splits names into pieces of one to three characters: two (`e` `(`) recur all over a file.
 *
 * RoPE rotates every pair of a llama head (llama.cpp refuses a partial rotation for this architecture), so
 * the RoPE base is chosen huge: the first pairs turn fast enough to tell offsets 1 to 3 apart, and the
 * pairs from `firstContentPair` on turn by under 0.1 radian across the whole context, which leaves the
 * content match free of position.
 *
 * Tokens that differ only by leading whitespace share a match code, so ` resolved` in the file matches
 * `resolved` typed after `(`; the copied token itself is exact.
 */
export interface CopyCircuit {
  ropeFreqBase: number;
  /** Adds the circuit's weights to a layer tensor's values (noise already in place). */
  addToLayer(tensorName: string, values: Float32Array): void;
  /** Weights of the final norm: the one-hot dimensions scaled so the bigram logits stay as they were. */
  outputNorm(): Float32Array;
  /** Adds the copy logits to output.weight's values (bigram already in place). */
  addToOutput(values: Float32Array): void;
}

export interface CopyCircuitOptions {
  /**
   * Score, in nats, of a match in the induction head, for the current token, the one before and the one
   * before that: a position whose three tokens all match scores their sum.
   */
  matchScores: readonly number[];
  /** Logit, in nats, the copied token gains when the induction head attends to one place only. */
  copyLogit: number;
  /** How far below the peak the previous-token heads' nearest wrong offset scores, in nats. */
  positionMargin: number;
  /**
   * Score of a control token (`<|file_sep|>`, `<|fim_prefix|>`, …) in the induction head, whose value is
   * nothing: where nothing in the prompt matches, attention rests there instead of spreading over every
   * position. Below one matching token's score, so that a single match still copies.
   */
  sinkScore: number;
}

export const defaultCopyCircuitOptions: CopyCircuitOptions = {
  matchScores: [20, 10, 6],
  copyLogit: 16,
  positionMargin: 14,
  sinkScore: 16,
};

/** The largest base a GGUF f32 holds comfortably; with a 256-wide head, pair i turns by 0.505^i per token. */
export const copyRopeFreqBase = 1e38;
/** Pairs that turn fast enough to place a token one to three back. */
const positionPairs = 13;
/** A slow pair (< 0.25 rad over 1,500 tokens) that carries the control tokens' sink score. */
const sinkPair = 13;
/** Pairs this slow turn by < 0.1 rad over 1,500 tokens: the content match lives here. */
const firstContentPair = 14;
/** Relative weights of the position pairs: the fastest pairs tell neighbours apart. */
const positionWeights = [4, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
const positionWeightSum = positionWeights.reduce((a, b) => a + b, 0);
/** Amplitudes in the residual of the previous-token codes and of the copied token's code, per dimension. */
const previousAmplitude = 0.5;
const nextAmplitude = 0.5;

/** How many tokens the induction head matches: this one and the ones before it. */
const matchLength = 3;

/** Where the circuit keeps its codes in the residual, after the one-hot token dimensions. */
export interface CopyLayout {
  headDim: number;
  /** Dimensions of a match code: a third of the content dimensions of a head. */
  matchDim: number;
  /** Dimensions of the copied token's output code: a whole head. */
  outputDim: number;
  /** Where the codes of the tokens 1, 2, 3 back start. */
  previous: number[];
  next: number;
}

export function copyLayout(shape: LlamaShape): CopyLayout {
  const headDim = shape.embeddingLength / shape.headCount;
  const matchDim = Math.floor((headDim - 2 * firstContentPair) / matchLength);
  const previous = Array.from({ length: matchLength }, (_, back) => shape.vocabularySize + back * matchDim);
  const layout = {
    headDim,
    matchDim,
    outputDim: headDim,
    previous,
    next: shape.vocabularySize + matchLength * matchDim,
  };
  if (headDim / 2 < positionPairs + 8) throw new Error(`a head of ${headDim} is too narrow for copy heads`);
  if (layout.next + headDim > shape.embeddingLength) {
    throw new Error(
      `embeddingLength ${shape.embeddingLength} cannot hold the copy codes (needs ${layout.next + headDim})`,
    );
  }
  if (shape.blockCount < 2) throw new Error("copy heads need two blocks");
  if (shape.headCount / shape.headCountKv < matchLength)
    throw new Error(`the ${matchLength} previous-token heads must share a KV group`);
  return layout;
}

export function copyCircuit(
  shape: LlamaShape,
  vocabulary: Vocabulary,
  options: CopyCircuitOptions = defaultCopyCircuitOptions,
): CopyCircuit {
  const layout = copyLayout(shape);
  const { headDim, matchDim, outputDim } = layout;
  const n = shape.embeddingLength;
  const vocabularySize = shape.vocabularySize;
  const matchCodes = tokenCodes(vocabulary, matchDim, matchKey);
  const outputCodes = tokenCodes(vocabulary, outputDim, (_, id) => `#${id}`);
  const theta = (pair: number): number => Math.pow(copyRopeFreqBase, (-2 * pair) / headDim);
  const scoreScale = 1 / Math.sqrt(headDim);

  // RMS-normalised values of the residual at each block's input (the noise is small against these).
  const sqrtN = Math.sqrt(n);
  const block0OneHot = sqrtN;
  const block1Norm = Math.sqrt(embeddingScale ** 2 + matchLength * previousAmplitude ** 2 * matchDim);
  const block1OneHot = (embeddingScale * sqrtN) / block1Norm;
  const block1Code = (previousAmplitude * sqrtN) / block1Norm;
  const copiedNorm = Math.sqrt(block1Norm ** 2 + nextAmplitude ** 2 * outputDim);
  const copiedCode = (nextAmplitude * sqrtN) / copiedNorm;

  const positionPeak = positionPeakScore(options.positionMargin, theta, shape.contextLength);
  const pairAmplitude = (pair: number): number =>
    Math.sqrt((positionPeak * positionWeights[pair]!) / positionWeightSum / scoreScale);
  if (options.matchScores.length !== matchLength)
    throw new Error(`matchScores must have ${matchLength} scores`);
  // Query and key share the score of a match: sqrt on each side.
  const matchAmplitude = options.matchScores.map((score) => Math.sqrt(score / (matchDim * scoreScale)));
  const copyWeight = options.copyLogit / (copiedCode * outputDim);
  const sinkAmplitude = Math.sqrt(options.sinkScore / scoreScale);

  const at = (out: number, input: number, inputs: number): number => out * inputs + input;

  const layers: Record<string, (values: Float32Array) => void> = {
    "blk.0.attn_q.weight": (values) => {
      for (let head = 0; head < matchLength; head++) {
        const offset = head + 1;
        for (let pair = 0; pair < positionPairs; pair++) {
          const phase = -offset * theta(pair);
          const amplitude = pairAmplitude(pair) / block0OneHot;
          const out = head * headDim + 2 * pair;
          for (let token = 0; token < vocabularySize; token++) {
            values[at(out, token, n)]! += amplitude * Math.cos(phase);
            values[at(out + 1, token, n)]! += amplitude * Math.sin(phase);
          }
        }
      }
    },
    "blk.0.attn_k.weight": (values) => {
      for (let pair = 0; pair < positionPairs; pair++) {
        const amplitude = pairAmplitude(pair) / block0OneHot;
        for (let token = 0; token < vocabularySize; token++) values[at(2 * pair, token, n)]! += amplitude;
      }
    },
    "blk.0.attn_v.weight": (values) => {
      for (let token = 0; token < vocabularySize; token++) {
        const code = matchCodes[token]!;
        for (let k = 0; k < matchDim; k++) values[at(k, token, n)]! += code[k]! / block0OneHot;
      }
    },
    "blk.0.attn_output.weight": (values) => {
      for (let head = 0; head < matchLength; head++) {
        for (let k = 0; k < matchDim; k++)
          values[at(layout.previous[head]! + k, head * headDim + k, n)]! += previousAmplitude;
      }
    },
    "blk.1.attn_q.weight": (values) => {
      const first = 2 * firstContentPair;
      // Every token asks for the sink; then this token's code, and the codes block 0 wrote of the tokens
      // one and two back.
      for (let token = 0; token < vocabularySize; token++) {
        values[at(2 * sinkPair, token, n)]! += sinkAmplitude / block1OneHot;
        const code = matchCodes[token]!;
        for (let k = 0; k < matchDim; k++)
          values[at(first + k, token, n)]! += (matchAmplitude[0]! * code[k]!) / block1OneHot;
      }
      for (let back = 1; back < matchLength; back++) {
        for (let k = 0; k < matchDim; k++) {
          const out = first + back * matchDim + k;
          values[at(out, layout.previous[back - 1]! + k, n)]! += matchAmplitude[back]! / block1Code;
        }
      }
    },
    "blk.1.attn_k.weight": (values) => {
      const first = 2 * firstContentPair;
      for (let token = 0; token < vocabularySize; token++)
        if (vocabulary.isSpecial(token)) values[at(2 * sinkPair, token, n)]! += sinkAmplitude / block1OneHot;
      // The codes of the tokens one, two and three back of each position.
      for (let back = 0; back < matchLength; back++) {
        for (let k = 0; k < matchDim; k++) {
          const out = first + back * matchDim + k;
          values[at(out, layout.previous[back]! + k, n)]! += matchAmplitude[back]! / block1Code;
        }
      }
    },
    "blk.1.attn_v.weight": (values) => {
      for (let token = 0; token < vocabularySize; token++) {
        if (vocabulary.isSpecial(token)) continue;
        const code = outputCodes[token]!;
        for (let k = 0; k < outputDim; k++) values[at(k, token, n)]! += code[k]! / block1OneHot;
      }
    },
    "blk.1.attn_output.weight": (values) => {
      for (let k = 0; k < outputDim; k++) values[at(layout.next + k, k, n)]! += nextAmplitude;
    },
  };

  return {
    ropeFreqBase: copyRopeFreqBase,
    addToLayer: (tensorName, values) => layers[tensorName]?.(values),
    outputNorm: () => {
      const norm = new Float32Array(n);
      // With no copy, the residual's norm is block1Norm: these weights give the bigram its logits exactly.
      norm.fill(block1Norm / (embeddingScale * sqrtN), 0, vocabularySize);
      norm.fill(1, layout.next, layout.next + outputDim);
      return norm;
    },
    addToOutput: (values) => {
      for (let token = 0; token < vocabularySize; token++) {
        const code = outputCodes[token]!;
        for (let k = 0; k < outputDim; k++) values[at(token, layout.next + k, n)]! += copyWeight * code[k]!;
      }
    },
  };
}

/**
 * The score at the peak offset that leaves every other offset within the context `margin` nats below it,
 * given the position pairs' weights.
 */
function positionPeakScore(margin: number, theta: (pair: number) => number, contextLength: number): number {
  let worst = -Infinity;
  for (let distance = 1; distance < contextLength; distance++) {
    let score = 0;
    for (let pair = 0; pair < positionPairs; pair++)
      score += positionWeights[pair]! * Math.cos(distance * theta(pair));
    worst = Math.max(worst, score / positionWeightSum);
  }
  return margin / (1 - worst);
}

/** A token's text without leading whitespace: what its match code is keyed on. */
function matchKey(vocabulary: Vocabulary, id: number): string {
  if (vocabulary.isSpecial(id)) return `#${id}`;
  const text = Buffer.from(tokenTextToBytes(vocabulary.tokens[id]!)).toString("latin1");
  const stripped = text.replace(/^[ \t]+/, "");
  return stripped.length > 0 ? stripped : text;
}

/** ±1 codes, one per token, seeded by `key`: tokens with one key share a code. */
function tokenCodes(
  vocabulary: Vocabulary,
  dim: number,
  key: (vocabulary: Vocabulary, id: number) => string,
): Int8Array[] {
  const codes: Int8Array[] = [];
  for (let id = 0; id < vocabulary.size; id++) {
    const random = createRandom(hashName(`${dim}:${key(vocabulary, id)}`));
    const code = new Int8Array(dim);
    for (let k = 0; k < dim; k++) code[k] = random.next() < 0.5 ? -1 : 1;
    codes.push(code);
  }
  return codes;
}
