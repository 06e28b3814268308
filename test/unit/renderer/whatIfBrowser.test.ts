// "What if" in an output (src/renderer/whatIf.ts) in headless Chromium, without VS Code: the real
// render() of a gates payload made by the kernel's own rnn.show.gates on a seeded model. The page's
// channel to the extension (messaging.ts's Channel, set with setChannel) forwards each request to this
// Node process, where the kernel's real what-if keeper (src/kernel/whatIf.ts) recomputes the view — only
// the extension's relay is stood in for. Checks: the input field shows the input, typing posts one
// debounced request and the reply redraws the canvas in place (focus kept); an edit answered "kernel
// busy" is sent again when the kernel is free; read-only without messaging and after a stale handle; an unusable input is
// said as text under the field; a hostile text stays an input's value.
import * as assert from "node:assert/strict";
import * as rnn from "../../../src/engine/index";
import { createShow } from "../../../src/kernel/rich/index";
import { WhatIfViews } from "../../../src/kernel/whatIf";
import { MIME, type MimeBundle } from "../../../src/shared/mime";
import type { WhatIfReply, WhatIfRequest } from "../../../src/shared/whatIf";
import { CHROMIUM, openRendererPage, type Page, type RendererPage } from "../../support/rendererPage";

const TEXT = "hello world <img src=x onerror=alert(1)>";
const vocab = rnn.text.charVocab(TEXT);

/** The page side of the stand-in channel: requests go to Node (window.nodeWhatIf), kernel states come from the test. */
const ENTRY = `
import { render } from "./src/renderer/render";
import { setChannel } from "./src/renderer/messaging";
const w = window as any;
w.rnnRender = render;
w.requests = [];
w.hold = false; // when true, requests wait in w.held until released
w.held = [];
w.stateListeners = new Set();
w.connectChannel = () => setChannel({
  saveFigure: async () => ({ type: "figureSaved", requestId: 0, error: "not in this test" }),
  whatIf: (request: any) => {
    w.requests.push(request);
    const go = () => w.nodeWhatIf(request);
    if (!w.hold) return go();
    return new Promise((resolve) => w.held.push(() => go().then(resolve)));
  },
  onKernelState: (l: any) => { w.stateListeners.add(l); return () => w.stateListeners.delete(l); },
});
w.disconnectChannel = () => setChannel(undefined);
w.kernelState = (s: string) => { for (const l of [...w.stateListeners]) l(s); };
`;

