import { Matrix, type MatrixLike } from "./matrix.js";

export interface ThinQr {
  /** rows x cols, orthonormal columns. */
  q: Matrix;
  /** cols x cols, upper triangular with a non-negative diagonal. */
  r: Matrix;
}

/**
 * Thin QR of a tall matrix (rows >= cols) by Householder reflections. Unlike Gram-Schmidt, q stays
 * orthonormal to rounding even when columns are (nearly) dependent, which randomized range finding
 * on low-rank matrices produces all the time.
 */
export function thinQr(a: MatrixLike): ThinQr {
  const m = a.rows;
  const n = a.cols;
  if (m < n) throw new RangeError(`thin QR needs rows >= cols, got ${m}x${n}`);

  // Work on columns as contiguous arrays; the reflectors act on columns.
  const columns = Array.from({ length: n }, (_, c) => {
    const column = new Float64Array(m);
    for (let r = 0; r < m; r++) column[r] = a.data[r * n + c]!;
    return column;
  });
  const reflectors: Float64Array[] = [];
  const betas = new Float64Array(n);

  for (let j = 0; j < n; j++) {
    const x = columns[j]!;
    let tailNormSquared = 0;
    for (let i = j + 1; i < m; i++) tailNormSquared += x[i]! * x[i]!;
    const norm = Math.hypot(x[j]!, Math.sqrt(tailNormSquared));
    const v = new Float64Array(m);
    reflectors.push(v);
    if (norm === 0) continue; // a zero column: no reflection, beta stays 0

    // Reflect x onto -sign(x_j)·|x|·e_j, the choice that avoids cancellation in v_j.
    const alpha = x[j]! >= 0 ? -norm : norm;
    v[j] = x[j]! - alpha;
    for (let i = j + 1; i < m; i++) v[i] = x[i]!;
    const beta = 2 / (v[j]! * v[j]! + tailNormSquared);
    betas[j] = beta;
    for (let c = j; c < n; c++) reflect(columns[c]!, v, beta, j);
  }

  const r = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let c = i; c < n; c++) r.data[i * n + c] = columns[c]![i]!;
  }

  // q = H_0 · H_1 ⋯ H_{n-1} applied to the first n unit vectors.
  const q = new Matrix(m, n);
  for (let c = 0; c < n; c++) {
    const e = new Float64Array(m);
    e[c] = 1;
    for (let h = Math.min(c, n - 1); h >= 0; h--) {
      if (betas[h] !== 0) reflect(e, reflectors[h]!, betas[h]!, h);
    }
    const sign = r.data[c * n + c]! < 0 ? -1 : 1;
    for (let row = 0; row < m; row++) q.data[row * n + c] = sign * e[row]!;
    if (sign < 0) for (let k = c; k < n; k++) r.data[c * n + k] = -r.data[c * n + k]!;
  }
  return { q, r };
}

/** x ← (I − beta·v·vᵀ)·x, where v is zero above index `from`. */
function reflect(x: Float64Array, v: Float64Array, beta: number, from: number): void {
  let dot = 0;
  for (let i = from; i < x.length; i++) dot += v[i]! * x[i]!;
  const scale = beta * dot;
  if (scale === 0) return;
  for (let i = from; i < x.length; i++) x[i]! -= scale * v[i]!;
}
