/** base64 of bytes with btoa, which Node 16+, browsers and workers all have (Buffer is Node's alone). */
export function bytesToBase64(bytes: Uint8Array): string {
  let bin = "";
  // In slices: String.fromCharCode takes its characters as arguments, and arguments are limited.
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}
