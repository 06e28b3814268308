/** A fresh Content-Security-Policy nonce for a webview page: 16 random bytes, base64 (Web Crypto: both extension hosts have it). */
export function cspNonce(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}
