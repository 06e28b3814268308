/**
 * Hidden-state trajectories → application/vnd.rnn-notebook.trajectory+json + image/png + text/plain:
 * each sequence's path in the plane of PC1 and PC2 (rnn.analysis.trajectory with dims 2), coloured by
 * time. Paths are thinned to at most `maxSteps` evenly spaced steps (first and last kept) and to the
 * first `maxPaths` sequences, both stated. The PNG is a small scatter-line plot drawn pixel by pixel.
 */
import type { Trajectory } from "../../engine/analysis/trajectory";
import { sample, sequential } from "../../shared/colormaps";
import { MIME, type MimeBundle } from "../../shared/mime";
import type { TrajectoryPayload } from "../../shared/payloads";
import { formatNumber } from "../../shared/scale";
import { roundSig } from "./downsample";
import { drawText } from "./font";
import { PixelImage } from "./png";

/** S evenly spaced indices of 0…T−1, first and last included (all of them when T ≤ S). */
export function thinSteps(T: number, S: number): number[] {
  if (T <= S) return Array.from({ length: T }, (_, i) => i);
  if (S < 2) return [T - 1];
  return Array.from({ length: S }, (_, i) => Math.round((i * (T - 1)) / (S - 1)));
}

/** A fixed point for the view: its coordinates in the trajectory's components, speed and leading eigenvalues. */
export type ShownFixedPoint = NonNullable<TrajectoryPayload["fixedPoints"]>[number];

/**
 * The payload of a trajectory: with `tr.points` [N, T, 3] the paths carry z (PC3) and the view is 3-D.
 * `fixedPoints` are already projected on the same components.
 */
export function trajectoryPayload(tr: Trajectory, opts: { labels?: string[]; title?: string; model?: string; maxSteps: number; maxPaths: number; fixedPoints?: ShownFixedPoint[] }): TrajectoryPayload {
  const [N, T, P] = tr.points.shape;
  const steps = thinSteps(T, opts.maxSteps);
  const shown = Math.min(N, opts.maxPaths);
  const paths = Array.from({ length: shown }, (_, n) => {
    const path: TrajectoryPayload["paths"][number] = {
      label: opts.labels?.[n] ?? `sequence ${n}`,
      x: steps.map((t) => roundSig(tr.points.data[(n * T + t) * P], 4)),
      y: steps.map((t) => roundSig(tr.points.data[(n * T + t) * P + 1], 4)),
    };
    if (P === 3) path.z = steps.map((t) => roundSig(tr.points.data[(n * T + t) * P + 2], 4));
    return path;
  });
  const p: TrajectoryPayload = {
    explainedVariance: tr.explainedVariance.slice(0, P === 3 ? 3 : 2).map((v) => roundSig(v, 4) ?? 0),
    stepIndex: steps, paths,
  };
  if (P === 3) p.dims = 3;
  if (opts.fixedPoints) p.fixedPoints = opts.fixedPoints;
  if (opts.title) p.title = opts.title;
  if (opts.model) p.model = opts.model;
  if (steps.length < T) p.trueSteps = T;
  if (shown < N) p.trueSequences = N;
  return p;
}

const INK = [51, 51, 51];
const GRID = [225, 225, 225];
const W = 480, H = 340, L = 8, R = 8, TOP = 34, B = 30;

/** Axis title of component k: "PC1 (62.3% of variance)". */
export function axisTitle(k: number, fraction: number): string {
  return `PC${k + 1} (${formatNumber(fraction * 100, 3)}% of variance)`;
}

