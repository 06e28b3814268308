// The model-summary webview is ours (VS Code owns only the output webview's policy), so its page
// builder must escape everything and lock scripts down. Checked in plain Node on the HTML
// string: hostile model, layer, tensor and formula names — markup, attribute breakers, a closing
// </script>, non-string values a cell could fake — never become markup, and the Content-Security-Policy
// allows only the page's own nonce'd script.
import * as assert from "node:assert/strict";
import { esc, summaryPage, type SummaryViews } from "../../src/extension/commands/summaryPage";
import type { SummaryPayload } from "../../src/shared/payloads";

const HOSTILE = [
  `<img src=x onerror="window.__pwned=1">`,
  `</script><script>window.__pwned=2</script>`,
  `" onmouseover="window.__pwned=3`,
  `' autofocus onfocus='window.__pwned=4`,
  `<svg/onload=alert(5)>`,
  "javascript:alert(6)",
  "<!--",
  "]]><iframe src=//evil.invalid>",
  "&lt;already-escaped&gt;",
];

function payload(i: number, convention: "keras" | "torch"): SummaryPayload {
  const h = (k: number) => HOSTILE[(i + k) % HOSTILE.length];
  return {
    name: h(0), convention,
    layers: [
      { name: h(1), type: h(2), outputShape: [null, 4], params: 96, formula: h(3), breakdown: [{ name: h(4), shape: [4, 16], count: 64 }] },
      // a summary a cell faked through duck typing: non-string fields
      { name: 12345 as unknown as string, type: { toString: () => h(5) } as unknown as string, outputShape: [null, 1], params: 5, breakdown: [] },
    ],
    totalParams: 101, trainableParams: 101, nonTrainableParams: 0,
  };
}

const OUR_TAGS = new Set(["html", "head", "meta", "style", "body", "h2", "div", "button", "section", "table", "thead", "tbody", "tr", "th", "td", "span", "p", "b", "br", "script"]);
const OUR_ATTRIBUTES = new Set(["charset", "http-equiv", "content", "class", "role", "aria-label", "aria-pressed", "data-c", "data-convention", "data-text", "hidden", "nonce", "title"]);

/** Every tag of the page (the nonce'd script's and the style's bodies taken out) as [name, attribute names]. */
function tags(html: string, nonce: string): [string, string[]][] {
  const script = new RegExp(`(<script nonce="${nonce.replace(/[+/=]/g, "\\$&")}">)[\\s\\S]*?</script>`);
  assert.ok(script.test(html), "the page's own script carries the nonce");
  const body = html.replace(script, "$1</script>").replace(/(<style>)[^<]*<\/style>/, "$1</style>").replace(/<!DOCTYPE html>/, "");
  return [...body.matchAll(/<\/?([^\s>/]+)([^>]*)>/g)].map((m) => [m[1].toLowerCase(), [...m[2].matchAll(/([^\s=]+)(="[^"]*")?/g)].map((a) => a[1].toLowerCase())]);
}

describe("summary panel page (hostile names)", () => {
  it("escapes every name into text and keeps the only script the nonce'd one", () => {
    let checked = 0;
    for (let i = 0; i < HOSTILE.length; i++) {
      const views: SummaryViews = { keras: payload(i, "keras"), torch: payload(i + 1, "torch"), first: i % 2 ? "keras" : "torch", source: HOSTILE[(i + 7) % HOSTILE.length] };
      const nonce = `n${i}TEST+/=`;
      const html = summaryPage(views, views[views.first]!, nonce);
      assert.equal((html.match(/<script/gi) ?? []).length, 1, "exactly one <script> tag");
      for (const [tag, attributes] of tags(html, nonce)) {
        assert.ok(OUR_TAGS.has(tag), `page ${i}: a <${tag}> tag made from data`);
        for (const a of attributes) assert.ok(OUR_ATTRIBUTES.has(a), `page ${i}: attribute ${a} on <${tag}> made from data`);
      }
      assert.ok(!html.includes("<!--"), "no comment opened by data");
      // Every hostile string is present, escaped (so the user sees the real name).
      for (const s of [HOSTILE[i], HOSTILE[(i + 1) % HOSTILE.length]]) assert.ok(html.includes(esc(s)), `page ${i} shows ${s} as text`);
      assert.ok(html.includes("12345"), "a non-string name is shown as text");
      checked++;
    }
    console.log(`      ${checked} pages × 2 conventions with ${HOSTILE.length} hostile strings: all escaped, one nonce'd script each`);
  });

  it("has a strict Content-Security-Policy with a fresh unguessable nonce", () => {
    const views: SummaryViews = { keras: payload(0, "keras"), first: "keras", source: "test" };
    const a = summaryPage(views, views.keras!);
    const b = summaryPage(views, views.keras!);
    const csp = (html: string) => /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
    const policy = csp(a);
    assert.ok(policy, "a CSP meta tag");
    const nonce = /script-src 'nonce-([^']+)'/.exec(policy!)?.[1];
    assert.ok(nonce, `script-src is a nonce: ${policy}`);
    assert.match(policy!, /default-src 'none'/, "nothing else may load");
    assert.doesNotMatch(policy!, /unsafe-eval|unsafe-inline[^;]*script|script-src[^;]*unsafe-inline|https?:|\*/, "no eval, no inline script, no remote source");
    assert.ok(a.includes(`<script nonce="${nonce}">`));
    // 16 random bytes, base64: 24 characters, 128 bits (a Math.random nonce was used before: guessable).
    assert.equal(Buffer.from(nonce!, "base64").length, 16);
    assert.notEqual(csp(b), policy, "a new nonce per page");
  });

  it("a layer counted from source with an unknown size says so, in the row and the total, never 0 (reason escaped)", () => {
    const p = payload(1, "keras");
    p.layers[0] = { ...p.layers[0], params: 0, breakdown: [], unknown: HOSTILE[0] };
    p.totalParams = 5;
    const html = summaryPage({ keras: p, first: "keras", source: "test" }, p, "bm9uY2U=");
    assert.match(html, /<td class="num unknown" title="[^"]*">unknown until the cell runs<\/td>/);
    assert.match(html, /Total params: <b>unknown until the cell runs<\/b> — 5 counted in the other 1 layers/);
    assert.ok(!html.includes(HOSTILE[0]), "the reason is escaped");
    assert.doesNotMatch(html, /Total params: <b>5<\/b>/);
  });

  it("a narrow panel scrolls the table sideways and wraps long names, never clipping the Param # column", () => {
    const p = payload(2, "keras");
    const html = summaryPage({ keras: p, first: "keras", source: "test" }, p, "bm9uY2U=");
    assert.match(html, /<div class="scroll"><table>[\s\S]*<\/table><\/div>/, "the table sits in a scroll box");
    assert.match(html, /\.scroll \{ overflow-x: auto; \}/);
    assert.match(html, /td \{ overflow-wrap: anywhere; \} \.num \{ white-space: nowrap; \}/, "names wrap, counts stay whole");
  });
});
