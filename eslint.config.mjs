// ESLint flat config. Besides the usual TypeScript checks it enforces the import rules of the
// architecture (README "Architecture"): the engine is pure, the renderer is a browser bundle,
// the kernel never sees `vscode`, unit tests never import `vscode`.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importPlugin from "eslint-plugin-import";
import globals from "globals";
import { builtinModules } from "node:module";

const nodeBuiltins = builtinModules.flatMap((m) => [m, `${m}/*`]).concat(["node:*"]);
// The kernel client modules the web extension uses (the rest of src/client is Node's).
const WEB_CLIENT = ["src/client/kernelClientBase.ts", "src/client/workerKernel.ts", "src/client/emitter.ts"];
// Layering, as vscode-jupyter does it: only the listed folders may be imported into a zone.
const layeringZones = [
  { target: "./src/engine", from: "./src", except: ["./engine", "./shared"],
    message: "src/engine imports only src/engine and src/shared (DESIGN §2)." },
  { target: "./src/shared", from: "./src", except: ["./shared"],
    message: "src/shared imports only src/shared." },
  { target: "./src/renderer", from: "./src", except: ["./renderer", "./shared"],
    message: "src/renderer imports only src/renderer and src/shared." },
  { target: "./src/kernel", from: "./src/extension", message: "the kernel process never imports extension code." },
  { target: "./src/kernel", from: "./src/client", message: "the kernel process never imports its parent, the kernel client." },
  // The runner writes its --out file with the kernel's atomic write, and a detached kernel's client speaks its
  // socket's framing: the two kernel modules the client may use.
  { target: "./src/client", from: "./src", except: ["./client", "./shared", "./kernel/files.ts", "./kernel/channel.ts"],
    message: "src/client (the kernel's parent) imports only src/client and src/shared: never vscode, never kernel internals." },
];
// The kernel's Node-only modules: the kernel process's entry and what only it uses (gemmThread.ts: its second
// GEMM thread, a worker_threads Worker; the browser kernel gives none). Everything else in
// src/kernel is shared with the browser Worker kernel (src/kernel/web) and must run there too.
const nodeOnlyKernel = ["main.ts", "nodePlatform.ts", "loader.ts", "files.ts", "detached.ts", "channel.ts", "gemmThread.ts"].map((f) => `src/kernel/${f}`);
const domGlobals = ["window", "document", "navigator", "HTMLElement", "HTMLCanvasElement", "localStorage", "fetch", "Worker", "Blob"];

export default tseslint.config(
  { ignores: ["dist/**", "out/**", "node_modules/**", "test/fixtures/**", ".vscode-test/**", "media/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { import: importPlugin },
    settings: { "import/resolver": { node: { extensions: [".ts", ".mjs", ".js"] } } },
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      // Layering, as vscode-jupyter does it: only the listed folders may be imported into a zone.
      "import/no-restricted-paths": ["error", { zones: layeringZones }],
    },
  },
  {
    // No import cycles in src/: two modules that import each other have no order to be read (or
    // loaded) in. Type-only imports do not count: they vanish from the emitted code.
    // (The import plugin reads a dependency only if its extension is listed and it has a parser.)
    files: ["src/**/*.ts"],
    settings: { "import/extensions": [".ts"], "import/parsers": { "@typescript-eslint/parser": [".ts"] } },
    rules: { "import/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["src/engine/**/*.ts", "src/shared/**/*.ts"],
    languageOptions: { globals: { ...globals.es2022 } },
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: nodeBuiltins, message: "The engine and shared code run anywhere: no Node built-ins (DESIGN §2)." },
          { group: ["vscode"], message: "The engine and shared code never import vscode." },
          { regex: "^[^.]", message: "The engine and shared code import only relative modules inside src/engine and src/shared." },
        ],
      }],
      "no-restricted-globals": ["error", ...domGlobals.concat(["process", "require", "Buffer", "__dirname", "global"]).map((name) => ({
        name, message: "The engine runs anywhere: no DOM or Node globals." }))],
    },
  },
  {
    files: ["src/renderer/**/*.ts"],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: nodeBuiltins, message: "The renderer runs in a webview: no Node built-ins." },
          { group: ["vscode"], message: "The renderer never imports vscode (only vscode-notebook-renderer types)." },
        ],
      }],
    },
  },
  {
    // The portable kernel (the browser Worker's too): no Node built-ins, Node globals, or Node-only kernel modules.
    files: ["src/kernel/**/*.ts"],
    ignores: nodeOnlyKernel,
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "vscode", message: "The kernel process never imports vscode (DESIGN §2)." }],
        patterns: [{ group: nodeBuiltins, message: "This kernel module also runs in the browser Worker kernel: no Node built-ins (put Node's side behind a seam: platform.ts, SandboxOptions)." }],
      }],
      "no-restricted-globals": ["error", ...["process", "Buffer", "__dirname", "__filename", "setImmediate", "global"].map((name) => ({
        name, message: "This kernel module also runs in the browser Worker kernel: no Node globals." }))],
      "import/no-restricted-paths": ["error", { zones: [...layeringZones, {
        target: "./src/kernel", from: nodeOnlyKernel.map((f) => `./${f}`),
        message: "Only the Node kernel's entry imports the Node-only kernel modules; the rest of src/kernel also runs in the browser." }] }],
    },
  },
  {
    files: nodeOnlyKernel,
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "The kernel process never imports vscode (DESIGN §2)." }] }],
    },
  },
  {
    files: ["src/client/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "The kernel client runs in plain Node (the runner, the tests): never vscode." }] }],
    },
  },
  {
    // The web extension (package.json "browser") runs this code in VS Code's web worker extension host, where
    // there is no Node: the shared wiring and the web platform's modules use no Node built-in and no Node global.
    // The Node-only modules are the desktop entry and platform (src/extension/node) and the worker-thread side of
    // IntelliSense. (Building dist/web/extension.js for the browser checks the same from the other side.)
    files: ["src/extension/**/*.ts", ...WEB_CLIENT],
    ignores: ["src/extension/node/**", "src/extension/extension.ts", "src/extension/intellisense/worker.ts",
      "src/extension/intellisense/nodeWorkerPort.ts", "src/extension/intellisense/loadTypes.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [{ group: nodeBuiltins, message: "Web extension code (package.json \"browser\"): no Node built-ins — put Node-only code in src/extension/node." }],
      }],
      "no-restricted-globals": ["error", ...["process", "require", "Buffer", "__dirname", "__filename", "global", "setImmediate"].map((name) => ({
        name, message: "Web extension code (package.json \"browser\"): no Node globals." }))],
    },
  },
  {
    // The web host's kernel client: neither vscode (a kernel client never imports it) nor Node.
    files: WEB_CLIENT,
    rules: {
      "no-restricted-imports": ["error", {
        patterns: [
          { group: nodeBuiltins, message: "The web host's kernel client: no Node built-ins." },
          { group: ["vscode"], message: "The kernel client never imports vscode." },
        ],
      }],
    },
  },
  {
    files: ["test/unit/**/*.ts"],
    languageOptions: { globals: { ...globals.mocha } },
    rules: {
      "no-restricted-imports": ["error", { paths: [{ name: "vscode", message: "Unit tests run in plain Node: no vscode (use test/integration)." }] }],
    },
  },
  {
    files: ["test/integration/**/*.ts", "test/e2e/**/*.ts"],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
