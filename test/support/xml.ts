// A well-formedness check for the XML the runner writes (JUnit reports), returning the element tree.
import * as assert from "node:assert/strict";

/**
 * A small XML well-formedness check (XML 1.0: one root, balanced tags, quoted attributes, known
 * entities) that returns the element tree, so the JUnit structure can be asserted on.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export function parseXml(xml: string): XmlElement {
  const body = xml.replace(/^<\?xml [^?]*\?>\s*/, "");
  const stack: XmlElement[] = [{ name: "#document", attrs: {}, children: [], text: "" }];
  const token = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[A-Za-z_][\w.-]*="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  const unescape = (t: string): string => {
    for (const m of t.matchAll(/&([^;]*);/g)) assert.ok(["amp", "lt", "gt", "quot", "apos"].includes(m[1]), `unknown entity &${m[1]};`);
    return t.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&");
  };
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length) {
    token.lastIndex = at;
    m = token.exec(body);
    assert.ok(m, `not well-formed XML at ${JSON.stringify(body.slice(at, at + 40))}`);
    at = token.lastIndex;
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) {
      assert.ok(!m[5].includes("&") || /&(amp|lt|gt|quot|apos);/.test(m[5]), "a bare & in text");
      top.text += unescape(m[5]);
      continue;
    }
    if (m[1]) {
      assert.equal(m[2], top.name, `</${m[2]}> closes <${top.name}>`);
      stack.pop();
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of m[3].matchAll(/([A-Za-z_][\w.-]*)="([^"]*)"/g)) {
      assert.ok(!(a[1] in attrs), `attribute ${a[1]} twice`);
      attrs[a[1]] = unescape(a[2]);
    }
    const el: XmlElement = { name: m[2], attrs, children: [], text: "" };
    top.children.push(el);
    if (!m[4]) stack.push(el);
  }
  assert.equal(stack.length, 1, `unclosed <${stack[stack.length - 1].name}>`);
  const roots = stack[0].children;
  assert.equal(roots.length, 1, "one root element");
  assert.equal(stack[0].text.trim(), "", "no text outside the root");
  return roots[0];
}
