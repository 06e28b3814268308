/**
 * Hidden-state trajectories (Sussillo & Barak 2013): each sequence's path through the plane of the top
 * two principal components of one layer's states, every segment coloured by time (sequential map, a
 * colour bar says which end is t = 0), the start a hollow circle and the end a filled one, axis titles
 * with each component's share of the variance. Hover a point (or walk the paths with the arrow keys):
 * its sequence, t and coordinates; that path is drawn on top, the others dimmed. Path labels are canvas text, never markup.
 * A time scrubber (a slider) draws the paths up to step t with a dot at t. Fixed points (when the
 * payload has them) are crosses, their speed and the Jacobian's leading eigenvalues in the hover.
 * With dims 3 the view is a projection of PC1–PC3 that the user rotates by dragging (axes drawn as a
 * small gizmo instead of ticks: a rotated projection has no fixed scale along the screen).
 */
import { lut, sample, sequential, type Colormap, type ColorScale } from "../shared/colormaps";
import type { TrajectoryPayload } from "../shared/payloads";
import { formatNumber, linearScale, niceDomain, niceTicks, type Scale } from "../shared/scale";
import { availableWidth, el, EXPORT_SCALE, figureButtons, readTheme, sizeCanvas, type Theme, tooltip } from "./dom";
import { legend } from "./heatmap";
import { t } from "./l10n";

/** Plot margins in CSS px: tick labels and axis titles left and below (exported for the browser test that points at a point). */
export const M = { l: 58, r: 14, t: 10, b: 44 } as const;
/** On a dark background the darkest end of the map would vanish: dark themes use its upper three quarters. */
const DARK_FROM = 0.25;

/** The colour map of time in this theme (the colour bar and the paths read the same one). */
function timeMap(theme: Theme): Colormap {
  if (!theme.dark) return sequential;
  return { name: "viridis-upper", anchors: Array.from({ length: 9 }, (_, i) => sample(sequential, DARK_FROM + ((1 - DARK_FROM) * i) / 8)) };
}
/** End labels only while they do not pile up. */
const MAX_LABELLED = 12;
const HOVER_PX = 12;

interface Plot {
  width: number;
  height: number;
  sx: Scale;
  sy: Scale;
}

/** What is drawn: each path and fixed point in screen-plane coordinates (the plane, or a rotated projection). */
interface Flat {
  paths: { label: string; x: (number | null)[]; y: (number | null)[] }[];
  fixed: { x: number; y: number }[];
}

/** A 3-D view: yaw about PC2, then pitch about the screen's horizontal axis (radians). */
interface Rotation { yaw: number; pitch: number }

/** The data's centre and radius in 3-D: the projection turns about the centre and keeps one scale. */
function sphere(p: TrajectoryPayload): { c: [number, number, number]; r: number } {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  const add = (x: number | null, y: number | null, z: number | null | undefined) => {
    if (x === null || y === null || z === null || z === undefined) return;
    [x, y, z].forEach((v, k) => { lo[k] = Math.min(lo[k], v); hi[k] = Math.max(hi[k], v); });
  };
  for (const path of p.paths) path.x.forEach((x, i) => add(x, path.y[i], path.z?.[i]));
  for (const f of p.fixedPoints ?? []) add(f.x, f.y, f.z);
  const c = lo.map((l, k) => (Number.isFinite(l) ? (l + hi[k]) / 2 : 0)) as [number, number, number];
  let r = 0;
  const far = (x: number | null, y: number | null, z: number | null | undefined) => {
    if (x === null || y === null || z === null || z === undefined) return;
    r = Math.max(r, Math.hypot(x - c[0], y - c[1], z - c[2]));
  };
  for (const path of p.paths) path.x.forEach((x, i) => far(x, path.y[i], path.z?.[i]));
  for (const f of p.fixedPoints ?? []) far(f.x, f.y, f.z);
  return { c, r: r > 0 ? r : 1 };
}

/** Screen-plane coordinates of a 3-D point after the rotation, relative to the centre. */
function project(x: number, y: number, z: number, c: [number, number, number], rot: Rotation): [number, number] {
  const dx = x - c[0], dy = y - c[1], dz = z - c[2];
  const x1 = dx * Math.cos(rot.yaw) + dz * Math.sin(rot.yaw);
  const z1 = -dx * Math.sin(rot.yaw) + dz * Math.cos(rot.yaw);
  return [x1, dy * Math.cos(rot.pitch) - z1 * Math.sin(rot.pitch)];
}

