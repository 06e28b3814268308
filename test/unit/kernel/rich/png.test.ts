// PNG encoder (src/kernel/rich/png.ts), checked against the PNG specification (W3C PNG 2nd ed.):
// signature bytes 137 80 78 71 13 10 26 10 (§5.2), chunk layout length/type/data/CRC (§5.3), IHDR fields
// (§11.2.2), scanlines with a filter-type byte (§7.3, §9), CRC-32 per Annex D. We decode our own output
// with node:zlib inflate and compare pixels.
import * as assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { crc32, encodePng, PixelImage, PNG_SIGNATURE } from "../../../../src/kernel/rich/png";

interface Chunk { type: string; data: Buffer; crc: number; crcOk: boolean }

function chunks(png: Uint8Array): Chunk[] {
  const b = Buffer.from(png);
  const out: Chunk[] = [];
  let o = 8;
  while (o < b.length) {
    const len = b.readUInt32BE(o);
    const type = b.toString("latin1", o + 4, o + 8);
    const data = b.subarray(o + 8, o + 8 + len);
    const crc = b.readUInt32BE(o + 8 + len);
    out.push({ type, data, crc, crcOk: crc === crc32(b, o + 4, o + 8 + len) });
    o += 12 + len;
  }
  return out;
}

describe("png: CRC-32", () => {
  it("matches the standard check value and the IEND chunk CRC", () => {
    // CRC-32/ISO-HDLC check value: crc32("123456789") = 0xCBF43926 (Rocksoft catalogue of CRCs)
    assert.equal(crc32(Buffer.from("123456789", "ascii")), 0xcbf43926);
    // Every PNG ends with 00 00 00 00 49 45 4E 44 AE 42 60 82: the CRC of "IEND" is 0xAE426082
    assert.equal(crc32(Buffer.from("IEND", "ascii")), 0xae426082);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });
});

describe("png: encoder", () => {
  it("writes signature, IHDR, IDAT, IEND with valid CRCs and decodes back to the same pixels", () => {
    const w = 3;
    const h = 2;
    // row 0: red, green, blue (opaque); row 1: transparent, grey 50% alpha, white
    const px = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 0, 0, 0, 0, 128, 128, 128, 128, 255, 255, 255, 255]);
    const png = encodePng(w, h, px);
    assert.deepEqual(Array.from(png.subarray(0, 8)), Array.from(PNG_SIGNATURE));
    assert.deepEqual(Array.from(PNG_SIGNATURE), [137, 80, 78, 71, 13, 10, 26, 10]);
    const cs = chunks(png);
    assert.deepEqual(cs.map((c) => c.type), ["IHDR", "IDAT", "IEND"]);
    assert.ok(cs.every((c) => c.crcOk), "every chunk CRC is right");
    const ihdr = cs[0].data;
    assert.equal(ihdr.length, 13);
    assert.equal(ihdr.readUInt32BE(0), w);
    assert.equal(ihdr.readUInt32BE(4), h);
    assert.deepEqual(Array.from(ihdr.subarray(8)), [8, 6, 0, 0, 0]); // depth 8, RGBA, deflate, filter 0, no interlace
    const raw = inflateSync(cs[1].data);
    assert.equal(raw.length, h * (1 + w * 4)); // one filter byte per scanline
    for (let y = 0; y < h; y++) {
      assert.equal(raw[y * (1 + w * 4)], 0, "filter type None");
      assert.deepEqual(Array.from(raw.subarray(y * (1 + w * 4) + 1, (y + 1) * (1 + w * 4))), Array.from(px.subarray(y * w * 4, (y + 1) * w * 4)));
    }
    assert.equal(cs[2].data.length, 0);
  });

  it("refuses wrong sizes", () => {
    assert.throws(() => encodePng(0, 1, new Uint8Array(0)));
    assert.throws(() => encodePng(2, 2, new Uint8Array(15)));
  });

  it("PixelImage draws clipped rectangles and serialises", () => {
    const img = new PixelImage(4, 4);
    img.fillRect(2, 2, 10, 10, [1, 2, 3]); // clipped to the 2×2 bottom-right corner
    const raw = inflateSync(chunks(img.toPng())[1].data);
    const at = (x: number, y: number) => Array.from(raw.subarray(y * 17 + 1 + x * 4, y * 17 + 1 + x * 4 + 4));
    assert.deepEqual(at(3, 3), [1, 2, 3, 255]);
    assert.deepEqual(at(1, 1), [0, 0, 0, 0]);
    assert.equal(Buffer.from(img.toBase64(), "base64").subarray(1, 4).toString("latin1"), "PNG");
  });
});

