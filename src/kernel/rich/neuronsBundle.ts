/**
 * Neurons over text → application/vnd.rnn-notebook.neurons+json + image/png + text/plain. The payload
 * keeps the first `maxSteps` characters and the first `maxUnits` of the chosen units (cut, not pooled:
 * a block mean of several characters' states belongs to no character) and says what was cut. The PNG
 * shows the start of the text for the first units; the text fallback names each unit's extremes.
 */
import type { NeuronActivations, UnitSelection } from "../../engine/analysis/neurons";
import { diverging, type ColorScale } from "../../shared/colormaps";
import { MIME, type MimeBundle } from "../../shared/mime";
import type { NeuronsPayload } from "../../shared/payloads";
import { formatNumber } from "../../shared/scale";
import { roundSig } from "./downsample";
import { heatmapPngBase64 } from "./heatmapImage";

/** What the PNG fallback shows: enough characters for one legible glyph per 8-px column, a few units. */
const PNG_STEPS = 96;
const PNG_UNITS = 24;

/** The payload of an analysis, cut to at most maxSteps characters × maxUnits units. */
export function neuronsPayload(a: NeuronActivations, opts: { title?: string; model?: string; maxSteps: number; maxUnits: number; select?: UnitSelection }): NeuronsPayload {
  const [trueT, trueU] = a.values.shape;
  const T = Math.min(trueT, opts.maxSteps), U = Math.min(trueU, opts.maxUnits);
  const values = new Array<number | null>(U * T);
  let max = 1; // at least ±1: h of a tanh cell fills the scale, a cell state c wider than 1 widens it
  for (let j = 0; j < U; j++) {
    for (let t = 0; t < T; t++) {
      const v = a.values.data[t * trueU + j];
      values[j * T + t] = roundSig(v, 3);
      if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
    }
  }
  const p: NeuronsPayload = {
    layer: a.layer, state: a.state,
    text: a.text.slice(0, T), units: a.units.slice(0, U), layerUnits: a.layerUnits,
    values, domain: [-roundSig(max, 3)!, roundSig(max, 3)!],
  };
  if (opts.title) p.title = opts.title;
  if (opts.model) p.model = opts.model;
  if (T < trueT) p.trueSteps = trueT;
  if (a.guesses) {
    const k = a.guesses.probs.shape[1];
    p.guesses = {
      k,
      chars: a.guesses.chars.slice(0, T).flat(),
      probs: Array.from(a.guesses.probs.data.subarray(0, T * k), (v) => roundSig(v, 3)),
    };
  }
  if (opts.select) {
    const sel = opts.select;
    p.select = {
      range: sel.range,
      units: sel.units.map((u) => ({ unit: u.unit, score: roundSig(u.score, 4) ?? 0, on: u.on })),
      // only what the payload's text shows
      matches: sel.matches.filter(([s]) => s < T).map(([s, e]) => [s, Math.min(e, T)] as [number, number]),
    };
  }
  const notes: string[] = [];
  if (U < trueU) notes.push(`units ${p.units.slice(0, 3).join(", ")}${U > 3 ? ", …" : ""} shown, ${U} of the ${trueU} chosen; pass units: [...] to pick others`);
  if (a.noGuesses) notes.push(`no next-character guesses: ${a.noGuesses}`);
  if (notes.length) p.note = notes.join("; ");
  return p;
}

const STATE_NAMES = { h: "hidden state h", c: "cell state c" } as const;

export function neuronsBundle(p: NeuronsPayload): MimeBundle {
  const T = p.text.length, U = p.units.length;
  const layer = `${p.model ? `${p.model} · ` : ""}layer ${p.layer.index} "${p.layer.name}"`;
  const cut = p.trueSteps ? `first ${T} of ${p.trueSteps} characters` : `${T} characters`;
  const title = `${p.title ?? "Neurons over text"} — ${layer}, ${STATE_NAMES[p.state]}: ${U} of ${p.layerUnits} units × ${cut}`;
  const cs: ColorScale = { map: diverging, domain: p.domain, kind: "diverging" };
  const pngT = Math.min(T, PNG_STEPS), pngU = Math.min(U, PNG_UNITS);
  const png = heatmapPngBase64([{
    label: `units ${p.units[0]}…${p.units[pngU - 1]} (rows) over the first ${pngT} characters`,
    rows: pngU, cols: pngT, at: (r, c) => p.values[r * T + c], colorScale: cs,
  }], undefined, p.text.slice(0, pngT), title);
  return {
    [MIME.neurons]: p,
    "image/png": png,
    "text/plain": [title, ...(p.note ? [p.note] : []), ...selectLine(p), ...unitLines(p), ...guessLine(p)].join("\n"),
  };
}

/** The selection: which units are on in the range, and where else the text has their pattern. */
function selectLine(p: NeuronsPayload): string[] {
  const sel = p.select;
  if (!sel) return [];
  const piece = ([s, e]: [number, number]) => `t=${s}…${e - 1} ${JSON.stringify(p.text.slice(s, e).join(""))}`;
  const units = sel.units.length ? sel.units.map((u) => `${u.unit} (+${formatNumber(u.score, 3)}${u.on ? ", on" : ""})`).join(", ") : "none more active there than elsewhere";
  const matches = sel.matches.length ? sel.matches.slice(0, 12).map(piece).join(", ") + (sel.matches.length > 12 ? ", …" : "") : "nowhere else";
  return [`selected ${piece(sel.range)}: units ${units}; same pattern at ${matches}`];
}

/** Per unit (up to 16): where along the text it is most positive and most negative. */
function unitLines(p: NeuronsPayload): string[] {
  const T = p.text.length;
  const at = (t: number) => `t=${t} ${JSON.stringify(p.text[t])}`;
  return p.units.slice(0, 16).map((u, j) => {
    let hi = -1, lo = -1;
    for (let t = 0; t < T; t++) {
      const v = p.values[j * T + t];
      if (v === null) continue;
      if (hi < 0 || v > p.values[j * T + hi]!) hi = t;
      if (lo < 0 || v < p.values[j * T + lo]!) lo = t;
    }
    if (hi < 0) return `unit ${u}: missing`;
    return `unit ${u}: highest ${formatNumber(p.values[j * T + hi]!, 3)} at ${at(hi)}, lowest ${formatNumber(p.values[j * T + lo]!, 3)} at ${at(lo)}`;
  }).concat(p.units.length > 16 ? [`… ${p.units.length - 16} more units`] : []);
}

/** The guesses after the last shown character, "e 41%, a 20%". */
function guessLine(p: NeuronsPayload): string[] {
  const g = p.guesses;
  if (!g) return [];
  const t = p.text.length - 1;
  const list = Array.from({ length: g.k }, (_, i) => {
    const q = g.probs[t * g.k + i];
    return `${JSON.stringify(g.chars[t * g.k + i])} ${q === null ? "?" : `${formatNumber(q * 100, 3)}%`}`;
  });
  return [`next-character guesses after ${JSON.stringify(p.text[t])} (t=${t}): ${list.join(", ")}`];
}
