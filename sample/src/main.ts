import { demoReceipt } from "./index.js";

console.log(demoReceipt());
