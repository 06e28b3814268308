/**
 * Runs of the ledger compared (application/vnd.rnn-notebook.runs+json): one curve per run, one colour
 * each, TensorBoard-style — the smoothed curve over its raw values drawn faint — with controls for the
 * metric (a select), the x axis (step / relative / wall time) and the smoothing weight (a slider), and
 * a table of the configuration keys in which the runs differ (all keys behind "Show all keys") with
 * each run's final metric values. Every control is a native, keyboard-operable element; every string
 * from the payload reaches the page as text. The choices live on the root as data-metric / data-x /
 * data-smoothing, so a host that redraws with new runs (the Compare Runs panel) can keep them.
 */
import type { RunsComparePayload, RunsXAxis } from "../shared/payloads";
import { configText, finalValue, isPerStep, runCurve, runsWith } from "../shared/runsCurves";
import { formatNumber } from "../shared/scale";
import { runsSvg } from "../shared/svgPlot";
import { availableWidth, button, el, EXPORT_SCALE, figureButtons, readTheme, saveSvgButton, type Theme, tooltip } from "./dom";
import { seriesColor } from "./gradNorms";
import { t as tr } from "./l10n";
import { linePlot, seriesLegend, type LineSeries } from "./linePlot";

const X_LABEL_KEYS = { step: "runsXStep", relative: "runsXRelative", time: "runsXTime" } as const;

/** The raw curve behind a smoothed one: the run's colour, mostly transparent (TensorBoard's look). */
function faint(color: string): string {
  return /^#[0-9a-f]{6}$/i.test(color) ? `${color}55` : color;
}

function axisLabel(axis: RunsXAxis, metric: string): string {
  if (axis === "relative") return tr("runsFraction");
  if (axis === "time") return tr("runsSeconds");
  return tr(isPerStep(metric) ? "batch" : "epoch");
}

function wallTime(ms: number): string {
  return Number.isFinite(ms) ? `${formatNumber(ms / 1000, 3)} s` : "—";
}