function flatten(p: TrajectoryPayload, rot: Rotation | undefined, c: [number, number, number]): Flat {
  if (!rot) return { paths: p.paths, fixed: (p.fixedPoints ?? []).map((f) => ({ x: f.x, y: f.y })) };
  return {
    paths: p.paths.map((path) => {
      const x: (number | null)[] = [], y: (number | null)[] = [];
      path.x.forEach((px, i) => {
        const py = path.y[i], pz = path.z?.[i];
        if (px === null || py === null || pz === null || pz === undefined) { x.push(null); y.push(null); return; }
        const [a, b] = project(px, py, pz, c, rot);
        x.push(a); y.push(b);
      });
      return { label: path.label, x, y };
    }),
    fixed: (p.fixedPoints ?? []).map((f) => {
      const [a, b] = project(f.x, f.y, f.z ?? c[2], c, rot);
      return { x: a, y: b };
    }),
  };
}

function layout(flat: Flat, width: number, height: number, radius?: number): Plot {
  if (radius !== undefined) {
    // one scale for both screen axes, so a rotation does not stretch the cloud
    const span = Math.min(width - M.l - M.r, height - M.t - M.b) / 2;
    const cx = (M.l + width - M.r) / 2, cy = (M.t + height - M.b) / 2;
    const k = (span * 0.92) / radius;
    return { width, height, sx: linearScale([-radius, radius], [cx - radius * k, cx + radius * k]), sy: linearScale([-radius, radius], [cy + radius * k, cy - radius * k]) };
  }
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  const add = (x: number | null, y: number | null) => {
    if (x === null || y === null) return;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  };
  for (const path of flat.paths) path.x.forEach((x, i) => add(x, path.y[i]));
  for (const f of flat.fixed) add(f.x, f.y);
  const dx = niceDomain(x0, x1), dy = niceDomain(y0, y1);
  return { width, height, sx: linearScale(dx, [M.l, width - M.r]), sy: linearScale(dy, [height - M.b, M.t]) };
}

/** What one paint shows: the focused path, the last step drawn (the scrubber), the 3-D rotation. */
interface Frame { focus: number | undefined; upTo: number; rot: Rotation | undefined }

