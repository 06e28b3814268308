/**
 * "What if" in an output: a view whose payload names a what-if handle (gates, neurons, connectivity)
 * shows its input above the drawing — a text field, or a row of number fields per feature — and an
 * edit (debounced) asks the extension, through renderer messaging, for the same view recomputed by the
 * kernel on the live model; the answer is validated like any payload and drawn in place of the old
 * drawing, while the input keeps its focus. States, said as text: ready; "kernel busy" while a cell runs
 * (an edit answered "busy" is sent again when the cell ended); read-only (fields disabled, their title says why)
 * without a kernel, in an untrusted workspace, after a restart, or without messaging (an exported page).
 * An input the model cannot take gets the kernel's message under the field. Nothing is written into
 * the notebook: the saved output is the cell's own (the tooltip says so).
 */
import type { WhatIfField, WhatIfInput, WhatIfView } from "../shared/payloads";
import type { KernelState, WhatIfReply } from "../shared/whatIf";
import { clear, el } from "./dom";
import { t as tr, type MessageKey } from "./l10n";
import { channel } from "./messaging";

/** Wait after the last keystroke before asking the kernel. */
export const DEBOUNCE_MS = 150;

/** The last recomputed payload per output container: a redraw after a theme or width change keeps the edit. */
const lastEdit = new WeakMap<Element, { handle: string; payload: unknown }>();

type State = KernelState | "noChannel";
const READ_ONLY: ReadonlySet<State> = new Set(["noKernel", "untrusted", "restarted", "noChannel"]);
const STATE_TEXT: Record<Exclude<State, "ready">, MessageKey> = {
  busy: "whatIfBusy", noKernel: "whatIfNoKernel", untrusted: "whatIfUntrusted", restarted: "whatIfStale", noChannel: "whatIfNoChannel",
};

const FIELD_STYLE = "font: inherit; font-size: 12px; color: var(--vscode-input-foreground, inherit); background: var(--vscode-input-background, transparent);"
  + " border: 1px solid var(--vscode-input-border, var(--vscode-contrastBorder, #8888)); padding: 1px 4px; border-radius: 2px;";

/** A number as a field shows it: six significant digits, no exponent noise for ordinary values. */
function shown(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/**
 * Draws `p` with `draw`, under an input bar when the payload is editable. `validate` checks a
 * recomputed payload as the renderer's entry checks the cell's own (it throws on a bad one).
 */
export function editableView<P extends { whatIf?: WhatIfField }>(root: HTMLElement, p: P, view: WhatIfView,
  validate: (raw: unknown) => P, draw: (root: HTMLElement, p: P) => void): void {
  if (!p.whatIf) {
    draw(root, p);
    return;
  }
  const container = root.parentElement;
  const kept = container ? lastEdit.get(container) : undefined;
  if (kept?.handle === p.whatIf.handle) {
    try {
      p = validate(kept.payload);
    } catch {
      // the cell's own payload is drawn instead
    }
  }
  const handle = p.whatIf!.handle;
  const bar = el("div", "rnn-whatif");
  bar.title = tr("whatIfTooltip");
  bar.style.cssText = "margin: 4px 0 6px; display: flex; flex-direction: column; gap: 3px;";
  const row = el("div");
  row.style.cssText = "display: flex; gap: 6px; align-items: center; flex-wrap: wrap;";
  row.appendChild(el("span", "rnn-whatif-label", tr("whatIfLabel")));
  bar.appendChild(row);
  const fields = inputFields(p.whatIf!.input);
  row.appendChild(fields.element);
  const status = el("div", "rnn-note rnn-whatif-status");
  status.setAttribute("role", "status");
  const problem = el("div", "rnn-note rnn-whatif-error");
  problem.style.color = "var(--vscode-errorForeground, #c72e0f)";
  bar.append(status, problem);
  const body = el("div", "rnn-whatif-body");
  root.append(bar, body);
  draw(body, p);

  let state: State = "ready";
  let sticky = false; // restarted or stale: read-only until the cell runs again (a new output)
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  let waiting: WhatIfInput | undefined; // an edit made while the kernel was busy
  let draws = 0;
  const ch = channel();

  const setState = (s: State) => {
    if (sticky) return;
    if (s === "restarted") sticky = true;
    state = s;
    bar.dataset.state = s;
    const why = s === "ready" ? "" : tr(STATE_TEXT[s]);
    status.textContent = why;
    fields.setDisabled(READ_ONLY.has(s), why);
  };
  const showProblem = (text: string) => {
    problem.textContent = text;
    bar.dataset.error = text ? "1" : "";
  };

  const send = () => {
    timer = undefined;
    const input = fields.read();
    if (typeof input === "string") return showProblem(input);
    showProblem("");
    // Sent even when the output was told the kernel is busy: the extension knows best, and answers "busy" again if so.
    if (!ch || READ_ONLY.has(state)) return;
    const seq = ++latest;
    bar.dataset.pending = "1";
    void ch.whatIf({ view, handle, input }).then((reply) => answered(seq, input, reply));
  };
  const answered = (seq: number, input: WhatIfInput, reply: WhatIfReply) => {
    if (seq !== latest) return; // a later edit is on its way
    bar.dataset.pending = "";
    setState(reply.state);
    if (reply.state === "busy") waiting = input;
    const r = reply.result;
    if (!r) return;
    if (!r.ok) {
      if (r.reason === "stale") setState("restarted");
      else showProblem(r.message);
      return;
    }
    let next: P;
    try {
      next = validate(r.payload);
    } catch (e) {
      showProblem(e instanceof Error ? e.message : String(e));
      return;
    }
    clear(body);
    draw(body, next);
    if (container) lastEdit.set(container, { handle, payload: r.payload });
    root.dataset.whatIfDraws = String(++draws);
    status.textContent = tr("whatIfDone", { ms: Math.round(r.ms) });
  };
  fields.onEdit(() => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(send, DEBOUNCE_MS);
  });

  if (!ch) {
    setState("noChannel");
    return;
  }
  setState("ready");
  const unsubscribe = ch.onKernelState((s) => {
    if (!root.isConnected) {
      unsubscribe();
      return;
    }
    setState(s);
    if (s === "ready" && waiting) {
      waiting = undefined;
      send();
    }
  });
  // What the kernel can do now (the output may be drawn while its cell still runs, or long after a restart).
  void ch.whatIf({ view, handle }).then((reply) => {
    setState(reply.state);
    if (reply.result && !reply.result.ok && reply.result.reason === "stale") setState("restarted");
  });
}

