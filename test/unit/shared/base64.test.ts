import * as assert from "node:assert/strict";
import { base64ToBytes, bytesToBase64 } from "../../../src/shared/base64";

// The reference is Node's Buffer, which the extension used before it also ran in the web host: notebooks
// written then must read the same now.
describe("base64 without Buffer", () => {
  // A fixed-seed LCG (Numerical Recipes constants), so a failure reproduces.
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed % n;
  };

  it("writes what Buffer writes and reads it back, for 0 to 200 random bytes", () => {
    for (let len = 0; len <= 200; len++) {
      const bytes = Uint8Array.from({ length: len }, () => rand(256));
      const text = bytesToBase64(bytes);
      assert.equal(text, Buffer.from(bytes).toString("base64"), `length ${len}`);
      assert.deepEqual(base64ToBytes(text), new Uint8Array(bytes), `length ${len}`);
    }
  });

  it("writes a 1 MB array (longer than one String.fromCharCode call takes)", () => {
    const bytes = Uint8Array.from({ length: 1 << 20 }, (_, i) => (i * 7) & 255);
    assert.equal(bytesToBase64(bytes), Buffer.from(bytes).toString("base64"));
  });

  it("reads malformed text as leniently as Buffer: 2,000 random strings", () => {
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: rand(40) }, () => String.fromCharCode(32 + rand(95))).join("");
      assert.deepEqual(base64ToBytes(text), new Uint8Array(Buffer.from(text, "base64")), JSON.stringify(text));
    }
  });

  it("reads the URL-safe alphabet and line breaks as Buffer does", () => {
    for (const text of ["-_-_", "SGVs\nbG8=", "SGVsbG8", "SGVsbG8=trailing", "a"]) {
      assert.deepEqual(base64ToBytes(text), new Uint8Array(Buffer.from(text, "base64")), JSON.stringify(text));
    }
  });
});
