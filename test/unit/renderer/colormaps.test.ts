// Colour maps (src/shared/colormaps.ts). Endpoints are the anchor colours defined there (viridis's
// published ends #440154 and #fde725, matplotlib 2.0); luminance is WCAG 2's relative luminance.
import * as assert from "node:assert/strict";
import {
  dataColorScale, diverging, divergingDark, gateColorScale, lut, relativeLuminance, sample, scaleT, sequential, toHex,
} from "../../../src/shared/colormaps";

const STEPS = 64; // sampling density for the monotonicity checks

function luminances(map: typeof sequential, from: number, to: number): number[] {
  return Array.from({ length: STEPS + 1 }, (_, k) => relativeLuminance(sample(map, from + ((to - from) * k) / STEPS)));
}

describe("colormaps", () => {
  it("sequential map has viridis's endpoints", () => {
    assert.equal(toHex(sample(sequential, 0)), "#440154");
    assert.equal(toHex(sample(sequential, 1)), "#fde725");
    assert.equal(toHex(sample(sequential, -3)), "#440154"); // clamped
  });

  it("sequential luminance rises monotonically (perceptual ordering)", () => {
    const l = luminances(sequential, 0, 1);
    for (let i = 1; i < l.length; i++) assert.ok(l[i] > l[i - 1], `luminance falls at t=${i / STEPS}`);
  });

  it("diverging (light) is lightest at 0 and darkens monotonically towards both ends", () => {
    const right = luminances(diverging, 0.5, 1);
    const left = luminances(diverging, 0.5, 0);
    for (const side of [left, right]) for (let i = 1; i < side.length; i++) assert.ok(side[i] < side[i - 1]);
    assert.ok(relativeLuminance(sample(diverging, 0.5)) > 0.85); // near-white centre (#f6f4f0 ≈ 0.90)
  });

  it("diverging (dark themes) is darkest at 0 and brightens towards both ends", () => {
    const right = luminances(divergingDark, 0.5, 1);
    const left = luminances(divergingDark, 0.5, 0);
    for (const side of [left, right]) for (let i = 1; i < side.length; i++) assert.ok(side[i] > side[i - 1]);
  });

  it("diverging ends are blue (−) and orange (+), not red/green", () => {
    const [r0, , b0] = sample(diverging, 0);
    const [r1, g1, b1] = sample(diverging, 1);
    assert.ok(b0 > r0, "negative end is blue");
    assert.ok(r1 > g1 && g1 > b1, "positive end is orange/brown");
  });

  it("the lookup table matches sample()", () => {
    const t = lut(sequential, 256);
    assert.equal(t.length, 768);
    assert.deepEqual(Array.from(t.subarray(765, 768)), sample(sequential, 1));
  });

  it("gate scales: sigmoid 0..1 sequential, tanh −1..1 diverging", () => {
    assert.deepEqual(gateColorScale("sigmoid").domain, [0, 1]);
    assert.deepEqual(gateColorScale("tanh").domain, [-1, 1]);
    assert.equal(gateColorScale("tanh", true).map, divergingDark);
    assert.equal(scaleT(gateColorScale("tanh"), 0), 0.5);
    assert.ok(Number.isNaN(scaleT(gateColorScale("tanh"), null)), "missing stays missing");
    assert.equal(scaleT(gateColorScale("sigmoid"), 7), 1); // clamped
  });

  it("data scales: both signs → symmetric diverging, one sign → sequential over the extent", () => {
    assert.deepEqual(dataColorScale([-0.5, 2]).domain, [-2, 2]);
    assert.equal(dataColorScale([-0.5, 2]).kind, "diverging");
    assert.deepEqual(dataColorScale([1, 3]).domain, [1, 3]);
    assert.deepEqual(dataColorScale(undefined).domain, [0, 1]);
  });
});
