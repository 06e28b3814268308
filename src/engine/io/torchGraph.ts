/**
 * PyTorch export of a functional model (rnn.model): one torch attribute per layer (a shared layer
 * once), and a `forward(self, <inputs>)` that follows the graph call by call on named tensors, so the
 * Python reads like the cell that built the model. The per-layer weight conversion is torchLayers.ts's
 * (the same as for rnn.sequential); what is new here is the wiring:
 *
 *   recurrent layer      self.<layer>(x, h_0 / (h_0, c_0)) with the call's initial states; output
 *                        x[:, -1] unless returnSequences; returnState's states from h_n / c_n
 *   concatenate / add    torch.cat(…, dim=axis) / a + b (axis counted with the batch axis, as Keras)
 *   repeatVector(n)      x.unsqueeze(1).repeat(1, n, 1)
 *   attention            softmax(q·kᵀ · scale) · v;   additiveAttention: softmax(Σ scale·tanh(q + k)) · v
 *                        (the scale is an nn.Parameter named <layer>_scale)
 *   other layers         their rnn.sequential translation (dense, embedding, dropout, flatten, …)
 *
 * Masks (embedding maskZero, masking) are not translated: PyTorch has no implicit masks, and the export
 * refuses such a model rather than write one that computes something else.
 */
import type { Layer } from "../layer";
import { Rng } from "../random";
import { Tensor } from "../tensor";
import type { GraphNode, KerasTensor } from "../graph/symbolic";
import { graphCheckPy, modelPy, type PyLayer } from "./pythonSource";
import { ExportError, f32, kerasLayer, newCtx, pyIdentifier, recurrentModule, type Ctx } from "./torchLayers";
import type { PyTorchExport, PyTorchExportOptions } from "./torchExport";

/** What the export reads of a functional model (structural, so this file does not import the model). */
export interface GraphModelLike {
  readonly className: "Functional";
  readonly name: string;
  readonly inputs: readonly KerasTensor[];
  readonly outputs: readonly KerasTensor[];
  readonly layers: readonly Layer[];
  readonly nodes: readonly GraphNode[];
  predict(x: Tensor[]): Tensor | Tensor[];
}

export function isGraphModel(m: unknown): m is GraphModelLike {
  const o = m as Partial<GraphModelLike> | null;
  return !!o && typeof o === "object" && o.className === "Functional" && Array.isArray(o.nodes);
}

/** How one layer is called in the generated forward. */
export type Caller = (ins: string[], outs: string[], node: GraphNode) => string[];

/**
 * The per-layer translation (torch attributes, weights under their state-dict names, the links back
 * for importPyTorch) without the reference run.
 */
export function planGraph(model: GraphModelLike): { ctx: Ctx; pyLayers: PyLayer[]; callers: Map<Layer, Caller> } {
  const ctx = newCtx();
  ctx.taken.add("state").add("weights"); // temporaries of the generated forward
  for (const n of model.nodes) {
    if (n.call.mask || (n.layer as { producesMask?: boolean }).producesMask) {
      throw new ExportError(`exportPyTorch: layer "${n.layer.name}" uses a mask (embedding maskZero or masking), which PyTorch modules have no counterpart for; export the model without masks`);
    }
  }
  const pyLayers: PyLayer[] = [];
  const callers = new Map<Layer, Caller>();
  for (const layer of model.layers) {
    const { py, call } = translate(layer, ctx);
    pyLayers.push(py);
    callers.set(layer, call);
  }
  return { ctx, pyLayers, callers };
}

export function exportGraph(model: GraphModelLike, options: PyTorchExportOptions): PyTorchExport {
  const { ctx, pyLayers, callers } = planGraph(model);
  // Tensor names: the inputs by their own names, every other tensor t0, t1, … in graph order.
  const names = new Map<KerasTensor, string>();
  const args = model.inputs.map((t) => {
    const n = pyIdentifier(t.name, ctx);
    names.set(t, n);
    return n;
  });
  let next = 0;
  const forward: string[] = [];
  for (const node of model.nodes) {
    const outs = node.outputs.map((t) => {
      const n = pyIdentifier(`t${next++}`, ctx);
      names.set(t, n);
      return n;
    });
    forward.push(...callers.get(node.layer)!(node.inputs.map((t) => names.get(t)!), outs, node));
  }
  const returns = model.outputs.map((t) => names.get(t)!);

  // The reference run: seeded inputs (token indices for inputs read by an embedding) through predict.
  const batch = options.batch ?? 2;
  const rng = new Rng(options.seed ?? 0);
  const xs = model.inputs.map((t) => {
    const shape = [batch, ...t.shape.map((d) => d ?? options.timesteps ?? 5)];
    const vocab = embeddingVocab(model, t);
    const n = shape.reduce((a, b) => a * b, 1);
    return new Tensor(Float32Array.from({ length: n }, () => (vocab ? rng.int(vocab) : rng.uniform(-1, 1))), shape);
  });
  const ys = model.predict(xs);
  const outs = Array.isArray(ys) ? ys : [ys];
  const inputKeys = model.inputs.length === 1 ? ["input"] : model.inputs.map((_, i) => `input_${i}`);
  const outputKeys = outs.length === 1 ? ["output"] : outs.map((_, i) => `output_${i}`);
  const reference: Record<string, Tensor> = {};
  xs.forEach((x, i) => { reference[inputKeys[i]] = x; });
  outs.forEach((y, i) => { reference[outputKeys[i]] = f32(y); });
  const source = modelPy({
    title: `PyTorch port of the RNN Notebook functional model "${model.name}" (Keras-family layers).`,
    notes: [
      "Conversion (Keras -> PyTorch): kernels are transposed, LSTM gates i,f,c,o are PyTorch's i,f,g,o, GRU\n" +
      "gate blocks z,r,h are reordered to r,z,n, and Keras's single bias becomes bias_ih with bias_hh zero.\n" +
      "forward() follows the model's graph: one line (or a few) per layer call, tensors batch-first.",
      ...ctx.notes,
    ],
    inputShape: model.inputs.map((t, i) => `${args[i]}: [batch, ${t.shape.map((d) => d ?? "T").join(", ")}]`).join("; "),
    inputIsIndices: false,
    layers: pyLayers,
    needsRecurrentHelper: ctx.helper,
    graph: { args, forward, returns: returns.length === 1 ? returns[0] : returns.join(", ") },
  });
  const check = graphCheckPy(model.inputs.map((t, i) => ({ key: inputKeys[i], indices: embeddingVocab(model, t) !== undefined })), outputKeys);
  return { modelPy: source, checkPy: check, weights: ctx.weights, reference, fixedZero: ctx.fixedZero };
}

