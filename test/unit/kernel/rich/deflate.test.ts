// The portable zlib compressor (src/kernel/rich/deflate.ts) against Node's zlib, the reference
// inflater: every stream must inflate to its input exactly (RFC 1950/1951), including the zlib
// header and Adler-32 check that inflateSync verifies.
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { adler32, deflateFixed } from "../../../../src/kernel/rich/deflate";
import { Rng } from "../../../../src/engine/random";

describe("portable deflate (src/kernel/rich/deflate.ts)", () => {
  it("Adler-32 of the RFC 1950 example: 'Wikipedia' is 0x11E60398", () => {
    // The value from Wikipedia's Adler-32 article, and zlib.adler32(b"Wikipedia") in Python.
    assert.equal(adler32(new TextEncoder().encode("Wikipedia")), 0x11e60398);
  });

  const rng = new Rng(3);
  const cases: [string, Uint8Array][] = [
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.of(255)],
    ["every byte value (all literal code lengths)", Uint8Array.from({ length: 512 }, (_, i) => i % 256)],
    ["random bytes (no matches)", Uint8Array.from({ length: 70_000 }, () => Math.floor(rng.uniform() * 256))],
    ["long runs (matches of 258 and distance 1)", new Uint8Array(100_000).fill(7)],
    ["heatmap-like rows: blocks of RGBA pixels repeated beyond the 32 KiB window",
      Uint8Array.from({ length: 200 * (1 + 400 * 4) }, (_, i) => (i % 1601 === 0 ? 0 : Math.floor((i % 1601) / 40) * 13 % 256))],
  ];
  for (const [name, input] of cases) {
    it(`inflates back to its input: ${name}`, () => {
      const z = deflateFixed(input);
      assert.ok(inflateSync(z).equals(Buffer.from(input)));
    });
  }

  it("compresses a heatmap's repeated pixels (at least 10× on 40-pixel blocks of one colour)", () => {
    // 400 × 200 RGBA image of 10 × 5 cells, each cell one colour: what heatmapImage draws.
    const w = 400, h = 200;
    const raw = new Uint8Array(h * (1 + w * 4));
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const o = y * (1 + w * 4) + 1 + x * 4;
      const cell = Math.floor(x / 40) + 10 * Math.floor(y / 40);
      raw.set([cell * 5, 255 - cell * 5, cell * 2, 255], o);
    }
    const z = deflateFixed(raw);
    assert.ok(inflateSync(z).equals(Buffer.from(raw)));
    assert.ok(z.length * 10 < raw.length, `${z.length} bytes from ${raw.length}`);
  });
});
