import * as assert from "node:assert/strict";
import { checkFigureMessage, freeName, MAX_FIGURE_BYTES, safeFileName } from "../../../src/shared/figureFiles";

/** The 8-byte PNG signature (PNG spec §5.2) followed by some bytes. */
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]).toString("base64");
const msg = (fileName: string, base64: string) => ({ type: "saveFigure", requestId: 1, fileName, base64 });

describe("figures saved from outputs", () => {
  it("keeps a safe base name: no folders, no odd characters, a figure extension", () => {
    assert.equal(safeFileName("gates-lstm-layer0.png"), "gates-lstm-layer0.png");
    assert.equal(safeFileName("../../etc/passwd"), "passwd.png");
    assert.equal(safeFileName("..\\..\\x.svg"), "x.svg");
    assert.equal(safeFileName("a b<c>.PNG"), "a-b-c-.png");
    assert.equal(safeFileName(".hidden.png"), "hidden.png");
    assert.equal(safeFileName(""), "figure.png");
  });

  it("accepts PNG bytes and SVG text and returns the decoded bytes", () => {
    const png = checkFigureMessage(msg("gates.png", PNG));
    assert.equal(png.fileName, "gates.png");
    assert.deepEqual([...png.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
    const svg = checkFigureMessage(msg("plot.svg", Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'></svg>").toString("base64")));
    assert.equal(new TextDecoder().decode(svg.bytes).slice(0, 4), "<svg");
  });

  it("refuses what is not the figure it claims to be, or not a figure message at all", () => {
    assert.throws(() => checkFigureMessage(msg("x.png", Buffer.from("<svg></svg>").toString("base64"))), /not a PNG/);
    assert.throws(() => checkFigureMessage(msg("x.svg", Buffer.from("<script>alert(1)</script>").toString("base64"))), /not an SVG/);
    assert.throws(() => checkFigureMessage(msg("x.png", "%%%")), /not base64/);
    assert.throws(() => checkFigureMessage({ type: "other" }), /not a figure/);
    assert.throws(() => checkFigureMessage(null), /not a figure/);
    // One base64 character more than MAX_FIGURE_BYTES encodes (4 characters per 3 bytes) is refused before decoding.
    assert.throws(() => checkFigureMessage(msg("x.png", "A".repeat(Math.ceil(MAX_FIGURE_BYTES / 3) * 4 + 4))), /larger than/);
  });

  it("never reuses a taken name: gates.png, gates-1.png, gates-2.png", async () => {
    const taken = new Set(["gates.png", "gates-1.png"]);
    assert.equal(await freeName("gates.png", async (n) => taken.has(n)), "gates-2.png");
    assert.equal(await freeName("other.svg", async (n) => taken.has(n)), "other.svg");
  });
});