describe("png: heatmap fallback pixels", () => {
  it("colours cells by the map and checkers missing cells grey", async () => {
    const { heatmapPngBase64 } = await import("../../../../src/kernel/rich/heatmapImage");
    const { gateColorScale, MISSING, MISSING_ALT } = await import("../../../../src/shared/colormaps");
    // one 2 × 2 sigmoid panel: [0, 1; missing, 0.5] (rows along y, columns along x)
    const vals = [0, 1, null, 0.5];
    const png = Buffer.from(heatmapPngBase64([{ label: "f", rows: 2, cols: 2, at: (r, c) => vals[r * 2 + c], colorScale: gateColorScale("sigmoid") }]), "base64");
    const cs = chunks(png);
    const w = cs[0].data.readUInt32BE(0);
    const raw = inflateSync(Buffer.concat(cs.filter((c) => c.type === "IDAT").map((c) => c.data)));
    const px = (x: number, y: number) => Array.from(raw.subarray(y * (1 + w * 4) + 1 + x * 4, y * (1 + w * 4) + 1 + x * 4 + 3));
    // layout (heatmapImage.ts): 2 px margin, 14 px label row, cells of min(24, ⌊800/2⌋, ⌊300/2⌋) = 24 px
    const centre = (r: number, c: number): [number, number] => [2 + c * 24 + 12, 2 + 14 + r * 24 + 12];
    assert.deepEqual(px(...centre(0, 0)), [0x44, 0x01, 0x54]); // 0 → viridis start #440154
    assert.deepEqual(px(...centre(0, 1)), [0xfd, 0xe7, 0x25]); // 1 → viridis end #fde725
    const [mx, my] = centre(1, 0);
    assert.deepEqual([px(mx, my), px(mx + 1, my)].sort(), [Array.from(MISSING), Array.from(MISSING_ALT)].sort()); // checkerboard
  });

  it("is an opaque figure with a title, and a colour bar beside each panel", async () => {
    const { heatmapPngBase64 } = await import("../../../../src/kernel/rich/heatmapImage");
    const { gateColorScale } = await import("../../../../src/shared/colormaps");
    const png = Buffer.from(heatmapPngBase64([{ label: "f", rows: 2, cols: 2, at: () => 0.5, colorScale: gateColorScale("sigmoid") }], undefined, undefined, "LSTM GATES"), "base64");
    const cs = chunks(png);
    const w = cs[0].data.readUInt32BE(0);
    const h = cs[0].data.readUInt32BE(4);
    const raw = inflateSync(Buffer.concat(cs.filter((c) => c.type === "IDAT").map((c) => c.data)));
    const px = (x: number, y: number) => Array.from(raw.subarray(y * (1 + w * 4) + 1 + x * 4, y * (1 + w * 4) + 1 + x * 4 + 4));
    let transparent = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (px(x, y)[3] !== 255) transparent++;
    assert.equal(transparent, 0, "every pixel opaque");
    assert.deepEqual(px(0, 0), [255, 255, 255, 255], "white background");
    // layout (heatmapImage.ts): the title's 10 px glyph row at y = 2…11, in dark ink; the panel starts 18 px lower
    let ink = 0;
    for (let y = 2; y < 12; y++) for (let x = 0; x < w; x++) if (px(x, y)[0] === 51) ink++;
    assert.ok(ink > 20, `title ink pixels: ${ink}`);
    // colour bar 6 px right of the 2 cells of 24 px: top = domain max (viridis end #fde725), bottom = min (#440154)
    const top = 2 + 18 + 14;
    const bx = 2 + 2 * 24 + 6;
    assert.deepEqual(px(bx, top).slice(0, 3), [0xfd, 0xe7, 0x25]);
    assert.deepEqual(px(bx, top + 47).slice(0, 3), [0x44, 0x01, 0x54]);
  });
});
