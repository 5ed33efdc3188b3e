export { GgufFormatError } from "./errors.js";
export {
  GGML_MAX_DIMS,
  GGML_MAX_NAME,
  GGUF_DEFAULT_ALIGNMENT,
  GgmlType,
  GgufValueType,
  type GgufArrayValue,
  type GgufPlainValue,
  type GgufScalarType,
  type GgufScalarValue,
  type GgufTensorInfo,
  type GgufValue,
} from "./types.js";
export { gguf, plainValue } from "./values.js";
export {
  canDecode,
  canEncode,
  decodeTensor,
  decodeTensorInto,
  encodeTensor,
  ggmlTypeInfo,
  tensorByteSize,
  type GgmlTypeInfo,
} from "./codecs.js";
export { bfloat16ToFloat, floatToBfloat16, floatToHalf, halfToFloat } from "./halfFloat.js";
export { GgufFile, openGguf, type OpenGgufOptions } from "./reader.js";
export {
  GgufWriter,
  writeGguf,
  type GgufFileContents,
  type GgufTensorData,
  type GgufWriterOptions,
} from "./writer.js";
