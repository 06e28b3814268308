/**
 * Neurons over text (Karpathy 2015, "The unreasonable effectiveness of recurrent neural networks"): the
 * text once per unit, each character on a background coloured by that unit's state (diverging scale),
 * and under the rows the model's top-k guesses for the next character, shaded by probability.
 *
 * A text of 10,000 characters × 256 units is far wider and taller than any canvas may be, so the view is
 * virtual: a scroll box holds a spacer of the full size, and ONE viewport-sized canvas inside it is
 * moved to the scroll position and repainted with only the visible cells (a few thousand fillRect +
 * fillText calls, whatever the text's length). Characters are canvas text, never markup.
 * Text colour per cell: black or white, whichever contrasts more with that cell's background (WCAG
 * relative luminance), so every character stays legible on every colour of the scale and theme.
 * Readout by pointer or keyboard (Tab, arrows), as in the gate heatmaps.
 * Select → match (LSTMVis): drag across characters (or `select: [start, end]` in the cell) and the units
 * most active there are listed and marked, and the other places with their on/off pattern are framed
 * (src/shared/neuronSelect.ts, the same code as rnn.analysis.selectUnits, on the shown units).
 */
import { diverging, divergingDark, lut, MISSING, relativeLuminance, scaleT, sequential, type ColorScale, type RGB } from "../shared/colormaps";
import { CELL_CLASS_NAMES, type NeuronsPayload } from "../shared/payloads";
import { formatNumber } from "../shared/scale";
import { availableWidth, el, EXPORT_SCALE, figureButtons, readTheme, sizeCanvas, type Theme, tooltip } from "./dom";
import { legend, visibleToken } from "./heatmap";
import { t } from "./l10n";
import { validateNeurons } from "../shared/validate";
import { selectColumns } from "../shared/neuronSelect";
import { editableView } from "./whatIf";

/** Cell size in CSS pixels: one 12-px monospace character per cell. */
const CW = 11;
const RH = 17;
/** Guess rows are a little lower than unit rows. */
const GH = 14;
const LABEL_W = 64;
/** Unit rows visible at once before the box scrolls vertically. */
const MAX_VISIBLE_ROWS = 20;
const GAP = 6;

/** Fill colours and the legible ink of each of 256 steps of a colour map. */
function palette(cs: ColorScale): { fill: string[]; ink: string[] } {
  const table = lut(cs.map);
  const fill: string[] = [], ink: string[] = [];
  for (let k = 0; k < 256; k++) {
    const rgb: RGB = [table[k * 3], table[k * 3 + 1], table[k * 3 + 2]];
    fill.push(`rgb(${rgb[0]},${rgb[1]},${rgb[2]})`);
    // Contrast with black (L + 0.05) / 0.05 beats contrast with white 1.05 / (L + 0.05) above L ≈ 0.179.
    ink.push(relativeLuminance(rgb) > 0.179 ? "#000000" : "#ffffff");
  }
  return { fill, ink };
}

/** A selection as drawn: the range, the rows of its units, the matched ranges. */
interface Selection { range: [number, number]; rows: number[]; matches: [number, number][] }

/** Where the viewport is: scroll offsets and the visible size, CSS pixels. */
interface View { left: number; top: number; width: number; height: number }

interface Painter {
  /** Rows area height (the guess band sits under it). */
  rowsH: number;
  guessH: number;
  fullW: number;
  paint(ctx: CanvasRenderingContext2D, v: View, hover: { t: number; row: number } | undefined, sel?: Selection): void;
}

