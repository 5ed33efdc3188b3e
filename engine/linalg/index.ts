export { Matrix, multiply, transposeMultiply, frobeniusNormSquared, type MatrixLike } from "./matrix.js";
export { thinQr, type ThinQr } from "./qr.js";
export { symmetricEigen, type SymmetricEigen } from "./symmetricEigen.js";
export { truncatedSvd, type TruncatedSvd, type TruncatedSvdOptions } from "./truncatedSvd.js";
export { createRandom, type Random } from "./random.js";
