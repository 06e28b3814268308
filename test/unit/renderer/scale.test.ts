// Scales and nice ticks (src/shared/scale.ts). Expected ticks follow the 1-2-5 rule of Heckbert,
// "Nice numbers for graph labels" (Graphics Gems, 1990); each expectation is worked out in its comment.
import * as assert from "node:assert/strict";
import {
  cleanFloat, finiteExtent, formatNumber, linearScale, logDomain, logScale, logTicks, niceDomain, niceStep, niceTicks,
} from "../../../src/shared/scale";

describe("scale: linear", () => {
  it("maps the domain ends onto the range ends and inverts", () => {
    const s = linearScale([0, 10], [100, 0]); // y grows downward: 0 → 100 px, 10 → 0 px
    assert.equal(s.map(0), 100);
    assert.equal(s.map(10), 0);
    assert.equal(s.map(2.5), 75); // 100 − 2.5 · (100 / 10)
    assert.equal(s.invert(75), 2.5);
    assert.ok(Number.isNaN(s.map(NaN)));
  });

  it("survives a degenerate domain (single value) by centring a unit span", () => {
    const s = linearScale([3, 3], [0, 100]); // becomes [2.5, 3.5]
    assert.equal(s.map(3), 50);
  });
});

describe("scale: log", () => {
  it("puts each decade at equal distance", () => {
    const s = logScale([1e-6, 1], [0, 600]); // 6 decades over 600 px → 100 px per decade
    assert.equal(s.map(1e-6), 0);
    assert.ok(Math.abs(s.map(1e-3) - 300) < 1e-9);
    assert.equal(s.map(1), 600);
    assert.ok(Math.abs(s.invert(300) - 1e-3) < 1e-15);
  });

  it("gives NaN for zero and negative values (drawn as gaps)", () => {
    const s = logScale([1e-3, 1], [0, 1]);
    assert.ok(Number.isNaN(s.map(0)));
    assert.ok(Number.isNaN(s.map(-1)));
  });

  it("widens to whole decades", () => {
    assert.deepEqual(logDomain(3e-5, 0.7), [1e-5, 1]); // floor(log10 3e-5) = −5, ceil(log10 0.7) = 0
    assert.deepEqual(logDomain(5, 5), [1, 10]); // one value: its decade
  });
});

describe("scale: nice ticks", () => {
  it("uses 1-2-5 steps", () => {
    assert.equal(niceStep(0, 10, 5), 2); // raw 2 → 2
    assert.equal(niceStep(0, 1, 5), 0.2); // raw 0.2 → 2 × 10⁻¹
    assert.equal(niceStep(0, 100, 4), 20); // raw 25 → f = 2.5 < 3 → 2 × 10
    assert.equal(niceStep(0, 70, 10), 10); // raw 7 → f = 7, not < 7 → 10
  });

  it("lists ticks inside the domain without float noise", () => {
    assert.deepEqual(niceTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]); // step 0.2; 0.6 not 0.6000000000000001
    assert.deepEqual(niceTicks(-1, 1, 4), [-1, -0.5, 0, 0.5, 1]); // raw 0.5 → 5 × 10⁻¹
    assert.deepEqual(niceTicks(1, 20, 4), [5, 10, 15, 20]); // raw 4.75 → f 4.75 → 5
    assert.deepEqual(niceTicks(5, 5), [5]);
    assert.deepEqual(niceTicks(NaN, 1), []);
  });

  it("extends a domain to nice steps", () => {
    assert.deepEqual(niceDomain(0.13, 0.87, 5), [0.1, 0.9]); // raw step 0.148 → f = 1.48 < 1.5 → 0.1
  });

  it("puts log ticks on powers of ten, with 2× and 5× inside narrow ranges", () => {
    assert.deepEqual(logTicks(1e-6, 1), [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1]); // 6 decades: powers only
    assert.deepEqual(logTicks(0.1, 10), [0.1, 0.2, 0.5, 1, 2, 5, 10]); // 2 decades: 1-2-5
    assert.equal(logTicks(1e-30, 1).length <= 12, true); // 30 decades: every 3rd decade → 11 ticks
    assert.deepEqual(logTicks(0, 1), []);
  });
});

describe("scale: helpers", () => {
  it("formats numbers compactly", () => {
    assert.equal(formatNumber(1e-7), "1e-7");
    assert.equal(formatNumber(0.25), "0.25");
    assert.equal(formatNumber(1234.5678), "1235"); // 4 significant digits
    assert.equal(formatNumber(null), "—");
    assert.equal(formatNumber(Infinity), "∞");
    assert.equal(cleanFloat(0.1 + 0.2), 0.3);
  });

  it("finds the finite extent, skipping null and non-finite values", () => {
    assert.deepEqual(finiteExtent([null, 3, NaN, -2, Infinity]), [-2, 3]);
    assert.deepEqual(finiteExtent([0, 1e-3, 5], true), [1e-3, 5]); // positive only (log axes)
    assert.equal(finiteExtent([null, NaN]), undefined);
  });
});