export function renderRuns(root: HTMLElement, p: RunsComparePayload): void {
  const theme = readTheme(root);
  const state = { metric: p.metric, x: p.x, smoothing: p.smoothing, scale: "linear" as "linear" | "log", showAll: false };
  const title = el("div", "rnn-title");
  const note = el("div", "rnn-note");
  root.appendChild(title);
  root.appendChild(note);

  // controls
  const toolbar = el("div", "rnn-toolbar");
  root.appendChild(toolbar);
  const metricLabel = el("label", "rnn-note", tr("runsMetric"));
  const select = el("select", "rnn-runs-metric");
  for (const m of p.metrics) {
    const o = el("option", undefined, m);
    o.value = m;
    select.appendChild(o);
  }
  select.value = state.metric;
  select.addEventListener("change", () => { state.metric = select.value; redraw(); });
  metricLabel.appendChild(select);
  toolbar.appendChild(metricLabel);
  const xGroup = el("span", "rnn-runs-x");
  xGroup.setAttribute("role", "group");
  xGroup.setAttribute("aria-label", tr("runsX"));
  xGroup.appendChild(el("span", "rnn-note", tr("runsX")));
  const xButtons = (["step", "relative", "time"] as const).map((axis) => {
    const b = button(tr(X_LABEL_KEYS[axis]), () => { state.x = axis; redraw(); }, state.x === axis);
    b.dataset.axis = axis;
    xGroup.appendChild(b);
    return b;
  });
  toolbar.appendChild(xGroup);
  const smoothLabel = el("label", "rnn-note", tr("runsSmoothing"));
  const slider = el("input", "rnn-runs-smoothing");
  slider.type = "range";
  slider.min = "0";
  slider.max = "0.99";
  slider.step = "0.01";
  slider.value = String(state.smoothing);
  const smoothValue = el("span", "rnn-runs-smoothing-value", formatNumber(state.smoothing, 2));
  slider.addEventListener("input", () => {
    const w = Number(slider.value);
    state.smoothing = Number.isFinite(w) ? Math.max(0, Math.min(0.99, w)) : 0;
    redraw();
  });
  smoothLabel.appendChild(slider);
  toolbar.appendChild(smoothLabel);
  toolbar.appendChild(smoothValue);
  toolbar.appendChild(el("span", "rnn-note", tr("yScale")));
  const logBtn = button(tr("log"), () => { state.scale = "log"; redraw(); }, false);
  const linBtn = button(tr("linear"), () => { state.scale = "linear"; redraw(); }, true);
  toolbar.appendChild(logBtn);
  toolbar.appendChild(linBtn);

  const tip = tooltip(root);
  const colors = p.runs.map((_, k) => seriesColor(k, theme));
  const spec = () => {
    const series: LineSeries[] = [];
    p.runs.forEach((r, k) => {
      const c = runCurve(r, state.metric, state.x, state.smoothing);
      if (!c) return;
      if (state.smoothing > 0) series.push({ label: `${r.id} (raw)`, x: c.x, y: c.raw, color: faint(colors[k]), lineWidth: 1 });
      series.push({ label: r.id, x: c.x, y: c.smoothed, color: colors[k] });
    });
    const positive = series.every((s) => s.y.every((v) => v === null || v > 0));
    return {
      series, yScale: state.scale === "log" && positive ? "log" as const : "linear" as const,
      xLabel: axisLabel(state.x, state.metric), yLabel: state.metric, integerX: state.x === "step",
      width: Math.min(availableWidth(root), 900), height: 300, className: "rnn-runs", theme, tip,
    };
  };
  const plot = linePlot(root, spec());
  const legend = el("div");
  root.appendChild(legend);
  const tableBox = el("div");
  root.appendChild(tableBox);
  const figureBar = el("div", "rnn-toolbar");
  const legendItems = () => p.runs.map((r, k) => {
    const v = finalValue(r, state.metric);
    return { label: v === undefined ? r.id : `${r.id} — ${tr("runsFinal", { metric: state.metric })} ${formatNumber(v, 4)}`, color: colors[k] };
  });
  const notes = () => {
    const parts = [p.trueRuns ? tr("runsLastOf", { n: p.runs.length, total: p.trueRuns }) : tr("runsCount", { n: p.runs.length })];
    parts.push(state.smoothing > 0 ? tr("runsSmoothed", { w: formatNumber(state.smoothing, 2) }) : tr("runsRaw"));
    if (p.runs.some((r) => r.series.some((s) => s.every > 1))) parts.push(tr("runsReduced", { n: p.maxPoints }));
    const without = p.runs.length - runsWith(p, state.metric).length;
    if (without > 0) parts.push(tr("runsWithout", { n: without, metric: state.metric }));
    return parts.join(" · ") + ".";
  };
  const exportPlot = () => linePlot(el("div"), { ...spec(), pixelRatio: EXPORT_SCALE }).canvas;
  for (const b of figureButtons("runs.png", () => ({ title: title.textContent ?? "", note: notes(), panels: [{ canvas: exportPlot() }], legend: legendItems() }), theme)) {
    figureBar.appendChild(b);
  }
  figureBar.appendChild(saveSvgButton("runs.svg", () => runsSvg({ ...p, metric: state.metric, x: state.x, smoothing: state.smoothing })));
  root.appendChild(figureBar);

  function redraw(): void {
    title.textContent = p.title ?? tr("runsTitle", { metric: state.metric });
    note.textContent = notes();
    for (const b of xButtons) b.setAttribute("aria-pressed", String(b.dataset.axis === state.x));
    logBtn.setAttribute("aria-pressed", String(state.scale === "log"));
    linBtn.setAttribute("aria-pressed", String(state.scale === "linear"));
    smoothValue.textContent = formatNumber(state.smoothing, 2);
    plot.draw(spec());
    legend.replaceChildren(seriesLegend(legendItems()));
    tableBox.replaceChildren(configTable(p, state.showAll, colors, theme, () => { state.showAll = !state.showAll; redraw(); }));
    root.dataset.metric = state.metric;
    root.dataset.x = state.x;
    root.dataset.smoothing = String(state.smoothing);
  }
  redraw();
}