function painter(p: NeuronsPayload, theme: Theme, cs: ColorScale): Painter {
  const T = p.text.length, U = p.units.length;
  const k = p.guesses?.k ?? 0;
  const cells = palette(cs);
  const probs = palette({ map: sequential, domain: [0, 1], kind: "sequential" });
  const rowsH = Math.min(U, MAX_VISIBLE_ROWS) * RH;
  const guessH = k > 0 ? GAP + k * GH : 0;
  const missing = `rgb(${MISSING.join(",")})`;
  const font = `12px ${theme.monoFont}`;
  const index = (v: number | null, scale: ColorScale) => {
    const f = scaleT(scale, v);
    return Number.isNaN(f) ? -1 : Math.round(f * 255);
  };
  const probScale: ColorScale = { map: sequential, domain: [0, 1], kind: "sequential" };
  return {
    rowsH, guessH, fullW: LABEL_W + T * CW,
    paint(ctx, v, hover, sel) {
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, v.width, v.height);
      const t0 = Math.max(0, Math.floor(v.left / CW)), t1 = Math.min(T, Math.ceil((v.left + v.width - LABEL_W) / CW) + 1);
      const r0 = Math.max(0, Math.floor(v.top / RH)), r1 = Math.min(U, Math.ceil((v.top + rowsH) / RH) + 1);
      const x = (tt: number) => LABEL_W + tt * CW - v.left;
      ctx.font = font;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      // unit rows, clipped to the rows area right of the labels
      ctx.save();
      ctx.beginPath();
      ctx.rect(LABEL_W, 0, v.width - LABEL_W, rowsH);
      ctx.clip();
      for (let r = r0; r < r1; r++) {
        const y = r * RH - v.top;
        for (let tt = t0; tt < t1; tt++) {
          const i = index(p.values[r * T + tt], cs);
          ctx.fillStyle = i < 0 ? missing : cells.fill[i];
          ctx.fillRect(x(tt), y, CW, RH);
          ctx.fillStyle = i < 0 ? "#000000" : cells.ink[i];
          ctx.fillText(visibleToken(p.text[tt]), x(tt) + CW / 2, y + RH / 2 + 0.5, CW);
        }
      }
      ctx.restore();
      // guess band: k rows under the text, each guess on its probability's colour
      if (p.guesses && k > 0) {
        const g = p.guesses;
        ctx.save();
        ctx.beginPath();
        ctx.rect(LABEL_W, rowsH, v.width - LABEL_W, guessH);
        ctx.clip();
        for (let tt = t0; tt < t1; tt++) {
          for (let i = 0; i < k; i++) {
            const y = rowsH + GAP + i * GH;
            const c = index(g.probs[tt * k + i], probScale);
            ctx.fillStyle = c < 0 ? missing : probs.fill[c];
            ctx.fillRect(x(tt), y, CW, GH);
            ctx.fillStyle = c < 0 ? "#000000" : probs.ink[c];
            ctx.fillText(visibleToken(g.chars[tt * k + i]), x(tt) + CW / 2, y + GH / 2 + 0.5, CW);
          }
        }
        ctx.restore();
      }
      // row labels
      ctx.fillStyle = theme.bg;
      ctx.fillRect(0, 0, LABEL_W, v.height);
      ctx.font = `11px ${theme.font}`;
      ctx.textAlign = "right";
      ctx.fillStyle = theme.muted;
      for (let r = r0; r < r1; r++) {
        const y = r * RH - v.top + RH / 2;
        if (y > 0 && y < rowsH) ctx.fillText(t("hoverUnit", { u: p.units[r] }), LABEL_W - 6, y);
      }
      if (k > 0) ctx.fillText(t("neuronsNext"), LABEL_W - 6, rowsH + GAP + GH / 2);
      if (sel) {
        // the selected units: a bar beside their labels; the range: a solid frame; matches: dashed frames
        ctx.fillStyle = theme.fg;
        for (const r of sel.rows) {
          const y = r * RH - v.top;
          if (y > -RH && y < rowsH) ctx.fillRect(2, y + 2, 3, RH - 4);
        }
        ctx.save();
        ctx.beginPath();
        ctx.rect(LABEL_W, 0, v.width - LABEL_W, rowsH);
        ctx.clip();
        ctx.strokeStyle = theme.fg;
        ctx.lineWidth = 2;
        const frame = ([s0, e0]: [number, number]) => ctx.strokeRect(x(s0) + 1, 1, (e0 - s0) * CW - 2, rowsH - 2);
        frame(sel.range);
        ctx.setLineDash([3, 2]);
        ctx.lineWidth = 1.5;
        for (const m of sel.matches) if (m[1] > t0 && m[0] < t1) frame(m);
        ctx.restore();
      }
      // the hovered character: a frame around its column through the rows and the guesses
      if (hover) {
        ctx.strokeStyle = theme.fg;
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x(hover.t) + 0.75, 0.75, CW - 1.5, rowsH + guessH - 1.5);
        if (hover.row >= 0) ctx.strokeRect(LABEL_W + 0.75, hover.row * RH - v.top + 0.75, v.width - LABEL_W - 1.5, RH - 1.5);
      }
    },
  };
}

/** The view, under its what-if input bar when the payload is editable (whatIf.ts). */
export function renderNeurons(root: HTMLElement, p: NeuronsPayload): void {
  editableView(root, p, "neurons", validateNeurons, drawNeurons);
}

