/**
 * Python source text of a PyTorch export (model.py, check.py), assembled from pieces that
 * torchExport.ts computes per layer. Pure string building: the engine writes no files.
 *
 * The generated model.py reads safetensors with the standard library and torch only (Python's
 * `safetensors` package is often unavailable — Debian ships only python3-torch), and checks that it
 * read exactly the tensors the model expects. With the package installed,
 * `safetensors.torch.load_file("weights.safetensors")` gives the same dictionary.
 */

/** One layer (or module) of the generated nn.Module. */
export interface PyLayer {
  /** Lines of `__init__` (indented by the assembler). */
  init: string[];
  /** Lines of `forward`, transforming the variable `x`. */
  forward: string[];
  /** A row of the conversion table in the docstring. */
  row: [name: string, source: string, target: string];
}

export interface ModelPySpec {
  /** Title in the docstring: what was exported. */
  title: string;
  /** Extra docstring paragraphs (conversion notes). */
  notes: string[];
  /** Shape of the input in a comment, e.g. "[batch, 20, 6]". */
  inputShape: string;
  /** True when the model starts with an embedding (integer indices in). */
  inputIsIndices: boolean;
  /** Either a wrapper `Model` class with these layers … */
  layers?: PyLayer[];
  /** … or a single torch.nn module built by this expression (PyTorch-family export). */
  moduleExpr?: string;
  /** Helper classes the layers use (KerasStyleRecurrent). */
  needsRecurrentHelper: boolean;
  /**
   * A functional model's forward instead of the layers' chained `x` lines: its arguments (one per
   * input), its lines (each layer call on named tensors) and the returned expression.
   */
  graph?: { args: string[]; forward: string[]; returns: string };
}

const py = (lines: string[]): string => lines.join("\n") + "\n";

function indent(lines: readonly string[], n: number): string[] {
  const pad = " ".repeat(n);
  return lines.map((l) => (l === "" ? l : pad + l));
}

function docstring(lines: readonly string[]): string[] {
  return ['"""', ...lines, '"""'];
}

