// Renderer strings (src/renderer/l10n.ts): English and Korean tables have the same keys and the same
// {placeholders}, so no label is missing or loses a number in either language.
import * as assert from "node:assert/strict";
import { MESSAGES, t } from "../../../src/renderer/l10n";

const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();

describe("renderer l10n", () => {
  it("English and Korean have the same keys, none empty", () => {
    assert.deepEqual(Object.keys(MESSAGES.ko).sort(), Object.keys(MESSAGES.en).sort());
    for (const [k, v] of Object.entries(MESSAGES.ko)) assert.ok(v.trim().length > 0, k);
  });

  it("every Korean message keeps the English message's placeholders", () => {
    for (const key of Object.keys(MESSAGES.en) as (keyof typeof MESSAGES.en)[]) {
      assert.deepEqual(placeholders(MESSAGES.ko[key]), placeholders(MESSAGES.en[key]), key);
    }
  });

  it("fills placeholders with plain text, once (no re-expansion of inserted values)", () => {
    // Outside a webview (plain Node: no document) the language falls back to English.
    assert.equal(t("epochOf", { e: 3, n: 20 }), "Epoch 3/20");
    assert.equal(t("hoverUnit", { u: "{u}<b>" }), "unit {u}<b>");
  });
});
