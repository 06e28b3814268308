/**
 * Base64 of bytes and back, the same in every host (Node's Buffer is not in VS Code's web worker
 * extension host): notebook files keep binary outputs (PNG) as base64 text.
 */

/** Standard base64 (RFC 4648 §4, with padding). */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  // Chunks keep String.fromCharCode's argument list short (a PNG can be megabytes).
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * The bytes of base64 text, as leniently as Node's Buffer reads it (notebooks written by other tools
 * open as before): the URL-safe alphabet is accepted, characters outside the alphabet are skipped, and
 * decoding stops at the first "=".
 */
export function base64ToBytes(text: string): Uint8Array {
  let clean = text.split("=", 1)[0].replace(/-/g, "+").replace(/_/g, "/").replace(/[^A-Za-z0-9+/]/g, "");
  // A lone last character carries fewer than 8 bits: Buffer drops it, atob would refuse the text.
  if (clean.length % 4 === 1) clean = clean.slice(0, -1);
  const binary = atob(clean);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