/** Text table with aligned columns. */
function table(rows: readonly [string, string, string][]): string[] {
  const w0 = Math.max(...rows.map((r) => r[0].length), 0);
  const w1 = Math.max(...rows.map((r) => r[1].length), 0);
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padEnd(w1)}  ->  ${c}`);
}

const READER = [
  "def load_safetensors(path):",
  '    """Reads a .safetensors file into {name: tensor} with the standard library and torch only.',
  "",
  "    Format: an 8-byte little-endian header length N, N bytes of JSON {name: {dtype, shape,",
  '    data_offsets: [begin, end]}} (plus an optional "__metadata__"), then the raw little-endian data.',
  '    """',
  "    dtypes = {\"F32\": (torch.float32, 4), \"F64\": (torch.float64, 8), \"F16\": (torch.float16, 2),",
  "              \"I64\": (torch.int64, 8), \"I32\": (torch.int32, 4)}",
  "    with open(path, \"rb\") as f:",
  "        data = f.read()",
  "    (n,) = struct.unpack(\"<Q\", data[:8])",
  "    header = json.loads(data[8:8 + n].decode(\"utf-8\"))",
  "    body = memoryview(data)[8 + n:]",
  "    tensors = {}",
  "    for name, info in header.items():",
  "        if name == \"__metadata__\":",
  "            continue",
  "        dtype, size = dtypes[info[\"dtype\"]]",
  "        begin, end = info[\"data_offsets\"]",
  "        chunk = bytearray(body[begin:end])",
  "        if sys.byteorder != \"little\" and size > 1:",
  "            for i in range(0, len(chunk), size):",
  "                chunk[i:i + size] = chunk[i:i + size][::-1]",
  "        flat = torch.frombuffer(chunk, dtype=dtype) if chunk else torch.zeros(0, dtype=dtype)",
  "        tensors[name] = flat.reshape(info[\"shape\"]).clone()",
  "    return tensors",
];

const RECURRENT_HELPER = [
  "ACTIVATIONS = {",
  "    \"tanh\": torch.tanh,",
  "    \"sigmoid\": torch.sigmoid,",
  "    \"hardSigmoid\": lambda v: torch.clamp(0.2 * v + 0.5, 0.0, 1.0),  # Keras 2 / TF.js definition",
  "    \"relu\": torch.relu,",
  "    \"linear\": lambda v: v,",
  "    \"softsign\": F.softsign,",
  "}",
  "",
  "",
  "class KerasStyleRecurrent(nn.Module):",
  '    """One recurrent layer written out step by step, for Keras options torch.nn has no exact module for:',
  "    GRU with reset_after=False (the reset gate multiplies h BEFORE the recurrent product), or activations",
  "    other than tanh / sigmoid. Weights use PyTorch's layout, names and gate order (weight_ih_l0 [G*H, I],",
  "    weight_hh_l0 [G*H, H], bias_ih_l0, bias_hh_l0; LSTM i,f,g,o; GRU r,z,n), so the same conversion as",
  "    for torch.nn.LSTM / GRU applies. It is plain autograd code: slower than cuDNN's fused kernels.",
  '    """',
  "",
  "    def __init__(self, kind, input_size, hidden_size, bias=True, activation=\"tanh\",",
  "                 recurrent_activation=\"sigmoid\", reset_after=True):",
  "        super().__init__()",
  "        gates = {\"rnn\": 1, \"gru\": 3, \"lstm\": 4}[kind]",
  "        self.kind, self.hidden_size, self.reset_after = kind, hidden_size, reset_after",
  "        self.act, self.ract = ACTIVATIONS[activation], ACTIVATIONS[recurrent_activation]",
  "        self.weight_ih_l0 = nn.Parameter(torch.zeros(gates * hidden_size, input_size))",
  "        self.weight_hh_l0 = nn.Parameter(torch.zeros(gates * hidden_size, hidden_size))",
  "        if bias:",
  "            self.bias_ih_l0 = nn.Parameter(torch.zeros(gates * hidden_size))",
  "            self.bias_hh_l0 = nn.Parameter(torch.zeros(gates * hidden_size))",
  "        else:",
  "            self.register_parameter(\"bias_ih_l0\", None)",
  "            self.register_parameter(\"bias_hh_l0\", None)",
  "",
  "    def forward(self, x, hx=None):",
  "        # x: [B, T, I] (batch first) -> output [B, T, H], h_n [1, B, H] (and c_n for LSTM)",
  "        # hx: the initial state as torch.nn takes it, h_0 [1, B, H] (LSTM: (h_0, c_0)); default zeros",
  "        B, T, _ = x.shape",
  "        H = self.hidden_size",
  "        h = x.new_zeros(B, H)",
  "        c = x.new_zeros(B, H)",
  "        if hx is not None:",
  "            h, c = (hx[0][0], hx[1][0]) if self.kind == \"lstm\" else (hx[0], c)",
  "        xw = F.linear(x, self.weight_ih_l0, self.bias_ih_l0)  # input projection for all steps: [B, T, G*H]",
  "        w_hh, b_hh = self.weight_hh_l0, self.bias_hh_l0",
  "        outputs = []",
  "        for t in range(T):",
  "            xt = xw[:, t]",
  "            if self.kind == \"rnn\":",
  "                h = self.act(xt + F.linear(h, w_hh, b_hh))",
  "            elif self.kind == \"lstm\":",
  "                i, f, g, o = (xt + F.linear(h, w_hh, b_hh)).chunk(4, 1)",
  "                c = self.ract(f) * c + self.ract(i) * self.act(g)",
  "                h = self.ract(o) * self.act(c)",
  "            elif self.reset_after:  # GRU as torch.nn.GRU: n = act(W_n x + b_n + r * (U_n h + bR_n))",
  "                xr, xz, xn = xt.chunk(3, 1)",
  "                hr, hz, hn = F.linear(h, w_hh, b_hh).chunk(3, 1)",
  "                r, z = self.ract(xr + hr), self.ract(xz + hz)",
  "                h = (1 - z) * self.act(xn + r * hn) + z * h",
  "            else:  # Keras GRU reset_after=False: n = act(W_n x + b_n + U_n (r * h))",
  "                xr, xz, xn = xt.chunk(3, 1)",
  "                b_rz = None if b_hh is None else b_hh[:2 * H]",
  "                b_n = None if b_hh is None else b_hh[2 * H:]",
  "                hr, hz = F.linear(h, w_hh[:2 * H], b_rz).chunk(2, 1)",
  "                r, z = self.ract(xr + hr), self.ract(xz + hz)",
  "                n = self.act(xn + F.linear(r * h, w_hh[2 * H:], b_n))",
  "                h = (1 - z) * n + z * h",
  "            outputs.append(h)",
  "        output = torch.stack(outputs, 1)",
  "        if self.kind == \"lstm\":",
  "            return output, (h.unsqueeze(0), c.unsqueeze(0))",
  "        return output, h.unsqueeze(0)",
];

/** model.py: the module definition, the safetensors reader and `load_model()`. */
export function modelPy(spec: ModelPySpec): string {
  const lines: string[] = [];
  const conversion = spec.layers ? table(spec.layers.map((l) => l.row)) : [];
  lines.push(...docstring([
    spec.title,
    "",
    "Generated by RNN Notebooks. Weights: weights.safetensors beside this file, with PyTorch state-dict",
    "names. check.py runs this model on the input saved in reference.safetensors and prints the largest",
    "difference from the RNN Notebook engine's output.",
    ...(conversion.length > 0 ? ["", "Layers:", ...conversion] : []),
    ...spec.notes.flatMap((n) => ["", ...n.split("\n")]),
    "",
    "Usage:",
    "    from model import load_model",
    "    model = load_model()          # eval mode; call model.train() to keep training",
  ]));
  lines.push("import json", "import os", "import struct", "import sys", "", "import torch", "from torch import nn");
  if (spec.needsRecurrentHelper) lines.push("import torch.nn.functional as F");
  lines.push("", `# Input: ${spec.inputShape}${spec.inputIsIndices ? " integer token indices" : ""}`);
  lines.push(`INPUT_IS_INDICES = ${spec.inputIsIndices ? "True" : "False"}`, "", "");
  if (spec.needsRecurrentHelper) lines.push(...RECURRENT_HELPER, "", "");
  if (spec.layers) {
    lines.push("class Model(nn.Module):");
    lines.push("    def __init__(self):", "        super().__init__()");
    lines.push(...indent(spec.layers.flatMap((l) => l.init), 8));
    if (spec.graph) {
      lines.push("", `    def forward(self, ${spec.graph.args.join(", ")}):`, `        # ${spec.inputShape}`);
      lines.push(...indent(spec.graph.forward, 8));
      lines.push(`        return ${spec.graph.returns}`, "", "");
    } else {
      lines.push("", "    def forward(self, x):", `        # x: ${spec.inputShape}`);
      lines.push(...indent(spec.layers.flatMap((l) => l.forward), 8));
      lines.push("        return x", "", "");
    }
    lines.push("def build_model():", "    return Model()", "", "");
  } else {
    lines.push("def build_model():", `    return ${spec.moduleExpr}`, "", "");
  }
  lines.push(...READER, "", "");
  lines.push(
    "def load_model(weights=os.path.join(os.path.dirname(os.path.abspath(__file__)), \"weights.safetensors\")):",
    "    model = build_model()",
    "    model.load_state_dict(load_safetensors(weights))  # strict: every name and shape must match",
    "    model.eval()",
    "    return model",
    "",
    "",
    "if __name__ == \"__main__\":",
    "    print(load_model())",
  );
  return py(lines);
}