function paint(ctx: CanvasRenderingContext2D, p: TrajectoryPayload, flat: Flat, plot: Plot, theme: Theme, f: Frame): void {
  const { width, height, sx, sy } = plot;
  const { focus, upTo, rot } = f;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  ctx.font = `11px ${theme.font}`;
  ctx.lineWidth = 1;
  const axis = (k: number) => t("trajectoryAxis", { k: k + 1, v: formatNumber((p.explainedVariance[k] ?? 0) * 100, 3) });
  if (!rot) {
    // grid and ticks
    ctx.strokeStyle = theme.grid;
    ctx.fillStyle = theme.muted;
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const v of niceTicks(sx.domain[0], sx.domain[1])) {
      const x = Math.round(sx.map(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, M.t); ctx.lineTo(x, height - M.b); ctx.stroke();
      ctx.fillText(formatNumber(v, 3), x, height - M.b + 4);
    }
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const v of niceTicks(sy.domain[0], sy.domain[1])) {
      const y = Math.round(sy.map(v)) + 0.5;
      ctx.beginPath(); ctx.moveTo(M.l, y); ctx.lineTo(width - M.r, y); ctx.stroke();
      ctx.fillText(formatNumber(v, 3), M.l - 5, y);
    }
  }
  ctx.strokeStyle = theme.border;
  ctx.strokeRect(M.l - 0.5, M.t - 0.5, width - M.l - M.r + 1, height - M.t - M.b + 1);
  ctx.fillStyle = theme.fg;
  if (!rot) {
    ctx.textAlign = "center";
    ctx.textBaseline = "bottom";
    ctx.fillText(axis(0), (M.l + width - M.r) / 2, height - 2);
    ctx.save();
    ctx.translate(12, (M.t + height - M.b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(axis(1), 0, 0);
    ctx.restore();
  } else {
    // the axes' directions after the rotation, from a corner of the plot
    const ox = M.l + 36, oy = height - M.b - 36;
    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    for (let k = 0; k < 3; k++) {
      const e = [0, 0, 0];
      e[k] = 1;
      const [a, b] = project(e[0], e[1], e[2], [0, 0, 0], rot);
      ctx.strokeStyle = theme.fg;
      ctx.beginPath(); ctx.moveTo(ox, oy); ctx.lineTo(ox + a * 28, oy - b * 28); ctx.stroke();
      ctx.fillText(`PC${k + 1}`, ox + a * 32 + 2, oy - b * 32);
    }
    ctx.textBaseline = "bottom";
    ctx.fillText([0, 1, 2].map(axis).join(" · "), M.l, height - 2, width - M.l - M.r);
  }

  // paths up to step upTo, clipped to the plot; the focused one last and thicker
  const table = lut(timeMap(theme));
  const S = p.stepIndex.length;
  const colour = (i: number) => {
    const k = Math.round((S > 1 ? i / (S - 1) : 1) * 255) * 3;
    return `rgb(${table[k]},${table[k + 1]},${table[k + 2]})`;
  };
  ctx.save();
  ctx.beginPath();
  ctx.rect(M.l, M.t, width - M.l - M.r, height - M.t - M.b);
  ctx.clip();
  const order = flat.paths.map((_, n) => n).filter((n) => n !== focus);
  if (focus !== undefined) order.push(focus);
  for (const n of order) {
    const path = flat.paths[n];
    ctx.globalAlpha = focus === undefined || focus === n ? 1 : 0.3;
    ctx.lineWidth = focus === n ? 2.5 : 1.5;
    for (let i = 0; i + 1 <= upTo; i++) {
      const [xa, ya, xb, yb] = [path.x[i], path.y[i], path.x[i + 1], path.y[i + 1]];
      if (xa === null || ya === null || xb === null || yb === null) continue;
      ctx.strokeStyle = colour(i);
      ctx.beginPath();
      ctx.moveTo(sx.map(xa), sy.map(ya));
      ctx.lineTo(sx.map(xb), sy.map(yb));
      ctx.stroke();
    }
    const mark = (i: number, filled: boolean, radius: number) => {
      const x = path.x[i], y = path.y[i];
      if (x === null || y === null) return;
      ctx.beginPath();
      ctx.arc(sx.map(x), sy.map(y), radius, 0, 2 * Math.PI);
      ctx.fillStyle = filled ? colour(i) : theme.bg;
      ctx.fill();
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.stroke();
    };
    mark(0, false, 3.5);
    // the end of the whole path, or (scrubbing) a larger dot at step upTo
    mark(upTo, true, upTo === S - 1 ? 3.5 : 5);
    if (flat.paths.length <= MAX_LABELLED || focus === n) {
      const x = path.x[upTo], y = path.y[upTo];
      if (x !== null && y !== null) {
        ctx.fillStyle = theme.fg;
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(path.label, sx.map(x) + 6, sy.map(y), 160);
      }
    }
  }
  ctx.globalAlpha = 1;
  // fixed points: crosses on top of the paths
  ctx.strokeStyle = theme.fg;
  ctx.lineWidth = 2;
  for (const fp of flat.fixed) {
    const x = sx.map(fp.x), y = sy.map(fp.y);
    ctx.beginPath();
    ctx.moveTo(x - 5, y - 5); ctx.lineTo(x + 5, y + 5);
    ctx.moveTo(x + 5, y - 5); ctx.lineTo(x - 5, y + 5);
    ctx.stroke();
  }
  ctx.restore();
}

/** "0.98, 0.5 ± 0.2i": eigenvalues as text, a complex pair once. */
function eigenText(ev: { re: number; im: number }[]): string {
  const out: string[] = [];
  for (let i = 0; i < ev.length; i++) {
    const e = ev[i];
    if (Math.abs(e.im) < 1e-12) { out.push(formatNumber(e.re, 3)); continue; }
    out.push(`${formatNumber(e.re, 3)} ± ${formatNumber(Math.abs(e.im), 3)}i`);
    if (i + 1 < ev.length && Math.abs(ev[i + 1].re - e.re) < 1e-9 && Math.abs(ev[i + 1].im + e.im) < 1e-9) i++;
  }
  return out.join(", ");
}

export function renderTrajectory(root: HTMLElement, p: TrajectoryPayload): void {
  const theme = readTheme(root);
  const S = p.stepIndex.length;
  const three = p.dims === 3;
  const title = (p.model ? p.model + " · " : "") + (p.title ?? t("trajectoryTitle"));
  const notes = [t(three ? "trajectorySize3" : "trajectorySize", { n: p.paths.length, t: S })];
  if (p.trueSteps) notes.push(t("trajectoryThinned", { t: S, tt: p.trueSteps }));
  if (p.trueSequences) notes.push(t("trajectoryCut", { n: p.paths.length, nn: p.trueSequences }));
  if (p.fixedPoints) notes.push(t("trajectoryFixed", { n: p.fixedPoints.length }));
  root.appendChild(el("div", "rnn-title", title));
  for (const n of notes) root.appendChild(el("div", "rnn-note", n));
  const toolbar = el("div", "rnn-toolbar");
  const last = p.stepIndex[S - 1] ?? 0;
  // The colour bar of time: the same map and range the paths use.
  const timeScale: ColorScale = { map: timeMap(theme), domain: [p.stepIndex[0] ?? 0, last > (p.stepIndex[0] ?? 0) ? last : (p.stepIndex[0] ?? 0) + 1], kind: "sequential" };
  toolbar.appendChild(legend(timeScale, t("trajectoryTime")));
  root.appendChild(toolbar);
  // The time scrubber: paths drawn up to the chosen step.
  const scrub = el("div", "rnn-toolbar");
  const slider = el("input", "rnn-trajectory-scrubber");
  slider.type = "range";
  slider.min = "0";
  slider.max = String(Math.max(0, S - 1));
  slider.value = String(Math.max(0, S - 1));
  slider.setAttribute("aria-label", t("trajectoryScrub"));
  const at = el("span", "rnn-note", t("trajectoryStep", { t: last }));
  scrub.append(el("span", "rnn-note", t("trajectoryScrub")), slider, at);
  root.appendChild(scrub);
  const width = Math.min(availableWidth(root), 720);
  const height = Math.round(Math.min(460, Math.max(280, width * 0.62)));
  const ball = three ? sphere(p) : undefined;
  const frame: Frame = { focus: undefined, upTo: Math.max(0, S - 1), rot: three ? { yaw: 0.6, pitch: 0.35 } : undefined };
  let flat = flatten(p, frame.rot, ball?.c ?? [0, 0, 0]);
  const plot = layout(flat, width, height, ball?.r);
  const canvas = el("canvas", "rnn-trajectory");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${title}: ${p.paths.length} × ${S}`);
  root.appendChild(canvas);
  const { ctx } = sizeCanvas(canvas, width, height);
  const repaint = () => paint(ctx, p, flat, plot, theme, frame);
  repaint();
  const tip = tooltip(root);
  slider.addEventListener("input", () => {
    frame.upTo = Math.min(S - 1, Math.max(0, Number(slider.value) | 0));
    at.textContent = t("trajectoryStep", { t: p.stepIndex[frame.upTo] });
    root.dataset.scrubbed = String(frame.upTo);
    repaint();
  });

  /** The readout of point i of path n at a client point; that path is drawn on top. */
  const readout = (n: number, i: number, clientX: number, clientY: number) => {
    const path = p.paths[n];
    const coords = [path.x[i], path.y[i], ...(three ? [path.z?.[i] ?? null] : [])];
    const txt = coords.some((v) => v === null) ? t("missingValue") : coords.map((v, k) => `PC${k + 1} ${formatNumber(v!, 3)}`).join(" · ");
    tip.show([path.label, t("trajectoryStep", { t: p.stepIndex[i] }), txt], clientX, clientY);
    if (frame.focus !== n) { frame.focus = n; repaint(); }
  };
  const leave = () => {
    tip.hide();
    if (frame.focus !== undefined) { frame.focus = undefined; repaint(); }
  };
  /** The keyboard's point: path n, step i; the pointer moves it too. */
  let cursor = { n: 0, i: 0 };
  let drag: { x: number; y: number } | undefined;
  canvas.addEventListener("mousedown", (ev) => {
    if (three && ev.button === 0) drag = { x: ev.clientX, y: ev.clientY };
  });
  const endDrag = () => { drag = undefined; };
  canvas.addEventListener("mouseup", endDrag);
  canvas.addEventListener("mousemove", (ev) => {
    if (drag && frame.rot) {
      // drag to rotate: horizontal turns about PC2 (yaw), vertical tilts (pitch, kept within ±90°)
      frame.rot = { yaw: frame.rot.yaw + (ev.clientX - drag.x) * 0.01, pitch: Math.max(-Math.PI / 2, Math.min(Math.PI / 2, frame.rot.pitch + (ev.clientY - drag.y) * 0.01)) };
      drag = { x: ev.clientX, y: ev.clientY };
      flat = flatten(p, frame.rot, ball!.c);
      root.dataset.rotated = `${frame.rot.yaw.toFixed(2)},${frame.rot.pitch.toFixed(2)}`;
      tip.hide();
      repaint();
      return;
    }
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    let best: [number, number] | undefined;
    let bestD = HOVER_PX * HOVER_PX;
    flat.paths.forEach((path, n) => {
      for (let i = 0; i <= frame.upTo; i++) {
        const x = path.x[i], y = path.y[i];
        if (x === null || y === null) continue;
        const d = (plot.sx.map(x) - mx) ** 2 + (plot.sy.map(y) - my) ** 2;
        if (d <= bestD) { bestD = d; best = [n, i]; }
      }
    });
    let fixed = -1;
    flat.fixed.forEach((fp, k) => {
      const d = (plot.sx.map(fp.x) - mx) ** 2 + (plot.sy.map(fp.y) - my) ** 2;
      if (d <= bestD) { bestD = d; fixed = k; }
    });
    if (fixed >= 0) {
      const fp = p.fixedPoints![fixed];
      tip.show([t("trajectoryFixedPoint", { k: fixed + 1 }), t("trajectorySpeed", { q: formatNumber(fp.speed, 3) }),
        t("trajectoryEigen", { list: eigenText(fp.eigenvalues) })], ev.clientX, ev.clientY);
      return;
    }
    if (!best) return leave();
    cursor = { n: best[0], i: best[1] };
    readout(best[0], best[1], ev.clientX, ev.clientY);
  });
  canvas.addEventListener("mouseleave", () => {
    endDrag();
    leave();
  });
  // Keyboard: Tab to the plot; Left/Right walk along a path in time (Shift = 10 steps), Up/Down
  // switch paths; the tooltip is a role="status" region, so screen readers announce it.
  const showCursor = () => {
    const path = flat.paths[cursor.n];
    const r = canvas.getBoundingClientRect();
    const x = path.x[cursor.i], y = path.y[cursor.i];
    const px = x === null ? M.l : plot.sx.map(x), py = y === null ? M.t : plot.sy.map(y);
    readout(cursor.n, cursor.i, r.left + px, r.top + py);
  };
  canvas.tabIndex = 0;
  canvas.addEventListener("keydown", (ev) => {
    const step = ev.shiftKey ? 10 : 1;
    const moves: Record<string, [number, number]> = { ArrowLeft: [0, -step], ArrowRight: [0, step], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
    const m = moves[ev.key];
    if (!m) return;
    ev.preventDefault();
    cursor = { n: Math.min(p.paths.length - 1, Math.max(0, cursor.n + m[0])), i: Math.min(S - 1, Math.max(0, cursor.i + m[1])) };
    showCursor();
  });
  canvas.addEventListener("focus", showCursor);
  canvas.addEventListener("blur", leave);

  const figure = () => {
    const c = el("canvas");
    const sized = sizeCanvas(c, width, height, EXPORT_SCALE);
    paint(sized.ctx, p, flat, plot, theme, { ...frame, focus: undefined });
    return { title, note: notes.join(" "), panels: [{ canvas: c, colorBar: { scale: timeScale, caption: t("trajectoryTime") } }] };
  };
  for (const b of figureButtons("trajectory.png", figure, theme)) toolbar.appendChild(b);
}
