// The scale searches of ggml's k-quant reference quantizers (ggml-quants.c: nearest_int,
// make_qkx2_quants, make_qx_quants with rmse_type 1), in float32 arithmetic: every operation is
// rounded to float32 at the point C rounds it, so the chosen scales and quants are ggml's, bit for bit.
const fround = Math.fround;

/** Elements in one k-quant sub-block searched by fitScaleAndMin. */
const SUB_BLOCK = 32;
/** Elements in one Q6_K sub-block searched by fitSymmetricScale. */
const Q6_SUB_BLOCK = 16;
const GROUP_MAX_EPS = fround(1e-15);
const ONE_TENTH = fround(0.1);

/** nearest_int: rounds a float32 to the nearest integer, ties to even, for |x| <= 4194303. */
export function nearestInt(x: number): number {
  return fround(x + 12582912) - 12582912;
}

/** Quants chosen by the last trial scale, copied to the result when it wins. */
const candidate = new Uint8Array(SUB_BLOCK);
/** x - min of the sub-block being fitted, rounded to float32 by the store. */
const shifted = new Float32Array(SUB_BLOCK);
/** make_qx_quants' last trial quants, to skip trials that repeat them, and its weights x^2 and x^3. */
const symmetricCandidate = new Int8Array(Q6_SUB_BLOCK);
const squares = new Float32Array(Q6_SUB_BLOCK);
const cubes = new Float32Array(Q6_SUB_BLOCK);

function clamp(value: number, low: number, high: number): number {
  return value < low ? low : value > high ? high : value;
}

/**
 * make_qkx2_quants on the 32 values at x[at..] with weights[0..31]: the scale and min (x ~ scale * q - min)
 * with quants q in [0, nmax] minimising the weighted squared error, searched over nstep + 1 trial scales.
 * Writes the quants to quants[quantAt..], the scale to scales[slot] and the min (negated, as ggml returns
 * it) to mins[slot].
 */
