// Inspect a .vsix (a zip) without unzip: list its entries from the central directory, and check that
// it is small and platform-independent (no native .node binaries, no executables of one platform).
import { readFileSync, statSync } from "node:fs";

/** Entry names of a zip file (central directory; no zip64, which a < 20 MB vsix never needs). */
export function zipEntries(file) {
  const buf = readFileSync(file);
  // End of central directory record: signature 0x06054b50, within the last 64 KiB + 22 bytes
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`corrupt central directory in ${file}`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    entries.push({ name: buf.toString("utf8", p + 46, p + 46 + nameLen), size });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

const NATIVE = /\.(node|so|dylib|dll|exe)$|(^|\/)(esbuild|rg|ripgrep)(\.exe)?$|\/bin\/[^/]+$/i;
export const MAX_VSIX_BYTES = 20 * 1024 * 1024;

/** Check a .vsix; returns { bytes, entries, problems }. */
export function checkVsix(file) {
  const bytes = statSync(file).size;
  const entries = zipEntries(file);
  const problems = [];
  if (bytes >= MAX_VSIX_BYTES) problems.push(`${file} is ${(bytes / 1048576).toFixed(1)} MB, over 20 MB`);
  for (const e of entries) if (NATIVE.test(e.name)) problems.push(`platform-specific binary in the package: ${e.name}`);
  if (entries.some((e) => e.name.startsWith("extension/node_modules/"))) problems.push("node_modules is packaged (the extension is bundled into dist/)");
  return { bytes, entries, problems };
}
