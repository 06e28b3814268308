#!/usr/bin/env node
// Draws media/icon.png (128×128): a gate heatmap (time × unit grid in a viridis-like ramp) on a dark
// rounded tile, with a white recurrent loop arrow (h_t -> h_t+1) around its top-right corner.
// Pure Node: the PNG is written with zlib, no image library.   node scripts/make-icon.mjs
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { repoRoot } from "./lib/env.mjs";

const N = 128;
const SS = 4; // supersampling per axis, for anti-aliased edges

/** viridis-like ramp, t in [0, 1] */
function ramp(t) {
  const stops = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  const x = Math.min(0.9999, Math.max(0, t)) * (stops.length - 1);
  const i = Math.floor(x);
  const f = x - i;
  return stops[i].map((a, k) => a + (stops[i + 1][k] - a) * f);
}

function roundedRect(x, y, x0, y0, x1, y1, r) {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

// a deterministic "gate activation" pattern: a forget gate that stays open, then closes
const cells = 6;
const act = (t, u) => 0.5 + 0.45 * Math.sin(0.9 * t + 1.3 * u) * Math.cos(0.35 * u - 0.5 * t);

/** colour (RGBA 0..255) at sub-pixel position (x, y) in 0..128 */
function sample(x, y) {
  // background tile
  if (!roundedRect(x, y, 2, 2, 126, 126, 22)) return [0, 0, 0, 0];
  let c = [30, 32, 48, 255];
  // heatmap grid 6×6 in [18, 96] with 3 px gaps
  const g0 = 16;
  const g1 = 98;
  const step = (g1 - g0) / cells;
  if (x >= g0 && x < g1 && y >= g0 + 14 && y < g1 + 14) {
    const t = Math.floor((x - g0) / step);
    const u = Math.floor((y - g0 - 14) / step);
    const lx = x - g0 - t * step;
    const ly = y - g0 - 14 - u * step;
    if (lx > 1.5 && ly > 1.5 && roundedRect(lx, ly, 1.5, 1.5, step, step, 2.5)) c = [...ramp(act(t, u)), 255];
  }
  // recurrent loop: an arc of radius 20 around (98, 30), from ~200° clockwise to ~110°, with an arrow head
  const cx = 100;
  const cy = 28;
  const R = 17;
  const d = Math.hypot(x - cx, y - cy);
  const ang = (Math.atan2(y - cy, x - cx) * 180) / Math.PI; // -180..180, y down
  const onArc = Math.abs(d - R) <= 3.2 && !(ang > 95 && ang < 165);
  // arrow head at the end of the arc (angle 95°), pointing left-down along the tangent
  const ax = cx + R * Math.cos((95 * Math.PI) / 180);
  const ay = cy + R * Math.sin((95 * Math.PI) / 180);
  const inHead = (() => {
    // triangle with tip at (ax - 9, ay + 1) and base through (ax + 2, ay - 7), (ax + 2, ay + 8)
    const p = [[ax - 10, ay + 1], [ax + 3, ay - 8], [ax + 3, ay + 9]];
    const s = (a, b, q) => (b[0] - a[0]) * (q[1] - a[1]) - (b[1] - a[1]) * (q[0] - a[0]);
    const q = [x, y];
    const d1 = s(p[0], p[1], q);
    const d2 = s(p[1], p[2], q);
    const d3 = s(p[2], p[0], q);
    return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0);
  })();
  if (onArc || inHead) c = [245, 245, 250, 255];
  return c;
}

const raw = Buffer.alloc(N * (1 + N * 4));
for (let y = 0; y < N; y++) {
  raw[y * (1 + N * 4)] = 0; // filter: none
  for (let x = 0; x < N; x++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        // premultiplied accumulation
        for (let k = 0; k < 3; k++) acc[k] += (c[k] * c[3]) / 255;
        acc[3] += c[3];
      }
    }
    const a = acc[3] / (SS * SS);
    const o = y * (1 + N * 4) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[o + k] = a > 0 ? Math.round((acc[k] / (SS * SS)) * (255 / a)) : 0;
    raw[o + 3] = Math.round(a);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", ihdr),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = join(repoRoot, "media", "icon.png");
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
