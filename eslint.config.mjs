// ESLint for every part of Coop, each read with type information through its own tsconfig.
// Formatting is Prettier's job (eslint-config-prettier turns off the rules that would disagree).
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import globals from "globals";
import { builtinModules } from "node:module";
import tseslint from "typescript-eslint";

const tsconfigRootDir = import.meta.dirname;

/** Each part of the tree and the tsconfig that types it. */
const parts = [
  { files: ["engine/**/*.ts"], project: "engine/tsconfig.json" },
  { files: ["extension/**/*.ts"], project: "extension/tsconfig.json" },
  { files: ["webview/**/*.ts"], project: "webview/tsconfig.json" },
  { files: ["test/**/*.{ts,mts,mjs}"], project: "test/tsconfig.json" },
  { files: ["bench/**/*.ts"], project: "bench/tsconfig.json" },
  { files: ["tools/editor/**/*.ts"], project: "tools/editor/tsconfig.json" },
  {
    files: ["scripts/**/*.mjs", "esbuild.mjs", "bin/**/*.mjs", "eslint.config.mjs"],
    project: "scripts/tsconfig.json",
  },
];

const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "out/",
      "dist/",
      "bench-results/",
      "test-results/",
      ".fixtures/",
      "sample/",
      "engine/.boundary/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  ...parts.map(({ files, project }) => ({
    files,
    languageOptions: {
      parserOptions: { project, tsconfigRootDir },
      globals: files.some((glob) => glob.startsWith("webview/")) ? globals.browser : globals.node,
    },
  })),
  {
    rules: {
      // Promises: a rejection nobody handles is a crash or a silent loss.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // node:test's test() and describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["test", "it", "describe", "suite"] },
          ],
        },
      ],
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      // An abort signal's reason (typed any) and a caught error (unknown) are passed on as they are,
      // as AbortSignal.throwIfAborted() does; a new Error would lose what the caller aborted with.
      "@typescript-eslint/prefer-promise-reject-errors": [
        "error",
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      // Switches over unions name every case, so a new member cannot slip through.
      "@typescript-eslint/switch-exhaustiveness-check": [
        "error",
        { considerDefaultExhaustiveForUnions: true },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { prefer: "type-imports", fixStyle: "inline-type-imports" },
      ],
      "@typescript-eslint/no-unnecessary-condition": ["error", { allowConstantLoopConditions: true }],
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      eqeqeq: ["error", "always", { null: "ignore" }],
      "no-console": "off",
    },
  },
  {
    // The .mjs scripts are read with type information (promise and condition rules hold there too),
    // but plain JavaScript has no annotations to satisfy the no-unsafe-* family: every JSON.parse
    // and untyped module would need a JSDoc cast that only restates the code.
    files: ["**/*.mjs"],
    rules: {
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    // The engine never sees the editor (its tsconfig refuses the module too); the chat UI is a
    // browser page, with no Node built-ins.
    files: ["engine/**/*.ts", "webview/**/*.ts", "bench/**/*.ts", "scripts/**/*.mjs", "tools/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "vscode", message: "Only extension/ and test/editor/ may import vscode." }] },
      ],
    },
  },
  {
    files: ["webview/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "vscode", message: "The webview talks to the extension through extension/protocol." },
            ...nodeBuiltins.map((name) => ({
              name,
              message: "The webview runs in a browser: no Node built-ins.",
            })),
          ],
        },
      ],
    },
  },
  {
    files: ["test/**/*.{ts,mts,mjs}"],
    ignores: ["test/editor/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "vscode", message: "Only test/editor/ runs inside the editor." }] },
      ],
    },
  },
  prettier,
);