/** The vocabulary size when an input feeds an embedding (its reference values are then token indices). */
function embeddingVocab(model: GraphModelLike, t: KerasTensor): number | undefined {
  const reader = model.nodes.find((n) => n.inputs.includes(t) && n.layer.type === "embedding");
  return reader ? reader.layer.params()[0].shape[0] : undefined;
}

/** A layer's torch attribute(s) and how a call of it is written. */
function translate(layer: Layer, ctx: Ctx): { py: PyLayer; call: Caller } {
  const c = layer.config;
  switch (layer.type) {
    case "simpleRNN":
    case "lstm":
    case "gru": {
      const { attr, init, row } = recurrentModule(layer, ctx);
      const lstm = layer.type === "lstm";
      const call: Caller = (ins, outs, node) => {
        const x = c.goBackwards ? `torch.flip(${ins[0]}, dims=[1])` : ins[0];
        const st = ins.slice(1, 1 + node.call.states);
        const hx = st.length === 0 ? "" : lstm ? `, (${st[0]}.unsqueeze(0), ${st[1]}.unsqueeze(0))` : `, ${st[0]}.unsqueeze(0)`;
        const lines = [`${outs[0]}, state = self.${attr}(${x}${hx})${c.goBackwards ? "  # goBackwards: the sequence reversed" : ""}`];
        if (!c.returnSequences) lines.push(`${outs[0]} = ${outs[0]}[:, -1]  # returnSequences false: the last step`);
        if (outs.length > 1) lines.push(lstm ? `${outs[1]}, ${outs[2]} = state[0][0], state[1][0]  # returnState: h, c` : `${outs[1]} = state[0]  # returnState: h`);
        return lines;
      };
      return { py: { init, forward: [], row }, call };
    }
    case "repeatVector":
      return {
        py: { init: [], forward: [], row: [layer.name, `RepeatVector(${c.n})`, `x.unsqueeze(1).repeat(1, ${c.n}, 1)`] },
        call: (ins, outs) => [`${outs[0]} = ${ins[0]}.unsqueeze(1).repeat(1, ${c.n}, 1)  # RepeatVector(${c.n})`],
      };
    case "concatenate":
      return {
        py: { init: [], forward: [], row: [layer.name, `Concatenate(axis=${c.axis})`, `torch.cat(…, dim=${c.axis})`] },
        call: (ins, outs) => [`${outs[0]} = torch.cat([${ins.join(", ")}], dim=${c.axis})`],
      };
    case "add":
      return {
        py: { init: [], forward: [], row: [layer.name, "Add", "a + b"] },
        call: (ins, outs) => [`${outs[0]} = ${ins.join(" + ")}`],
      };
    case "attention":
    case "additiveAttention": {
      const attr = pyIdentifier(`${layer.name}_scale`, ctx);
      const scale = layer.params()[0];
      const init: string[] = [];
      if (scale) {
        init.push(`self.${attr} = nn.Parameter(torch.ones(${scale.shape.length ? scale.shape[0] : "()"}))  # Keras weight "scale"`);
        ctx.weights[attr] = f32(scale);
        ctx.links.push({ keys: [attr], shapes: [scale.shape], apply: (t) => scale.value.set(t[attr].data) });
      }
      const dot = layer.type === "attention";
      const call: Caller = (ins, outs, node) => {
        const [q, v] = ins;
        const k = node.call.main === 3 ? ins[2] : v;
        const scores = dot
          ? `torch.bmm(${q}, ${k}.transpose(1, 2))${scale ? ` * self.${attr}` : ""}`
          : `(torch.tanh(${q}.unsqueeze(2) + ${k}.unsqueeze(1))${scale ? ` * self.${attr}` : ""}).sum(-1)`;
        const w = outs.length > 1 ? outs[1] : "weights";
        const lines = [`${w} = ${scores}  # ${layer.className} scores: [B, Tq, Tv]`];
        // useCausalMask: as Keras, value steps after the query step lose 1e9 before the softmax.
        if (node.call.useCausalMask) lines.push(`${w} = ${w} - 1e9 * torch.ones_like(${w}[0]).triu(1)`);
        return [...lines, `${w} = torch.softmax(${w}, dim=-1)`, `${outs[0]} = torch.bmm(${w}, ${v})`];
      };
      return { py: { init, forward: [], row: [layer.name, layer.className, dot ? "softmax(q k^T) v" : "softmax(sum(scale tanh(q + k))) v"] }, call };
    }
    default: {
      const py = kerasLayer(layer, ctx, false);
      return { py: { ...py, forward: [] }, call: (ins, outs) => [`x = ${ins[0]}`, ...py.forward, `${outs[0]} = x`] };
    }
  }
}
