export { defaultCacheDir as coopCacheDir } from "../../engine/paths.js";
