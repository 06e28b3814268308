/**
 * `import` in a cell of the browser Worker kernel: there is no node_modules, no Node built-in and no
 * synchronous access to the notebook's files, so every import fails — with a message that says what
 * does not work in the browser and what to do instead, rather than a bare "module not found".
 */
import type { CellImporter } from "../sandbox";

export const browserImporter: CellImporter = {
  async import(specifier: unknown): Promise<unknown> {
    if (typeof specifier !== "string") throw new TypeError(`import: the module specifier must be a string (got ${typeof specifier})`);
    const what = /^\.{0,2}\/|^[A-Za-z]:[\\/]|^file:/.test(specifier) ? `the file "${specifier}"`
      : specifier.startsWith("node:") ? `the Node built-in "${specifier}"`
      : `the package "${specifier}"`;
    throw new Error(`Cannot import ${what} in the browser: importing packages, Node built-ins and helper files needs the desktop VS Code (Node). ` +
      "In the browser only the globals rnn and math are available (paste a helper's code into a cell instead).");
  },
};