function drawNeurons(root: HTMLElement, p: NeuronsPayload): void {
  const theme = readTheme(root);
  const T = p.text.length, U = p.units.length;
  const state = t(p.state === "c" ? "gate_c" : "gate_h");
  const layer = t("layer", { type: CELL_CLASS_NAMES[p.layer.type], index: p.layer.index, name: p.layer.name });
  const title = (p.model ? p.model + " · " : "") + (p.title ?? t("neuronsTitle", { layer, state }));
  const notes = [t("neuronsSize", { u: U, uu: p.layerUnits, t: T, state })];
  if (p.trueSteps) notes.push(t("neuronsCut", { t: T, tt: p.trueSteps }));
  if (p.note) notes.push(p.note);
  root.appendChild(el("div", "rnn-title", title));
  for (const n of notes) root.appendChild(el("div", "rnn-note", n));
  const cs: ColorScale = { map: theme.dark ? divergingDark : diverging, domain: p.domain, kind: "diverging" };
  const toolbar = el("div", "rnn-toolbar");
  toolbar.appendChild(legend(cs, state));
  root.appendChild(toolbar);

  const pt = painter(p, theme, cs);
  const box = el("div", "rnn-neurons-scroll");
  const width = Math.min(availableWidth(root), pt.fullW + (U > MAX_VISIBLE_ROWS ? 16 : 0)); // room for a vertical scrollbar
  box.style.cssText = `position: relative; overflow: auto; width: ${width}px; max-width: 100%; height: ${pt.rowsH + pt.guessH + 16}px;`;
  const spacer = el("div");
  spacer.style.cssText = `position: relative; width: ${pt.fullW}px; height: ${U * RH + pt.guessH}px;`;
  const canvas = el("canvas", "rnn-neurons");
  canvas.style.position = "absolute";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", `${title}: ${U} × ${T}`);
  spacer.appendChild(canvas);
  box.appendChild(spacer);
  root.appendChild(box);
  const detail = el("div", "rnn-note rnn-neurons-detail", t("neuronsHover"));
  root.appendChild(detail);
  const selNote = el("div", "rnn-note rnn-neurons-select", t("neuronsSelectHint"));
  root.appendChild(selNote);
  let sel: Selection | undefined;
  const piece = ([s0, e0]: [number, number]) => `t = ${s0}…${e0 - 1} “${p.text.slice(s0, e0).map(visibleToken).join("")}”`;
  /** Shows a selection: `units` best first (unit ids, with their scores), matched ranges. */
  const select = (range: [number, number], units: { unit: number; score: number }[], matches: [number, number][]) => {
    sel = { range, rows: units.map((u) => p.units.indexOf(u.unit)).filter((r) => r >= 0), matches };
    selNote.textContent = t("neuronsSelected", {
      range: piece(range),
      units: units.length ? units.map((u) => `${u.unit} (+${formatNumber(u.score, 3)})`).join(", ") : t("neuronsSelectNone"),
      matches: matches.length ? matches.slice(0, 8).map(piece).join(", ") + (matches.length > 8 ? ", …" : "") : t("neuronsMatchNone"),
    });
    root.dataset.selected = `${range[0]}-${range[1]}`;
  };
  if (p.select) select(p.select.range, p.select.units, p.select.matches);
  const tip = tooltip(root);

  let hover: { t: number; row: number } | undefined;
  /** A drag in progress: from which character, and the range drawn so far. */
  let dragFrom = -1;
  let dragging: Selection | undefined;
  let size = { w: 0, h: 0 };
  const view = (): View => ({
    left: box.scrollLeft, top: box.scrollTop,
    // before layout (clientWidth 0) the box's intended size
    width: box.clientWidth || width, height: box.clientHeight || pt.rowsH + pt.guessH,
  });
  const draw = () => {
    const v = view();
    if (v.width !== size.w || v.height !== size.h) {
      sizeCanvas(canvas, v.width, v.height);
      size = { w: v.width, h: v.height };
      // The last unit row scrolls up to the bottom of the rows area, whatever the scrollbars take.
      spacer.style.height = `${U * RH - pt.rowsH + v.height}px`;
    }
    canvas.style.left = `${v.left}px`;
    canvas.style.top = `${v.top}px`;
    const ctx = canvas.getContext("2d")!;
    pt.paint(ctx, v, hover, dragging ?? sel);
  };
  let queued = false;
  box.addEventListener("scroll", () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; draw(); });
  });

  const probText = (q: number | null) => (q === null ? t("missing") : `${formatNumber(q * 100, 3)}%`);
  const guessText = (tt: number) => {
    const g = p.guesses;
    if (!g) return "";
    return Array.from({ length: g.k }, (_, i) => `${visibleToken(g.chars[tt * g.k + i])} ${probText(g.probs[tt * g.k + i])}`).join(" · ");
  };
  /** The readout of character tt (and unit row `row`, or −1 for the guess band) at a client point. */
  const readout = (tt: number, row: number, clientX: number, clientY: number) => {
    hover = { t: tt, row };
    const head = t("neuronsAt", { t: tt, ch: visibleToken(p.text[tt]) });
    const lines = [row >= 0 ? `${t("hoverUnit", { u: p.units[row] })} · ${head}` : head];
    if (row >= 0) {
      const val = p.values[row * T + tt];
      lines.push(val === null ? t("missingValue") : t("hoverValue", { v: formatNumber(val, 3) }));
    }
    if (p.guesses) lines.push(t("neuronsGuesses", { list: guessText(tt) }));
    tip.show(lines, clientX, clientY);
    detail.textContent = p.guesses ? `${head} · ${t("neuronsGuesses", { list: guessText(tt) })}` : head;
    draw();
  };
  const leave = () => { hover = undefined; tip.hide(); draw(); };
  /** The keyboard's character and unit row; the pointer moves it too. */
  let cursor = { t: 0, row: 0 };
  /** The character under a client point, or −1. */
  const charAt = (clientX: number) => {
    const x = clientX - canvas.getBoundingClientRect().left;
    const tt = Math.floor((x - LABEL_W + view().left) / CW);
    return x < LABEL_W || tt < 0 || tt >= T ? -1 : tt;
  };
  canvas.addEventListener("mousemove", (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, y = ev.clientY - r.top;
    const v = view();
    const tt = Math.floor((x - LABEL_W + v.left) / CW);
    const row = y < pt.rowsH ? Math.floor((y + v.top) / RH) : -1;
    if (dragFrom >= 0 && tt >= 0 && tt < T) dragging = { range: [Math.min(dragFrom, tt), Math.max(dragFrom, tt) + 1], rows: [], matches: [] };
    if (x < LABEL_W || tt < 0 || tt >= T || row >= U) return leave();
    cursor = { t: tt, row: Math.max(0, row) };
    readout(tt, row, ev.clientX, ev.clientY);
  });
  // Drag across characters to select them (LSTMVis's select → match over the shown units).
  canvas.addEventListener("mousedown", (ev) => {
    const tt = charAt(ev.clientX);
    if (tt < 0 || ev.button !== 0) return;
    dragFrom = tt;
    dragging = { range: [tt, tt + 1], rows: [], matches: [] };
    draw();
  });
  const endDrag = (clientX: number) => {
    if (dragFrom < 0) return;
    const tt = charAt(clientX);
    const range: [number, number] = dragging?.range ?? [dragFrom, dragFrom + 1];
    if (tt >= 0) { range[0] = Math.min(dragFrom, tt); range[1] = Math.max(dragFrom, tt) + 1; }
    dragFrom = -1;
    dragging = undefined;
    const found = selectColumns((row, t2) => p.values[row * T + t2], T, U, range);
    select(range, found.columns.map((c) => ({ unit: p.units[c.column], score: c.score })), found.matches);
    draw();
  };
  canvas.addEventListener("mouseup", (ev) => endDrag(ev.clientX));
  canvas.addEventListener("mouseleave", (ev) => {
    endDrag(ev.clientX);
    leave();
  });
  // Keyboard: Tab to the view, arrows move a character/unit cursor (Shift = 10 characters), the box
  // scrolls to keep it in sight; the tooltip is a role="status" region, so screen readers announce it.
  const showCursor = () => {
    const v = view();
    const x = LABEL_W + cursor.t * CW - v.left, y = cursor.row * RH - v.top;
    if (x < LABEL_W) box.scrollLeft = cursor.t * CW;
    else if (x + CW > v.width) box.scrollLeft = cursor.t * CW + LABEL_W + CW - v.width;
    if (y < 0) box.scrollTop = cursor.row * RH;
    else if (y + RH > pt.rowsH) box.scrollTop = (cursor.row + 1) * RH - pt.rowsH;
    draw(); // moves the canvas to the new scroll position before the tooltip is placed
    const now = view(), r = canvas.getBoundingClientRect();
    readout(cursor.t, cursor.row, r.left + LABEL_W + (cursor.t + 1) * CW - now.left, r.top + (cursor.row + 1) * RH - now.top);
  };
  canvas.tabIndex = 0;
  canvas.addEventListener("keydown", (ev) => {
    const step = ev.shiftKey ? 10 : 1;
    const moves: Record<string, [number, number]> = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    const m = moves[ev.key];
    if (!m) return;
    ev.preventDefault();
    cursor = { t: Math.min(T - 1, Math.max(0, cursor.t + m[0])), row: Math.min(U - 1, Math.max(0, cursor.row + m[1])) };
    showCursor();
  });
  canvas.addEventListener("focus", showCursor);
  canvas.addEventListener("blur", leave);
  draw();

  const figure = () => {
    const v = view();
    const c = el("canvas");
    const sized = sizeCanvas(c, v.width, v.height, EXPORT_SCALE);
    pt.paint(sized.ctx, v, undefined, sel);
    return { title, note: notes.join(" "), panels: [{ canvas: c, colorBar: { scale: cs, caption: state } }] };
  };
  for (const b of figureButtons("neurons.png", figure, theme)) toolbar.appendChild(b);
}
