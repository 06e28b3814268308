/**
 * Hidden-state trajectories (Sussillo & Barak 2013): each sequence's path through the plane of the top
 * two principal components of one layer's states, every segment coloured by time (sequential map, a
 * colour bar says which end is t = 0), the start a hollow circle and the end a filled one, axis titles
 * with each component's share of the variance. Hover a point (or walk the paths with the arrow keys):
 * its sequence, t and coordinates; that path is drawn on top, the others dimmed. Path labels are canvas text, never markup.
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

function layout(p: TrajectoryPayload, width: number, height: number): Plot {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const path of p.paths) {
    for (let i = 0; i < path.x.length; i++) {
      const x = path.x[i], y = path.y[i];
      if (x === null || y === null) continue;
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  const dx = niceDomain(x0, x1), dy = niceDomain(y0, y1);
  return { width, height, sx: linearScale(dx, [M.l, width - M.r]), sy: linearScale(dy, [height - M.b, M.t]) };
}

function paint(ctx: CanvasRenderingContext2D, p: TrajectoryPayload, plot: Plot, theme: Theme, focus: number | undefined): void {
  const { width, height, sx, sy } = plot;
  ctx.fillStyle = theme.bg;
  ctx.fillRect(0, 0, width, height);
  // grid and ticks
  ctx.font = `11px ${theme.font}`;
  ctx.strokeStyle = theme.grid;
  ctx.fillStyle = theme.muted;
  ctx.lineWidth = 1;
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
  ctx.strokeStyle = theme.border;
  ctx.strokeRect(M.l - 0.5, M.t - 0.5, width - M.l - M.r + 1, height - M.t - M.b + 1);
  ctx.fillStyle = theme.fg;
  ctx.textAlign = "center";
  ctx.textBaseline = "bottom";
  ctx.fillText(t("trajectoryAxis", { k: 1, v: formatNumber(p.explainedVariance[0] * 100, 3) }), (M.l + width - M.r) / 2, height - 2);
  ctx.save();
  ctx.translate(12, (M.t + height - M.b) / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = "middle";
  ctx.fillText(t("trajectoryAxis", { k: 2, v: formatNumber(p.explainedVariance[1] * 100, 3) }), 0, 0);
  ctx.restore();

  // paths, clipped to the plot; the focused one last and thicker
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
  const order = p.paths.map((_, n) => n).filter((n) => n !== focus);
  if (focus !== undefined) order.push(focus);
  for (const n of order) {
    const path = p.paths[n];
    ctx.globalAlpha = focus === undefined || focus === n ? 1 : 0.3;
    ctx.lineWidth = focus === n ? 2.5 : 1.5;
    for (let i = 0; i + 1 < S; i++) {
      const [xa, ya, xb, yb] = [path.x[i], path.y[i], path.x[i + 1], path.y[i + 1]];
      if (xa === null || ya === null || xb === null || yb === null) continue;
      ctx.strokeStyle = colour(i);
      ctx.beginPath();
      ctx.moveTo(sx.map(xa), sy.map(ya));
      ctx.lineTo(sx.map(xb), sy.map(yb));
      ctx.stroke();
    }
    const mark = (i: number, filled: boolean) => {
      const x = path.x[i], y = path.y[i];
      if (x === null || y === null) return;
      ctx.beginPath();
      ctx.arc(sx.map(x), sy.map(y), 3.5, 0, 2 * Math.PI);
      ctx.fillStyle = filled ? colour(i) : theme.bg;
      ctx.fill();
      ctx.strokeStyle = theme.fg;
      ctx.lineWidth = 1;
      ctx.stroke();
    };
    mark(0, false);
    mark(S - 1, true);
    if (p.paths.length <= MAX_LABELLED || focus === n) {
      const x = path.x[S - 1], y = path.y[S - 1];
      if (x !== null && y !== null) {
        ctx.fillStyle = theme.fg;
        ctx.textAlign = "left";
        ctx.textBaseline = "middle";
        ctx.fillText(path.label, sx.map(x) + 6, sy.map(y), 160);
      }
    }
  }
  ctx.restore();
}

export function renderTrajectory(root: HTMLElement, p: TrajectoryPayload): void {
  const theme = readTheme(root);
  const S = p.stepIndex.length;
  const title = (p.model ? p.model + " · " : "") + (p.title ?? t("trajectoryTitle"));
  const notes = [t("trajectorySize", { n: p.paths.length, t: S })];
  if (p.trueSteps) notes.push(t("trajectoryThinned", { t: S, tt: p.trueSteps }));
  if (p.trueSequences) notes.push(t("trajectoryCut", { n: p.paths.length, nn: p.trueSequences }));
  root.appendChild(el("div", "rnn-title", title));
  for (const n of notes) root.appendChild(el("div", "rnn-note", n));
  const toolbar = el("div", "rnn-toolbar");
  const last = p.stepIndex[S - 1] ?? 0;
  // The colour bar of time: the same map and range the paths use.
  const timeScale: ColorScale = { map: timeMap(theme), domain: [p.stepIndex[0] ?? 0, last > (p.stepIndex[0] ?? 0) ? last : (p.stepIndex[0] ?? 0) + 1], kind: "sequential" };
  toolbar.appendChild(legend(timeScale, t("trajectoryTime")));
  root.appendChild(toolbar);
  const width = Math.min(availableWidth(root), 720);
  const height = Math.round(Math.min(460, Math.max(280, width * 0.62)));
  const plot = layout(p, width, height);
  const canvas = el("canvas", "rnn-trajectory");
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${title}: ${p.paths.length} × ${S}`);
  root.appendChild(canvas);
  const { ctx } = sizeCanvas(canvas, width, height);
  paint(ctx, p, plot, theme, undefined);
  const tip = tooltip(root);

  let focus: number | undefined;
  /** The readout of point i of path n at a client point; that path is drawn on top. */
  const readout = (n: number, i: number, clientX: number, clientY: number) => {
    const path = p.paths[n];
    const at = path.x[i] === null || path.y[i] === null ? t("missingValue") : `PC1 ${formatNumber(path.x[i]!, 3)} · PC2 ${formatNumber(path.y[i]!, 3)}`;
    tip.show([path.label, t("trajectoryStep", { t: p.stepIndex[i] }), at], clientX, clientY);
    if (focus !== n) { focus = n; paint(ctx, p, plot, theme, n); }
  };
  const leave = () => {
    tip.hide();
    if (focus !== undefined) { focus = undefined; paint(ctx, p, plot, theme, undefined); }
  };
  /** The keyboard's point: path n, step i; the pointer moves it too. */
  let cursor = { n: 0, i: 0 };
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const mx = ev.clientX - r.left, my = ev.clientY - r.top;
    let best: [number, number] | undefined;
    let bestD = HOVER_PX * HOVER_PX;
    p.paths.forEach((path, n) => {
      for (let i = 0; i < S; i++) {
        const x = path.x[i], y = path.y[i];
        if (x === null || y === null) continue;
        const d = (plot.sx.map(x) - mx) ** 2 + (plot.sy.map(y) - my) ** 2;
        if (d <= bestD) { bestD = d; best = [n, i]; }
      }
    });
    if (!best) return leave();
    cursor = { n: best[0], i: best[1] };
    readout(best[0], best[1], ev.clientX, ev.clientY);
  });
  canvas.addEventListener("mouseleave", leave);
  // Keyboard: Tab to the plot; Left/Right walk along a path in time (Shift = 10 steps), Up/Down
  // switch paths; the tooltip is a role="status" region, so screen readers announce it.
  const showCursor = () => {
    const path = p.paths[cursor.n];
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
    paint(sized.ctx, p, plot, theme, undefined);
    return { title, note: notes.join(" "), panels: [{ canvas: c, colorBar: { scale: timeScale, caption: t("trajectoryTime") } }] };
  };
  for (const b of figureButtons("trajectory.png", figure, theme)) toolbar.appendChild(b);
}