interface Fields {
  element: HTMLElement;
  /** The input as typed, or why it cannot be sent. */
  read(): WhatIfInput | string;
  onEdit(f: () => void): void;
  setDisabled(disabled: boolean, why: string): void;
}

function inputFields(input: WhatIfInput): Fields {
  const all: HTMLInputElement[] = [];
  const make = (value: string, label: string, width: string) => {
    const f = el("input", "rnn-whatif-field");
    f.value = value; // a property: the text is never parsed as markup
    f.setAttribute("aria-label", label);
    f.spellcheck = false;
    f.style.cssText = FIELD_STYLE + ` width: ${width};`;
    all.push(f);
    return f;
  };
  let element: HTMLElement;
  let read: () => WhatIfInput | string;
  if (input.kind === "text") {
    const f = make(input.text, tr("whatIfTextLabel"), "min(100%, 60ch)");
    f.type = "text";
    f.classList.add("rnn-whatif-text");
    element = f;
    read = () => ({ kind: "text", text: f.value });
  } else {
    const { steps: T, features: F } = input;
    const values = input.values.slice();
    const grid = el("div", "rnn-whatif-grid");
    grid.style.cssText = "display: flex; flex-direction: column; gap: 2px; overflow-x: auto; max-width: 100%;";
    const fs: HTMLInputElement[] = [];
    for (let f = 0; f < F; f++) {
      const line = el("div");
      line.style.cssText = "display: flex; gap: 2px;";
      for (let s = 0; s < T; s++) {
        const i = s * F + f;
        const field = make(shown(values[i]), tr("whatIfValueLabel", { t: s, f }), "5.5em");
        field.type = "text";
        field.inputMode = "decimal";
        // The payload's value stays exact until this field is edited (the field shows it rounded).
        field.addEventListener("input", () => (field.dataset.edited = "1"));
        fs[i] = field;
        line.appendChild(field);
      }
      grid.appendChild(line);
    }
    element = grid;
    read = () => {
      const out = values.slice();
      for (let i = 0; i < fs.length; i++) {
        if (fs[i].dataset.edited !== "1") continue;
        const text = fs[i].value.trim();
        const v = text === "" ? NaN : Number(text);
        if (!Number.isFinite(v)) return tr("whatIfNotNumber", { t: Math.floor(i / F), f: i % F, v: text });
        out[i] = v;
      }
      return { kind: "values", steps: T, features: F, values: out };
    };
  }
  return {
    element,
    read,
    onEdit: (f) => all.forEach((x) => x.addEventListener("input", f)),
    setDisabled(disabled, why) {
      for (const x of all) {
        x.disabled = disabled;
        x.title = why || tr("whatIfTooltip");
        x.style.opacity = disabled ? "0.6" : "";
      }
    },
  };
}