function pngPlot(p: TrajectoryPayload, title: string): string {
  const img = new PixelImage(W, H);
  img.fillRect(0, 0, W, H, [255, 255, 255]);
  drawText(img, title.length > 70 ? title.slice(0, 69) + "…" : title, 4, 4, INK);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const path of p.paths) {
    path.x.forEach((x, i) => {
      const y = path.y[i];
      if (x === null || y === null) return;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    });
  }
  const pw = W - L - R, ph = H - TOP - B;
  img.fillRect(L, TOP, pw, 1, GRID); img.fillRect(L, TOP + ph, pw, 1, GRID);
  img.fillRect(L, TOP, 1, ph, GRID); img.fillRect(L + pw, TOP, 1, ph + 1, GRID);
  drawText(img, axisTitle(0, p.explainedVariance[0]) + " ->", L, H - B + 6, INK);
  drawText(img, "^ " + axisTitle(1, p.explainedVariance[1]), L, TOP - 14, INK);
  if (!(x1 >= x0 && y1 >= y0)) return img.toBase64();
  const sx = (x: number) => L + 4 + ((x - x0) / (x1 - x0 || 1)) * (pw - 8);
  const sy = (y: number) => TOP + ph - 4 - ((y - y0) / (y1 - y0 || 1)) * (ph - 8);
  const S = p.stepIndex.length;
  for (const path of p.paths) {
    for (let i = 0; i < S; i++) {
      const x = path.x[i], y = path.y[i];
      if (x === null || y === null) continue;
      const rgb = sample(sequential, S > 1 ? i / (S - 1) : 1);
      const nx = i + 1 < S ? path.x[i + 1] : null, ny = i + 1 < S ? path.y[i + 1] : null;
      if (nx !== null && ny !== null) {
        // the segment to the next point, as dots every pixel (DDA)
        const ax = sx(x), ay = sy(y), bx = sx(nx), by = sy(ny);
        const n = Math.max(1, Math.ceil(Math.max(Math.abs(bx - ax), Math.abs(by - ay))));
        for (let k = 0; k <= n; k++) img.setPixel(Math.round(ax + ((bx - ax) * k) / n), Math.round(ay + ((by - ay) * k) / n), rgb);
      }
      img.fillRect(sx(x) - 1, sy(y) - 1, 3, 3, rgb);
    }
  }
  return img.toBase64();
}

export function trajectoryBundle(p: TrajectoryPayload): MimeBundle {
  const S = p.stepIndex.length;
  const steps = p.trueSteps ? `${S} of ${p.trueSteps} steps (evenly spaced)` : `${S} steps`;
  const seqs = p.trueSequences ? `first ${p.paths.length} of ${p.trueSequences} sequences` : `${p.paths.length} sequence${p.paths.length === 1 ? "" : "s"}`;
  const title = `${p.model ? `${p.model} · ` : ""}${p.title ?? "Hidden-state trajectories"} — ${seqs} × ${steps}`;
  const point = (path: TrajectoryPayload["paths"][number], i: number) =>
    path.x[i] === null || path.y[i] === null ? "missing" : `(${formatNumber(path.x[i]!, 3)}, ${formatNumber(path.y[i]!, 3)})`;
  const lines = p.paths.slice(0, 20).map((path) => `${path.label}: t=${p.stepIndex[0]} at ${point(path, 0)} → t=${p.stepIndex[S - 1]} at ${point(path, S - 1)}`);
  if (p.paths.length > 20) lines.push(`… ${p.paths.length - 20} more sequences`);
  (p.fixedPoints ?? []).slice(0, 10).forEach((f, k) => lines.push(`fixed point ${k + 1} at (${formatNumber(f.x, 3)}, ${formatNumber(f.y, 3)}${f.z === undefined ? "" : `, ${formatNumber(f.z, 3)}`}), speed q = ${formatNumber(f.speed, 3)}, Jacobian eigenvalues ${f.eigenvalues.map((e) => (Math.abs(e.im) < 1e-12 ? formatNumber(e.re, 3) : `${formatNumber(e.re, 3)}${e.im < 0 ? "−" : "+"}${formatNumber(Math.abs(e.im), 3)}i`)).join(", ")}`));
  return {
    [MIME.trajectory]: p,
    "image/png": pngPlot(p, title),
    "text/plain": [title, `axes: ${p.explainedVariance.map((v, k) => axisTitle(k, v)).join(", ")}${p.dims === 3 ? " (the image shows PC1 and PC2)" : ""}`, ...lines].join("\n"),
  };
}