export function fitScaleAndMin(
  nmax: number,
  x: Float32Array,
  at: number,
  weights: Float32Array,
  quants: Uint8Array,
  quantAt: number,
  rmin: number,
  rdelta: number,
  nstep: number,
  scales: Float32Array,
  mins: Float32Array,
  slot: number,
): void {
  let min = x[at]!;
  let max = min;
  let sumW = weights[0]!;
  let sumX = fround(sumW * min);
  for (let i = 1; i < SUB_BLOCK; i++) {
    const v = x[at + i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    const w = weights[i]!;
    sumW = fround(sumW + w);
    sumX = fround(sumX + fround(w * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    quants.fill(0, quantAt, quantAt + SUB_BLOCK);
    scales[slot] = 0;
    mins[slot] = -min;
    return;
  }
  for (let i = 0; i < SUB_BLOCK; i++) shifted[i] = x[at + i]! - min;
  let iscale = fround(nmax / fround(max - min));
  let scale = fround(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < SUB_BLOCK; i++) {
    const l = clamp(nearestInt(fround(iscale * shifted[i]!)), 0, nmax);
    quants[quantAt + i] = l;
    const diff = fround(fround(fround(scale * l) + min) - x[at + i]!);
    bestError = fround(bestError + fround(weights[i]! * fround(diff * diff)));
  }
  for (let step = 0; step <= nstep; step++) {
    // `min` moves when a trial wins, and later trials start from it, as in ggml.
    iscale = fround(fround(fround(rmin + fround(rdelta * step)) + nmax) / fround(max - min));
    // The fit depends on the quants alone: a trial whose quants are the previous trial's cannot win.
    let changed = step === 0;
    for (let i = 0; i < SUB_BLOCK; i++) {
      const l = clamp(nearestInt(fround(iscale * shifted[i]!)), 0, nmax);
      if (l !== candidate[i]) {
        candidate[i] = l;
        changed = true;
      }
    }
    if (!changed) continue;
    let sumL = 0;
    let sumL2 = 0;
    let sumXL = 0;
    for (let i = 0; i < SUB_BLOCK; i++) {
      const l = candidate[i]!;
      const wl = fround(weights[i]! * l);
      sumL = fround(sumL + wl);
      sumL2 = fround(sumL2 + fround(wl * l));
      sumXL = fround(sumXL + fround(wl * x[at + i]!));
    }
    const determinant = fround(fround(sumW * sumL2) - fround(sumL * sumL));
    if (!(determinant > 0)) continue;
    let trialScale = fround(fround(fround(sumW * sumXL) - fround(sumX * sumL)) / determinant);
    let trialMin = fround(fround(fround(sumL2 * sumX) - fround(sumL * sumXL)) / determinant);
    if (trialMin > 0) {
      trialMin = 0;
      trialScale = fround(sumXL / sumL2);
    }
    // The error only grows as terms are added, so a trial stops as soon as it cannot win.
    let error = 0;
    for (let i = 0; i < SUB_BLOCK && error < bestError; i++) {
      const diff = fround(fround(fround(trialScale * candidate[i]!) + trialMin) - x[at + i]!);
      error = fround(error + fround(weights[i]! * fround(diff * diff)));
    }
    if (error < bestError) {
      quants.set(candidate, quantAt);
      bestError = error;
      scale = trialScale;
      if (trialMin !== min) {
        min = trialMin;
        for (let i = 0; i < SUB_BLOCK; i++) shifted[i] = x[at + i]! - min;
      }
    }
  }
  scales[slot] = scale;
  mins[slot] = -min;
}

/**
 * make_qx_quants(16, 32, x, L, rmse_type 1, no importance weights): the signed scale (x ~ scale * q)
 * with quants q in [-32, 31] minimising the error weighted by x^2, searched over 19 trial scales, for
 * the 16 values at x[at..]. Writes q + 32 to quants[quantAt..] and returns the scale.
 */
export function fitSymmetricScale(x: Float32Array, at: number, quants: Uint8Array, quantAt: number): number {
  const nmax = 32;
  let max = 0;
  let amax = 0;
  for (let i = 0; i < Q6_SUB_BLOCK; i++) {
    const v = x[at + i]!;
    const a = Math.abs(v);
    if (a > amax) {
      amax = a;
      max = v;
    }
  }
  if (amax < GROUP_MAX_EPS) {
    quants.fill(0, quantAt, quantAt + Q6_SUB_BLOCK);
    return 0;
  }
  for (let i = 0; i < Q6_SUB_BLOCK; i++) {
    const v = x[at + i]!;
    squares[i] = v * v;
    cubes[i] = squares[i]! * v;
  }
  let iscale = fround(-nmax / max);
  let sumLX = 0;
  let sumL2 = 0;
  for (let i = 0; i < Q6_SUB_BLOCK; i++) {
    const l = clamp(nearestInt(fround(iscale * x[at + i]!)), -nmax, nmax - 1);
    quants[quantAt + i] = l + nmax;
    sumLX = fround(sumLX + fround(cubes[i]! * l));
    sumL2 = fround(sumL2 + fround(fround(squares[i]! * l) * l));
  }
  let scale = sumL2 !== 0 ? fround(sumLX / sumL2) : 0;
  let best = fround(scale * sumLX);
  for (let step = -9; step <= 9; step++) {
    if (step === 0) continue;
    iscale = fround(-fround(nmax + fround(ONE_TENTH * step)) / max);
    // The sums depend on the quants alone: a trial that repeats the previous one's quants changes nothing.
    let changed = step === -9;
    for (let i = 0; i < Q6_SUB_BLOCK; i++) {
      const l = clamp(nearestInt(fround(iscale * x[at + i]!)), -nmax, nmax - 1);
      if (l !== symmetricCandidate[i]) {
        symmetricCandidate[i] = l;
        changed = true;
      }
    }
    if (!changed) continue;
    sumLX = 0;
    sumL2 = 0;
    for (let i = 0; i < Q6_SUB_BLOCK; i++) {
      const l = symmetricCandidate[i]!;
      sumLX = fround(sumLX + fround(cubes[i]! * l));
      sumL2 = fround(sumL2 + fround(fround(squares[i]! * l) * l));
    }
    if (sumL2 > 0 && fround(sumLX * sumLX) > fround(best * sumL2)) {
      for (let i = 0; i < Q6_SUB_BLOCK; i++) quants[quantAt + i] = symmetricCandidate[i]! + nmax;
      scale = fround(sumLX / sumL2);
      best = fround(scale * sumLX);
    }
  }
  return scale;
}
