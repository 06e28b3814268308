/**
 * Notebook renderer entry (VS Code's `ActivationFunction` boilerplate, notebook-renderer-sample style):
 * it only wires output items to the pure `render()`, connects renderer messaging (messaging.ts) and
 * redraws live outputs when the theme changes
 * (VS Code swaps the body class and CSS variables; canvas colours are resolved at draw time).
 */
import type { ActivationFunction, OutputItem } from "vscode-notebook-renderer";
import { errorBox } from "./dom";
import { connect } from "./messaging";
import { render } from "./render";

interface Live {
  item: OutputItem;
  element: HTMLElement;
}

export const activate: ActivationFunction = (ctx) => {
  connect(ctx);
  const live = new Map<string, Live>();
  /** Width each output was last drawn at (0 when it was not laid out yet). */
  const widths = new WeakMap<Element, number>();

  function draw(item: OutputItem, element: HTMLElement): void {
    widths.set(element, element.getBoundingClientRect().width);
    let value: unknown;
    try {
      value = item.json();
    } catch (e) {
      while (element.firstChild) element.removeChild(element.firstChild);
      errorBox(element, `the output is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      return;
    }
    render({ container: element, mime: item.mime, value });
  }

  // Theme switches: redraw every live output once the new colours are in place.
  let pending = 0;
  const observer = new MutationObserver(() => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      for (const { item, element } of live.values()) if (element.isConnected) draw(item, element);
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ["class", "data-vscode-theme-kind", "style"] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["style", "class"] });

  // Width changes (window resized, side bar toggled, or first layout after a draw at width 0): redraw an
  // output when its width moved by more than 40 px from the width it was drawn at.
  const resized = typeof ResizeObserver === "function" ? new ResizeObserver((entries) => {
    for (const e of entries) {
      const before = widths.get(e.target);
      if (before === undefined || Math.abs(e.contentRect.width - before) <= 40) continue;
      for (const { item, element } of live.values()) if (element === e.target) draw(item, element);
    }
  }) : undefined;

  return {
    renderOutputItem(item, element) {
      live.set(item.id, { item, element });
      draw(item, element);
      resized?.observe(element);
    },
    disposeOutputItem(id) {
      const gone = id === undefined ? [...live.values()] : [live.get(id)].filter((x): x is Live => x !== undefined);
      for (const { element } of gone) resized?.unobserve(element);
      if (id === undefined) live.clear();
      else live.delete(id);
    },
  };
};