describe("what if in Chromium", function () {
  this.timeout(60_000);
  let opened: RendererPage | undefined;
  let page: Page & { exposeFunction(name: string, f: (...a: never[]) => unknown): Promise<void>; keyboard: { type(text: string): Promise<void>; press(key: string): Promise<void> } };
  const views = new WhatIfViews();
  let kernelState: WhatIfReply["state"] = "ready";
  const model = rnn.sequential({ inputShape: [null], name: "char", seed: 3 }, [
    rnn.embedding({ inputDim: vocab.size, outputDim: 4 }),
    rnn.gru({ units: 5, returnSequences: true }),
    rnn.dense({ units: vocab.size }),
  ]);

  function gatesOf(text: string): unknown {
    const out: MimeBundle[] = [];
    createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000, remember: (v, r) => views.remember(v, r) })
      .gates(model, rnn.tensor(Float32Array.from(vocab.encode(text)), [1, Array.from(text).length]), { vocab });
    return out[0][MIME.gates];
  }

  before(async function () {
    if (!CHROMIUM) { this.skip(); return; }
    opened = await openRendererPage(ENTRY,
      `class="vscode-light" style="--vscode-editor-background:#ffffff;--vscode-editor-foreground:#1f1f1f;background:#ffffff"`);
    page = opened.page as typeof page;
    // The extension's part: with the kernel ready, ask the kernel's keeper; else say the state.
    await page.exposeFunction("nodeWhatIf", ((request: WhatIfRequest): WhatIfReply => {
      const base = { type: "whatIfResult" as const, requestId: request.requestId };
      if (kernelState !== "ready") return { ...base, state: kernelState };
      return { ...base, state: "ready", result: views.run(request.view, request.handle, request.input) };
    }) as never);
  });

  after(async () => { await opened?.close(); });

  beforeEach(async () => {
    kernelState = "ready";
    if (page) await page.evaluate(() => { const w = window as any; w.requests = []; w.hold = false; w.held = []; w.connectChannel(); });
  });

  /** Draws a payload into a fresh container; returns a fingerprint of its first heatmap canvas. */
  async function draw(value: unknown): Promise<void> {
    await page.evaluate((value) => {
      document.body.replaceChildren();
      const box = document.createElement("div");
      box.style.width = "800px";
      document.body.appendChild(box);
      (window as any).root = (window as any).rnnRender({ container: box, mime: "application/vnd.rnn-notebook.gates+json", value });
    }, value);
  }

  const snapshot = () => page.evaluate(() => {
    const root = (window as any).root as HTMLElement;
    const c = root.querySelector(".rnn-whatif-body canvas:not(.rnn-legend canvas)") as HTMLCanvasElement;
    const d = c.getContext("2d")!.getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) hash = (hash * 31 + d[i] + d[i + 1] * 7 + d[i + 2] * 13) | 0;
    const bar = root.querySelector(".rnn-whatif") as HTMLElement;
    const fields = [...root.querySelectorAll("input")] as HTMLInputElement[];
    return {
      kind: root.dataset.rnnRendered, draws: root.dataset.whatIfDraws ?? "0", hash, width: c.width,
      state: bar?.dataset.state, status: root.querySelector(".rnn-whatif-status")?.textContent ?? "",
      error: root.querySelector(".rnn-whatif-error")?.textContent ?? "",
      value: fields[0]?.value, disabled: fields.map((f) => f.disabled), title: fields[0]?.title ?? "",
      focused: document.activeElement === fields[0], requests: ((window as any).requests as unknown[]).length,
      tokens: [...root.querySelectorAll("img, script, b")].length,
    };
  });

  async function waitFor(pred: (s: Awaited<ReturnType<typeof snapshot>>) => boolean, what: string) {
    for (let i = 0; i < 100; i++) {
      const s = await snapshot();
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`timed out waiting for ${what}: ${JSON.stringify(await snapshot())}`);
  }

  it("shows the input in a field; typing one character posts one debounced request and the reply redraws in place", async () => {
    await draw(gatesOf("hello"));
    const before = await waitFor((s) => s.state === "ready" && s.requests === 1, "the state request");
    assert.equal(before.kind, "gates");
    assert.equal(before.value, "hello");
    assert.deepEqual(before.disabled, [false]);
    await page.evaluate(() => { const f = document.querySelector("input")!; f.focus(); f.setSelectionRange(5, 5); });
    await page.keyboard.type(" w");
    const after = await waitFor((s) => s.draws === "1", "the redraw");
    assert.equal(after.requests, 2, "two keystrokes within the 150 ms debounce: one edit request (after the state request)");
    const sent = await page.evaluate(() => (window as any).requests[1]);
    assert.deepEqual(sent.input, { kind: "text", text: "hello w" });
    assert.notEqual(after.hash, before.hash, "the canvas changed");
    assert.ok(after.width > before.width, "two more steps: a wider heatmap");
    assert.ok(after.focused, "the field keeps the focus across the redraw");
    assert.match(after.status, /Redrawn from the kernel in \d+ ms/);
  });

  it("while a cell runs, says 'kernel busy' and sends the edit when the kernel is free", async () => {
    await draw(gatesOf("hello"));
    await waitFor((s) => s.requests === 1 && s.state === "ready", "the state request");
    kernelState = "busy";
    await page.evaluate(() => (window as any).kernelState("busy"));
    let s = await snapshot();
    assert.equal(s.state, "busy");
    assert.match(s.status, /Kernel busy/);
    await page.evaluate(() => { const f = document.querySelector("input")!; f.value = "hell"; f.dispatchEvent(new Event("input")); });
    s = await waitFor((x) => x.requests === 2, "the edit, answered busy");
    await new Promise((r) => setTimeout(r, 300));
    s = await snapshot();
    assert.equal(s.draws, "0", "nothing redrawn while busy");
    assert.match(s.status, /Kernel busy/);
    kernelState = "ready";
    await page.evaluate(() => (window as any).kernelState("ready"));
    s = await waitFor((x) => x.draws === "1", "the held edit's redraw");
    assert.equal(s.state, "ready");
    assert.equal(s.requests, 3, "sent again once the kernel was free");
  });

  it("is read-only without messaging, and after the kernel forgot the view (stale handle)", async () => {
    await page.evaluate(() => (window as any).disconnectChannel());
    await draw(gatesOf("hello"));
    let s = await snapshot();
    assert.equal(s.state, "noChannel");
    assert.deepEqual(s.disabled, [true]);
    assert.match(s.title, /Read-only: editing needs the RNN Notebooks extension/);

    await page.evaluate(() => (window as any).connectChannel());
    const p = gatesOf("hello") as { whatIf: { handle: string } };
    await draw({ ...p, whatIf: { ...p.whatIf, handle: "another-process:1" } });
    s = await waitFor((x) => x.state === "restarted", "the stale answer");
    assert.deepEqual(s.disabled, [true]);
    assert.match(s.status, /Re-run the cell/);
    await page.evaluate(() => (window as any).kernelState("ready"));
    assert.equal((await snapshot()).state, "restarted", "stays read-only: the handle is gone for good");
  });

  it("a character outside the vocabulary is said under the field; the drawing stays", async () => {
    await draw(gatesOf("hello"));
    const before = await waitFor((s) => s.requests === 1, "the state request");
    await page.evaluate(() => { const f = document.querySelector("input")!; f.value = "hellq"; f.dispatchEvent(new Event("input")); });
    const s = await waitFor((x) => x.error !== "", "the error");
    assert.match(s.error, /character "q" is not in the vocabulary/);
    assert.equal(s.draws, "0");
    assert.equal(s.hash, before.hash);
  });

  it("a hostile text stays the field's value: no element is built from it", async () => {
    await draw(gatesOf(TEXT));
    const s = await waitFor((x) => x.requests === 1, "the state request");
    assert.equal(s.value, TEXT);
    assert.equal(s.tokens, 0);
    assert.deepEqual(opened!.pageErrors, []);
  });

  it("a numeric sequence is a row of fields per feature; an edited field sends every value with that one changed", async () => {
    const numeric = rnn.sequential({ inputShape: [4, 2], name: "num", seed: 1 }, [rnn.lstm({ units: 3 }), rnn.dense({ units: 1 })]);
    const out: MimeBundle[] = [];
    createShow({ display: (b) => { out.push(b); }, maxBytes: 2_000_000, remember: (v, r) => views.remember(v, r) })
      .gates(numeric, rnn.tensor([0.5, 1, -0.25, 0, 2, 1, 0.125, -1], [1, 4, 2]));
    await draw(out[0][MIME.gates]);
    await waitFor((x) => x.requests === 1, "the state request");
    const rows = await page.evaluate(() => [...document.querySelectorAll(".rnn-whatif-grid > div")].map((r) => [...r.querySelectorAll("input")].map((f) => f.value)));
    assert.deepEqual(rows, [["0.5", "-0.25", "2", "0.125"], ["1", "0", "1", "-1"]], "feature 0 then feature 1, each along t");
    // field t = 1 of feature 0 is the second field of the first row
    await page.evaluate(() => { const f = document.querySelectorAll("input")[1]; f.value = "3"; f.dispatchEvent(new Event("input")); });
    await waitFor((x) => x.draws === "1", "the redraw");
    assert.deepEqual((await page.evaluate(() => (window as any).requests[1])).input, { kind: "values", steps: 4, features: 2, values: [0.5, 1, 3, 0, 2, 1, 0.125, -1] });
    await page.evaluate(() => { const f = document.querySelectorAll("input")[2]; f.value = "2,5"; f.dispatchEvent(new Event("input")); });
    const s = await waitFor((x) => x.error !== "", "the error");
    assert.match(s.error, /t = 2, feature 0: “2,5” is not a number/);
    assert.equal(s.requests, 2, "not sent");
  });
});