/** check.py: loads model.py + weights, runs the saved input, prints the max |difference|. */
export function checkPy(outputs: readonly string[]): string {
  return py([
    ...docstring([
      "Checks the export: loads model.py and weights.safetensors, runs the fixed input saved by the",
      "RNN Notebook engine in reference.safetensors, and prints the largest absolute difference from the",
      `engine's outputs (${outputs.join(", ")}). Exit status 0 when it is at most --tolerance (default 1e-4).`,
      "",
      "    python3 check.py [--tolerance 1e-5]",
    ]),
    "import os",
    "import sys",
    "",
    "import torch",
    "",
    "HERE = os.path.dirname(os.path.abspath(__file__))",
    "sys.path.insert(0, HERE)",
    "from model import INPUT_IS_INDICES, load_model, load_safetensors  # noqa: E402",
    "",
    "",
    "def named_outputs(out):",
    "    if isinstance(out, torch.Tensor):",
    "        return {\"output\": out}",
    "    output, state = out",
    "    if isinstance(state, tuple):",
    "        return {\"output\": output, \"h_n\": state[0], \"c_n\": state[1]}",
    "    return {\"output\": output, \"h_n\": state}",
    "",
    "",
    "def main():",
    "    tolerance = float(sys.argv[sys.argv.index(\"--tolerance\") + 1]) if \"--tolerance\" in sys.argv else 1e-4",
    "    reference = load_safetensors(os.path.join(HERE, \"reference.safetensors\"))",
    "    model = load_model()",
    "    x = reference[\"input\"]",
    "    x = x.long() if INPUT_IS_INDICES else x.float()",
    "    with torch.no_grad():",
    "        got = named_outputs(model(x))",
    "    worst = 0.0",
    "    for name, expected in reference.items():",
    "        if name == \"input\":",
    "            continue",
    "        if got[name].shape != expected.shape:",
    "            print(f\"{name}: shape {list(got[name].shape)} but the engine gave {list(expected.shape)}\")",
    "            return 1",
    "        diff = (got[name].double() - expected.double()).abs().max().item() if expected.numel() else 0.0",
    "        print(f\"{name:8s} {list(expected.shape)} max |difference| {diff:.3e}\")",
    "        worst = max(worst, diff)",
    "    print(f\"max difference: {worst:.3e}\")",
    "    return 0 if worst <= tolerance else 1",
    "",
    "",
    "if __name__ == \"__main__\":",
    "    sys.exit(main())",
  ]);
}

