import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createRandom,
  Matrix,
  multiply,
  symmetricEigen,
  thinQr,
  transposeMultiply,
  truncatedSvd,
  type MatrixLike,
} from "../../engine/linalg/index.js";

function randomMatrix(rows: number, cols: number, seed: number): Matrix {
  const random = createRandom(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = random.normal();
  return m;
}

function maxAbsDifference(a: MatrixLike, b: MatrixLike): number {
  assert.equal(a.data.length, b.data.length);
  let max = 0;
  for (let i = 0; i < a.data.length; i++) max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
  return max;
}

/** Largest deviation of mᵀ·m from the identity. */
function columnOrthonormalityError(m: MatrixLike): number {
  return maxAbsDifference(transposeMultiply(m, m), Matrix.identity(m.cols));
}

function reconstruct(u: Matrix, s: Float64Array, vt: Matrix): Matrix {
  const scaled = new Matrix(u.rows, u.cols);
  for (let r = 0; r < u.rows; r++) for (let c = 0; c < u.cols; c++) scaled.set(r, c, u.get(r, c) * s[c]!);
  return multiply(scaled, vt);
}

test("random numbers are deterministic, uniform in [0, 1) and normal with unit variance", () => {
  const a = createRandom(7);
  const b = createRandom(7);
  const values = Array.from({ length: 20_000 }, () => a.next());
  assert.deepEqual(
    values,
    Array.from({ length: 20_000 }, () => b.next()),
  );
  assert.ok(values.every((v) => v >= 0 && v < 1));
  assert.ok(Math.abs(values.reduce((s, v) => s + v, 0) / values.length - 0.5) < 0.01);
  assert.notDeepEqual(createRandom(8).next(), createRandom(7).next());
  const normals = Array.from({ length: 20_000 }, () => a.normal());
  const mean = normals.reduce((s, v) => s + v, 0) / normals.length;
  const variance = normals.reduce((s, v) => s + (v - mean) ** 2, 0) / normals.length;
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05, `mean ${mean}, variance ${variance}`);
});

test("matrix products and Float32 conversion", () => {
  const a = new Matrix(2, 3, Float64Array.of(1, 2, 3, 4, 5, 6));
  const b = new Matrix(3, 2, Float64Array.of(7, 8, 9, 10, 11, 12));
  assert.deepEqual([...multiply(a, b).data], [58, 64, 139, 154]);
  assert.deepEqual([...transposeMultiply(a, a).data], [...multiply(a.transpose(), a).data]);
  const f = Matrix.fromFloat32(2, 3, Float32Array.of(1, 2, 3, 4, 5, 6));
  assert.deepEqual(f.toFloat32(), Float32Array.of(1, 2, 3, 4, 5, 6));
  assert.throws(() => multiply(a, a));
});

test("thin QR reproduces the matrix with orthonormal q, even when rank deficient", () => {
  const full = randomMatrix(50, 8, 1);
  const { q, r } = thinQr(full);
  assert.ok(maxAbsDifference(multiply(q, r), full) < 1e-12);
  assert.ok(columnOrthonormalityError(q) < 1e-12);
  for (let i = 0; i < 8; i++) {
    assert.ok(r.get(i, i) >= 0);
    for (let j = 0; j < i; j++) assert.equal(r.get(i, j), 0);
  }
  const deficient = multiply(randomMatrix(50, 2, 2), randomMatrix(2, 6, 3));
  for (let row = 0; row < 50; row++) deficient.set(row, 5, 0);
  const split = thinQr(deficient);
  assert.ok(maxAbsDifference(multiply(split.q, split.r), deficient) < 1e-12);
  assert.ok(columnOrthonormalityError(split.q) < 1e-12);
});

test("symmetric eigen-decomposition diagonalises", () => {
  const x = randomMatrix(12, 12, 4);
  const sym = multiply(x, x.transpose());
  const { values, vectors } = symmetricEigen(sym);
  assert.ok(columnOrthonormalityError(vectors) < 1e-12);
  for (let i = 1; i < 12; i++) assert.ok(values[i - 1]! >= values[i]!);
  const diagonal = new Matrix(12, 12);
  values.forEach((v, i) => diagonal.set(i, i, v));
  const rebuilt = multiply(multiply(vectors, diagonal), vectors.transpose());
  assert.ok(maxAbsDifference(rebuilt, sym) < 1e-10);
});

