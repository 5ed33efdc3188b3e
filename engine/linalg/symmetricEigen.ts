import { Matrix, type MatrixLike } from "./matrix.js";

export interface SymmetricEigen {
  /** Eigenvalues, descending. */
  values: Float64Array;
  /** Column i is the unit eigenvector of values[i]. */
  vectors: Matrix;
}

const MAX_SWEEPS = 100;

/**
 * Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations: each rotation zeroes
 * one off-diagonal pair; sweeps repeat until the off-diagonal mass is negligible. Only the upper
 * triangle's symmetric counterpart is assumed, so pass a symmetric matrix.
 */
export function symmetricEigen(a: MatrixLike): SymmetricEigen {
  const n = a.rows;
  if (a.cols !== n) throw new RangeError(`symmetricEigen needs a square matrix, got ${a.rows}x${a.cols}`);
  const m = Float64Array.from(a.data);
  const v = Matrix.identity(n).data;

  let total = 0;
  for (let i = 0; i < m.length; i++) total += m[i]! * m[i]!;
  const tolerance = total * Number.EPSILON * Number.EPSILON;

  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    if (off <= tolerance) break;

    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        // Rotation angle φ with cot 2φ = (a_qq − a_pp) / 2a_pq; t = tan φ, the smaller root.
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const kp = m[k * n + p]!;
          const kq = m[k * n + q]!;
          m[k * n + p] = c * kp - s * kq;
          m[k * n + q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const pk = m[p * n + k]!;
          const qk = m[q * n + k]!;
          m[p * n + k] = c * pk - s * qk;
          m[q * n + k] = s * pk + c * qk;
        }
        for (let k = 0; k < n; k++) {
          const kp = v[k * n + p]!;
          const kq = v[k * n + q]!;
          v[k * n + p] = c * kp - s * kq;
          v[k * n + q] = s * kp + c * kq;
        }
      }
    }
  }

  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => m[j * n + j]! - m[i * n + i]! || i - j);
  const values = Float64Array.from(order, (i) => m[i * n + i]!);
  const vectors = new Matrix(n, n);
  order.forEach((from, to) => {
    for (let k = 0; k < n; k++) vectors.data[k * n + to] = v[k * n + from]!;
  });
  return { values, vectors };
}