/**
 * Rows are keys, columns runs (a run's settings read down its column): model, parameters and wall time
 * always, then the configuration keys that differ (all of them with "Show all keys", the differing
 * ones marked), then each metric's final value.
 */
function configTable(p: RunsComparePayload, showAll: boolean, colors: string[], theme: Theme, toggle: () => void): HTMLElement {
  const box = el("div", "rnn-runs-config");
  const allKeys: string[] = [];
  for (const r of p.runs) for (const k of Object.keys(r.config)) if (!allKeys.includes(k)) allKeys.push(k);
  const head = el("div", "rnn-toolbar");
  head.appendChild(el("span", "rnn-note", p.differingKeys.length === 0 ? tr("runsSame") : tr("runsDiffer", { n: p.differingKeys.length, total: allKeys.length })));
  const all = button(tr("runsShowAll"), toggle, showAll);
  all.classList.add("rnn-runs-show-all");
  head.appendChild(all);
  box.appendChild(head);
  const wrap = el("div", "rnn-table-wrap");
  const table = el("table", "rnn-table");
  const thead = el("thead");
  const hr = el("tr");
  hr.appendChild(el("th", undefined, tr("runsKey")));
  p.runs.forEach((r, k) => {
    const th = el("th", "rnn-runs-run");
    const sw = el("span", "sw");
    sw.style.display = "inline-block";
    sw.style.width = "12px";
    sw.style.height = "0";
    sw.style.borderTop = `3px solid ${colors[k]}`;
    sw.style.marginRight = "5px";
    sw.style.verticalAlign = "middle";
    th.appendChild(sw);
    th.appendChild(document.createTextNode(r.id));
    const status = r.interrupted ? tr("runsInterrupted") : r.stoppedEarly ? tr("runsStoppedEarly") : "";
    if (status) th.appendChild(el("span", "rnn-note", ` (${status})`));
    hr.appendChild(th);
  });
  thead.appendChild(hr);
  table.appendChild(thead);
  const body = el("tbody");
  const row = (key: string, cells: string[], className: string, numeric = false) => {
    const tr = el("tr", className);
    tr.dataset.key = key;
    tr.tabIndex = 0;
    const th = el("th", undefined, key);
    if (className.includes("differs")) th.style.color = theme.accent;
    tr.appendChild(th);
    for (const c of cells) tr.appendChild(el("td", numeric ? "num" : undefined, c));
    body.appendChild(tr);
  };
  row(tr("runsModel"), p.runs.map((r) => (r.model.type ? `${r.model.name} (${r.model.type})` : r.model.name)), "rnn-runs-fixed");
  row(tr("runsParams"), p.runs.map((r) => (Number.isFinite(r.model.totalParams) ? r.model.totalParams.toLocaleString("en-US") : "—")), "rnn-runs-fixed", true);
  row(tr("runsWallTime"), p.runs.map((r) => wallTime(r.wallTimeMs)), "rnn-runs-fixed", true);
  for (const key of showAll ? allKeys : p.differingKeys) {
    const differs = p.differingKeys.includes(key);
    row(key, p.runs.map((r) => (Object.prototype.hasOwnProperty.call(r.config, key) ? configText(r.config[key]) : "—")), `rnn-runs-key${differs ? " differs" : ""}`);
  }
  for (const m of p.metrics) {
    row(tr("runsFinal", { metric: m }), p.runs.map((r) => {
      const v = finalValue(r, m);
      return v === undefined ? "—" : v === null ? tr("runsNone") : formatNumber(v, 4);
    }), "rnn-runs-final", true);
  }
  table.appendChild(body);
  wrap.appendChild(table);
  box.appendChild(wrap);
  return box;
}