test("truncated SVD recovers a rank-3 300x200 matrix exactly", () => {
  const a = multiply(randomMatrix(300, 3, 5), randomMatrix(3, 200, 6));
  const { u, s, vt, energyKept } = truncatedSvd(a, 3, { seed: 1 });
  assert.equal(s.length, 3);
  assert.ok(maxAbsDifference(reconstruct(u, s, vt), a) < 1e-9);
  assert.ok(Math.abs(energyKept - 1) < 1e-12);
});

test("truncated SVD finds the singular values of U·diag(σ)·Vᵀ", () => {
  const rows = 120;
  const cols = 80;
  const sigma = Array.from({ length: cols }, (_, i) => 100 * 0.7 ** i);
  const u = thinQr(randomMatrix(rows, cols, 7)).q;
  const v = thinQr(randomMatrix(cols, cols, 8)).q;
  const a = reconstruct(u, Float64Array.from(sigma), v.transpose());
  const svd = truncatedSvd(a, 10, { seed: 2 });
  for (let i = 0; i < 10; i++)
    assert.ok(Math.abs(svd.s[i]! - sigma[i]!) < 1e-8 * sigma[0]!, `σ${i}: ${svd.s[i]} vs ${sigma[i]}`);
  const energy = sigma.slice(0, 10).reduce((t, x) => t + x * x, 0) / sigma.reduce((t, x) => t + x * x, 0);
  assert.ok(Math.abs(svd.energyKept - energy) < 1e-10);
});

test("truncated SVD keeps all energy at full rank and has orthonormal factors", () => {
  const a = randomMatrix(40, 25, 9);
  const full = truncatedSvd(a, 25, { seed: 3 });
  assert.ok(Math.abs(full.energyKept - 1) < 1e-12);
  assert.ok(maxAbsDifference(reconstruct(full.u, full.s, full.vt), a) < 1e-10);

  const wide = { rows: 30, cols: 70, data: randomMatrix(30, 70, 10).toFloat32() };
  const part = truncatedSvd(wide, 12, { seed: 4 });
  assert.ok(columnOrthonormalityError(part.u) < 1e-12);
  assert.ok(columnOrthonormalityError(part.vt.transpose()) < 1e-12);
  for (let i = 1; i < part.s.length; i++) assert.ok(part.s[i - 1]! >= part.s[i]!);
  assert.ok(part.energyKept > 0 && part.energyKept < 1);

  // Asking for more than the rank still gives orthonormal factors, with zeros for the extra values.
  const low = multiply(randomMatrix(60, 2, 11), randomMatrix(2, 40, 12));
  const extra = truncatedSvd(low, 5, { seed: 5 });
  assert.ok(columnOrthonormalityError(extra.u) < 1e-12);
  assert.ok(columnOrthonormalityError(extra.vt.transpose()) < 1e-12);
  assert.ok(extra.s[2]! < 1e-10 * extra.s[0]!);
});

test("truncated SVD is deterministic for a seed", () => {
  const a = { rows: 64, cols: 48, data: randomMatrix(64, 48, 13).toFloat32() };
  const first = truncatedSvd(a, 6, { seed: 99 });
  const second = truncatedSvd(a, 6, { seed: 99 });
  assert.deepEqual(first.s, second.s);
  assert.deepEqual(first.u.data, second.u.data);
  assert.deepEqual(first.vt.data, second.vt.data);
});

test("rank 16 of a 1024x1024 matrix takes well under 2 s", () => {
  const a = { rows: 1024, cols: 1024, data: randomMatrix(1024, 1024, 14).toFloat32() };
  const started = performance.now();
  const svd = truncatedSvd(a, 16, { seed: 1 });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(svd.s.length, 16);
  assert.ok(seconds < 2, `took ${seconds.toFixed(2)} s`);
});
