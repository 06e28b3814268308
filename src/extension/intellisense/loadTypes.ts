/** The bundled declarations read from a build's dist/types (Node hosts: the worker thread, tests, the bench). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { typeFilesFromBundle, type TypeFiles, type TypingsBundle } from "./typeFiles";

/** Reads dist/types/typings.json from the extension's folder (or any folder holding a build). */
export function loadTypeFiles(distTypesDir: string): TypeFiles {
  const bundle = JSON.parse(readFileSync(join(distTypesDir, "typings.json"), "utf8")) as TypingsBundle;
  return typeFilesFromBundle(bundle);
}