/** check.py of a functional model: one reference tensor per input and per output, by name. */
export function graphCheckPy(inputs: readonly { key: string; indices: boolean }[], outputs: readonly string[]): string {
  return py([
    ...docstring([
      "Checks the export: loads model.py and weights.safetensors, runs the fixed inputs saved by the",
      "RNN Notebook engine in reference.safetensors, and prints the largest absolute difference from the",
      `engine's outputs (${outputs.join(", ")}). Exit status 0 when it is at most --tolerance (default 1e-4).`,
      "",
      "    python3 check.py [--tolerance 1e-5]",
    ]),
    "import os",
    "import sys",
    "",
    "import torch",
    "",
    "HERE = os.path.dirname(os.path.abspath(__file__))",
    "sys.path.insert(0, HERE)",
    "from model import load_model, load_safetensors  # noqa: E402",
    "",
    `INPUTS = [${inputs.map((i) => `("${i.key}", ${i.indices ? "True" : "False"})`).join(", ")}]  # (name, integer token indices)`,
    `OUTPUTS = [${outputs.map((o) => `"${o}"`).join(", ")}]`,
    "",
    "",
    "def main():",
    "    tolerance = float(sys.argv[sys.argv.index(\"--tolerance\") + 1]) if \"--tolerance\" in sys.argv else 1e-4",
    "    reference = load_safetensors(os.path.join(HERE, \"reference.safetensors\"))",
    "    model = load_model()",
    "    xs = [reference[name].long() if indices else reference[name].float() for name, indices in INPUTS]",
    "    with torch.no_grad():",
    "        out = model(*xs)",
    "    got = dict(zip(OUTPUTS, out if isinstance(out, tuple) else (out,)))",
    "    worst = 0.0",
    "    for name in OUTPUTS:",
    "        expected = reference[name]",
    "        if got[name].shape != expected.shape:",
    "            print(f\"{name}: shape {list(got[name].shape)} but the engine gave {list(expected.shape)}\")",
    "            return 1",
    "        diff = (got[name].double() - expected.double()).abs().max().item() if expected.numel() else 0.0",
    "        print(f\"{name:10s} {list(expected.shape)} max |difference| {diff:.3e}\")",
    "        worst = max(worst, diff)",
    "    print(f\"max difference: {worst:.3e}\")",
    "    return 0 if worst <= tolerance else 1",
    "",
    "",
    "if __name__ == \"__main__\":",
    "    sys.exit(main())",
  ]);
}
