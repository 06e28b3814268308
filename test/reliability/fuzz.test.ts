// Fuzzing the .rnnb deserializer: generated inputs — truncated JSON, wrong types, huge
// strings, deep nesting, invalid UTF-8, unknown versions, duplicated keys, prototype keys — must never
// raise anything but a NotebookFormatError, never hang, and every notebook our serializer wrote must
// round-trip byte-identical (other valid input is normalized once, then stable).
// Count: RNN_FUZZ_COUNT (npm test: 2,000; npm run test:stress: 20,000). Seeded, so a failure replays.
import * as assert from "node:assert/strict";
import { NotebookFormatError, parseNotebook, serializeNotebook, type RawNotebook } from "../../src/shared/notebookFormat";
import { prng } from "./prng";

const COUNT = Number(process.env.RNN_FUZZ_COUNT || 2000);
/** Per-input hang guard: parsing is synchronous, so it is measured, not pre-empted. */
const PER_INPUT_MS = 2000;


const MIMES = ["text/plain", "image/png", "image/svg+xml", "text/html", "application/vnd.rnn-notebook.gates+json",
  "application/vnd.code.notebook.stdout", "application/vnd.code.notebook.error", "application/x-unknown"];
const NASTY = ["", "\u0000", "<img src=x onerror=alert(1)>", "한국어 셀", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\ud800", "__proto__", "constructor", "\r\n", "\"'`"];

function generator(seed: number) {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (n: number) => Math.floor(r() * n);
  const str = (): string => (r() < 0.3 ? pick(NASTY) : Array.from({ length: int(20) }, () => String.fromCharCode(32 + int(0x3000))).join(""));
  const anyJson = (depth: number): unknown => {
    const k = int(depth > 4 ? 4 : 7);
    if (k === 0) return null;
    if (k === 1) return r() < 0.5;
    if (k === 2) return pick([0, -1, 1e308, -1e-308, 3.14, 2 ** 53 + 1]);
    if (k === 3) return str();
    if (k === 4 || k === 5) return Array.from({ length: int(4) }, () => anyJson(depth + 1));
    return Object.fromEntries(Array.from({ length: int(4) }, () => [str(), anyJson(depth + 1)]));
  };
  const data = (mime: string): unknown => (/json$/.test(mime) ? anyJson(0) : mime === "image/png" ? "iVBORw0KGgo=" : str());
  const validNotebook = (): RawNotebook => ({
    version: 1,
    metadata: r() < 0.5 ? {} : { k: str(), n: anyJson(2) as never },
    extra: r() < 0.3 ? { [str() || "x"]: anyJson(2) as never } : {},
    cells: Array.from({ length: int(5) }, () => ({
      kind: pick(["code", "markdown"] as const),
      language: pick(["typescript", "markdown", "javascript"]),
      source: str(),
      metadata: (r() < 0.5 ? {} : { tags: [str()] }) as RawNotebook["metadata"],
      extra: (r() < 0.2 ? { future: anyJson(2) } : {}) as RawNotebook["extra"],
      outputs: Array.from({ length: int(3) }, () => ({
        items: Array.from({ length: int(3) }, () => {
          const mime = pick(MIMES);
          return { mime, data: data(mime) as never };
        }),
        extra: {},
      })),
    })),
  });
  /** One hostile input, as bytes. */
  const hostile = (): Uint8Array => {
    const enc = new TextEncoder();
    const base = serializeNotebook(validNotebook());
    switch (int(10)) {
      case 0: return enc.encode(base.slice(0, int(base.length))); // truncated
      case 1: return enc.encode(base.replace(/"version": 1/, `"version": ${pick(["2", "0", "-1", "1.5", '"1"', "null", "1e309"])}`));
      case 2: return enc.encode(base.replace(/"cells": \[/, `"cells": ${pick(["{}", "null", '"x"', "[1,"])}`)); // wrong types
      case 3: { // deep nesting
        const d = 1000 + int(50_000);
        return enc.encode(`{"format":"rnn-notebook","version":1,"cells":[],"metadata":${"[".repeat(d)}${"]".repeat(r() < 0.5 ? d : d - 1)}}`);
      }
      case 4: return enc.encode(`{"format":"rnn-notebook","version":1,"cells":[{"kind":"code","source":"${"x".repeat(100_000 + int(2_000_000))}"}]}`); // huge string
      case 5: { // invalid UTF-8
        const b = enc.encode(base);
        const out = new Uint8Array(b.length + 2);
        out.set(b);
        out[int(out.length)] = pick([0xff, 0xc3, 0xed, 0x80]);
        return out;
      }
      case 6: return enc.encode(base.replace(/^\{/, '{"format":"rnn-notebook","cells":[],"cells":[{"kind":"code","source":"dup"}],')); // duplicated keys
      case 7: return enc.encode(base.replace(/^\{/, '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}},'));
      case 8: { // random byte flips
        const b = enc.encode(base);
        for (let i = 0; i < 1 + int(5); i++) b[int(b.length)] = int(256);
        return b;
      }
      default: return enc.encode(JSON.stringify(anyJson(0)));
    }
  };
  return { validNotebook, hostile };
}

function decodeLikeTheSerializer(bytes: Uint8Array): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

describe(`.rnnb deserializer fuzz (${COUNT} hostile + ${COUNT} valid inputs)`, function () {
  this.timeout(600_000);

  it("never throws anything but a NotebookFormatError, never hangs, and never pollutes prototypes", () => {
    const { hostile } = generator(20261123);
    const tally = { rejected: 0, accepted: 0, badUtf8: 0, slowest: 0 };
    for (let i = 0; i < COUNT; i++) {
      const bytes = hostile();
      const t0 = Date.now();
      try {
        const nb = parseNotebook(decodeLikeTheSerializer(bytes));
        // what parses also serializes, and that is stable
        const once = serializeNotebook(nb);
        assert.equal(serializeNotebook(parseNotebook(once)), once, `input ${i}: normalized output is not stable`);
        tally.accepted++;
      } catch (e) {
        if (e instanceof TypeError && /encoded data was not valid/.test(e.message)) tally.badUtf8++; // the serializer reports these as "not valid UTF-8"
        else if (e instanceof NotebookFormatError) tally.rejected++;
        else throw new Error(`input ${i}: unexpected ${(e as Error)?.name}: ${(e as Error)?.message}`);
      }
      const ms = Date.now() - t0;
      tally.slowest = Math.max(tally.slowest, ms);
      assert.ok(ms < PER_INPUT_MS, `input ${i} took ${ms} ms`);
      assert.equal(({} as Record<string, unknown>).polluted, undefined, `input ${i} polluted Object.prototype`);
    }
    console.log(`      ${COUNT} hostile inputs: ${tally.rejected} rejected with a NotebookFormatError, ${tally.badUtf8} invalid UTF-8, ` +
      `${tally.accepted} accepted and stable; slowest ${tally.slowest} ms`);
    assert.equal(tally.rejected + tally.badUtf8 + tally.accepted, COUNT);
  });

  it("round-trips every notebook our serializer wrote byte for byte", () => {
    const { validNotebook } = generator(7);
    for (let i = 0; i < COUNT; i++) {
      const text = serializeNotebook(validNotebook());
      assert.equal(serializeNotebook(parseNotebook(text)), text, `notebook ${i} changed on a round trip`);
    }
    console.log(`      ${COUNT} generated notebooks round-tripped byte-identical`);
  });
});
