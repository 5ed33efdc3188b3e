export { completeChecked } from "./checkedCompletion.js";
export type { CheckOptions, CheckedCompletion } from "./checkedCompletion.js";
