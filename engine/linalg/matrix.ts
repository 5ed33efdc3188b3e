/** Any row-major dense matrix: entry (r, c) is data[r * cols + c]. */
export interface MatrixLike {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float32Array | Float64Array;
}

/** A row-major matrix of doubles. */
export class Matrix implements MatrixLike {
  readonly data: Float64Array;

  constructor(
    readonly rows: number,
    readonly cols: number,
    data?: Float64Array,
  ) {
    if (data !== undefined && data.length !== rows * cols) {
      throw new RangeError(`${rows}x${cols} matrix needs ${rows * cols} values, got ${data.length}`);
    }
    this.data = data ?? new Float64Array(rows * cols);
  }

  /** A double-precision copy of any row-major matrix. */
  static from(source: MatrixLike): Matrix {
    return new Matrix(source.rows, source.cols, Float64Array.from(source.data));
  }

  static fromFloat32(rows: number, cols: number, data: Float32Array): Matrix {
    return Matrix.from({ rows, cols, data });
  }

  static identity(size: number): Matrix {
    const m = new Matrix(size, size);
    for (let i = 0; i < size; i++) m.data[i * size + i] = 1;
    return m;
  }

  get(row: number, col: number): number {
    return this.data[row * this.cols + col]!;
  }

  set(row: number, col: number, value: number): void {
    this.data[row * this.cols + col] = value;
  }

  toFloat32(): Float32Array {
    return Float32Array.from(this.data);
  }

  transpose(): Matrix {
    const t = new Matrix(this.cols, this.rows);
    for (let r = 0; r < this.rows; r++) {
      for (let c = 0; c < this.cols; c++) t.data[c * this.rows + r] = this.data[r * this.cols + c]!;
    }
    return t;
  }
}

/** a · b */
export function multiply(a: MatrixLike, b: MatrixLike): Matrix {
  if (a.cols !== b.rows) throw new RangeError(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const out = new Matrix(a.rows, b.cols);
  const n = b.cols;
  for (let i = 0; i < a.rows; i++) {
    const outRow = i * n;
    for (let k = 0; k < a.cols; k++) {
      const aik = a.data[i * a.cols + k]!;
      if (aik === 0) continue;
      const bRow = k * n;
      for (let j = 0; j < n; j++) out.data[outRow + j]! += aik * b.data[bRow + j]!;
    }
  }
  return out;
}

/** aᵀ · b, without forming aᵀ. */
export function transposeMultiply(a: MatrixLike, b: MatrixLike): Matrix {
  if (a.rows !== b.rows)
    throw new RangeError(`cannot multiply (${a.rows}x${a.cols})ᵀ by ${b.rows}x${b.cols}`);
  const out = new Matrix(a.cols, b.cols);
  const n = b.cols;
  for (let r = 0; r < a.rows; r++) {
    const bRow = r * n;
    for (let i = 0; i < a.cols; i++) {
      const ari = a.data[r * a.cols + i]!;
      if (ari === 0) continue;
      const outRow = i * n;
      for (let j = 0; j < n; j++) out.data[outRow + j]! += ari * b.data[bRow + j]!;
    }
  }
  return out;
}

export function frobeniusNormSquared(a: MatrixLike): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += a.data[i]! * a.data[i]!;
  return sum;
}
