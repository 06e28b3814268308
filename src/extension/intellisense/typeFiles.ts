/**
 * The declaration texts the notebook language service needs, from the bundle scripts/gen-dts.mjs
 * writes at build time (dist/types/typings.json): the generated engine .d.ts, the kernel's additions,
 * mathjs's types and TypeScript's ES2022 libs. Everything ships inside the extension, so IntelliSense
 * works offline with no node_modules and no tsconfig in the workspace. No vscode import.
 */
/** Shape of dist/types/typings.json. */
export interface TypingsBundle {
  version: 1;
  /** Module name of the engine entry inside rnn-engine.d.ts ("engine/index"). */
  engineModule: string;
  /** Declaration files by relative path ("rnn-engine.d.ts", "node_modules/mathjs/types/index.d.ts", …). */
  files: Record<string, string>;
  /** TypeScript lib files by name ("lib.es2022.d.ts", …). */
  libs: Record<string, string>;
}

/** Root of the virtual paths the declarations are served under. */
export const TYPES_DIR = "/rnn-types";
export const LIB_DIR = `${TYPES_DIR}/lib`;
export const ROOT_LIB = "lib.es2022.d.ts";

/** The bundle as virtual files: path → text, plus which of them are root files of every program. */
export interface TypeFiles {
  files: Map<string, string>;
  roots: string[];
}

export function typeFilesFromBundle(bundle: TypingsBundle): TypeFiles {
  const files = new Map<string, string>();
  for (const [rel, text] of Object.entries(bundle.files)) files.set(`${TYPES_DIR}/${rel}`, text);
  for (const [name, text] of Object.entries(bundle.libs)) files.set(`${LIB_DIR}/${name}`, text);
  // Roots: the engine, the kernel globals (which reach the engine as "engine/index") and mathjs,
  // whose `export as namespace math` declares the global `math`.
  const roots = ["rnn-engine.d.ts", "kernel-globals.d.ts", "node_modules/mathjs/types/index.d.ts"].map((r) => `${TYPES_DIR}/${r}`);
  return { files, roots };
}

/** Package imports inside the bundled declarations, resolved to their virtual files. */
export const BUNDLED_MODULES: Record<string, string> = {
  "mathjs": `${TYPES_DIR}/node_modules/mathjs/types/index.d.ts`,
  "decimal.js": `${TYPES_DIR}/node_modules/decimal.js/decimal.d.ts`,
  "fraction.js": `${TYPES_DIR}/node_modules/fraction.js/fraction.d.ts`,
};
