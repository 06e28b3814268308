// The PNG fallback's pixel font (src/kernel/rich/font.ts): Hangul labels are drawn in Revised
// Romanization instead of blank cells. Expected romanizations from the Revised Romanization of Korean
// tables (initial ㄱ g, ㅎ h, ㅌ t, silent ㅇ; medial ㅔ e, ㅣ i, ㅡ eu, ㅏ a, ㅜ u, ㅓ eo; final ㄴ n, ㄱ k, ㅇ ng),
// applied jamo by jamo as the module documents (no sound-change rules).
import * as assert from "node:assert/strict";
import { drawText, romanizeHangul, textWidth } from "../../../../src/kernel/rich/font";
import { PixelImage } from "../../../../src/kernel/rich/png";

const ink = (img: PixelImage) => {
  let n = 0;
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i] > 0) n++;
  return n;
};

describe("pixel font: Hangul labels", () => {
  it("romanizes syllables jamo by jamo and leaves other text alone", () => {
    assert.equal(romanizeHangul("게이트"), "geiteu");
    assert.equal(romanizeHangul("한국어"), "hangukeo");
    assert.equal(romanizeHangul("강"), "gang");
    assert.equal(romanizeHangul("LSTM 게이트 i (t=3)"), "LSTM geiteu i (t=3)");
    assert.equal(romanizeHangul("ㄱ"), "ㄱ"); // a lone compatibility jamo is not a syllable
  });

  it("draws a Korean label with ink, as wide as its romanization", () => {
    const img = new PixelImage(120, 12);
    drawText(img, "게이트", 0, 0, [0, 0, 0]);
    assert.ok(ink(img) > 0, "a Hangul label leaves ink (it was blank before)");
    assert.equal(textWidth("게이트"), textWidth("geiteu"));
    const latin = new PixelImage(120, 12);
    drawText(latin, "geiteu", 0, 0, [0, 0, 0]);
    assert.deepEqual(img.data, latin.data);
  });
});

describe("pixel font: punctuation of titles and notes", () => {
  it("draws ·, —, –, ^, →, ←, ‖ and | with ink (they were blank cells)", () => {
    for (const ch of ["·", "—", "–", "^", "→", "←", "‖", "|"]) {
      const img = new PixelImage(12, 12);
      drawText(img, ch, 0, 0, [0, 0, 0]);
      assert.ok(ink(img) > 0, `${ch} leaves ink`);
    }
  });
});
