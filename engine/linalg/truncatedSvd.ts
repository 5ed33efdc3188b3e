import { Matrix, frobeniusNormSquared, multiply, transposeMultiply, type MatrixLike } from "./matrix.js";
import { thinQr } from "./qr.js";
import { createRandom } from "./random.js";
import { symmetricEigen } from "./symmetricEigen.js";

export interface TruncatedSvdOptions {
  seed: number;
  /** Extra random directions beyond the rank, for a better range estimate. Default 8. */
  oversample?: number;
  /** Subspace iterations; each sharpens the separation of the top singular values. Default 2. */
  powerIterations?: number;
}

export interface TruncatedSvd {
  /** rows x k, orthonormal columns. */
  u: Matrix;
  /** k singular values, descending. */
  s: Float64Array;
  /** k x cols, orthonormal rows. */
  vt: Matrix;
  /** sum(s²) / ||A||_F²: the share of the matrix's energy the rank-k factors keep (1 for a zero matrix). */
  energyKept: number;
}

/**
 * Rank-k SVD A ≈ u·diag(s)·vt by randomized range finding (Halko, Martinsson & Tropp 2011): find an
 * orthonormal basis Q of A's dominant column space from A·Ω with Gaussian Ω, sharpen it with
 * subspace iterations, then decompose the small B = Qᵀ·A exactly. k is min(rank, rows, cols).
 */
export function truncatedSvd(a: MatrixLike, rank: number, options: TruncatedSvdOptions): TruncatedSvd {
  const { seed, oversample = 8, powerIterations = 2 } = options;
  if (a.data.length !== a.rows * a.cols)
    throw new RangeError(`${a.rows}x${a.cols} matrix with ${a.data.length} values`);
  if (!(rank >= 1)) throw new RangeError(`rank must be at least 1, got ${rank}`);
  const k = Math.min(Math.floor(rank), a.rows, a.cols);
  const width = Math.min(k + Math.max(0, oversample), a.rows, a.cols);

  const random = createRandom(seed);
  const omega = new Matrix(a.cols, width);
  for (let i = 0; i < omega.data.length; i++) omega.data[i] = random.normal();

  // Re-orthonormalising between every product keeps the small singular directions from drowning
  // in rounding as powers of A·Aᵀ spread the spectrum.
  let q = thinQr(multiply(a, omega)).q;
  for (let i = 0; i < powerIterations; i++) {
    const z = thinQr(transposeMultiply(a, q)).q;
    q = thinQr(multiply(a, z)).q;
  }

  const b = transposeMultiply(q, a); // width x cols
  const gram = multiply(b, b.transpose()); // width x width
  const { vectors: w } = symmetricEigen(gram);

  // Rows of wᵀ·b are the right singular directions scaled by the singular values. A QR of their
  // transpose normalises them and stays orthonormal where singular values vanish.
  const wTop = takeColumns(w, k); // width x k
  const scaledV = transposeMultiply(b, wTop); // cols x k
  const { q: v, r } = thinQr(scaledV);
  const uAll = multiply(q, wTop); // rows x k

  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => r.get(j, j) - r.get(i, i) || i - j);
  const s = Float64Array.from(order, (i) => r.get(i, i));
  const u = new Matrix(a.rows, k);
  const vt = new Matrix(k, a.cols);
  order.forEach((from, to) => {
    for (let row = 0; row < a.rows; row++) u.data[row * k + to] = uAll.data[row * k + from]!;
    for (let col = 0; col < a.cols; col++) vt.data[to * a.cols + col] = v.data[col * k + from]!;
  });

  const total = frobeniusNormSquared(a);
  const kept = s.reduce((sum, value) => sum + value * value, 0);
  return { u, s, vt, energyKept: total === 0 ? 1 : Math.min(1, kept / total) };
}

function takeColumns(m: Matrix, count: number): Matrix {
  const out = new Matrix(m.rows, count);
  for (let r = 0; r < m.rows; r++) {
    for (let c = 0; c < count; c++) out.data[r * count + c] = m.data[r * m.cols + c]!;
  }
  return out;
}
