/** Mime types of the rich outputs (DESIGN §4). Each output also carries image/png or image/svg+xml,
 * text/html and text/plain fallbacks made in the kernel. */
export const MIME = {
  gates: "application/vnd.rnn-notebook.gates+json",
  gradNorms: "application/vnd.rnn-notebook.gradnorms+json",
  training: "application/vnd.rnn-notebook.training+json",
  summary: "application/vnd.rnn-notebook.summary+json",
  tensor: "application/vnd.rnn-notebook.tensor+json",
  attention: "application/vnd.rnn-notebook.attention+json",
  neurons: "application/vnd.rnn-notebook.neurons+json",
  connectivity: "application/vnd.rnn-notebook.connectivity+json",
  trajectory: "application/vnd.rnn-notebook.trajectory+json",
  runs: "application/vnd.rnn-notebook.runs+json",
} as const;

export type RichMime = (typeof MIME)[keyof typeof MIME];
export const RICH_MIMES: readonly RichMime[] = Object.values(MIME);

/** Identifiers shared by package.json, the extension and the tests. */
export const NOTEBOOK_TYPE = "rnn-notebook";
export const JUPYTER_NOTEBOOK_TYPE = "jupyter-notebook";
export const CONTROLLER_ID = "rnn-notebook-kernel";
export const CONTROLLER_LABEL = "RNN Notebook";
export const RENDERER_ID = "rnn-notebook-renderer";
export const EXTENSION_ID = "rnn-notebooks.rnn-notebook";

export const COMMANDS = {
  showModelSummary: "rnnNotebook.showModelSummary",
  restartKernel: "rnnNotebook.restartKernel",
  interruptKernel: "rnnNotebook.interruptKernel",
  newNotebook: "rnnNotebook.newNotebook",
  openSamples: "rnnNotebook.openSamples",
  compareRuns: "rnnNotebook.compareRuns",
} as const;

/** A mime bundle as it crosses the IPC boundary: JSON mimes carry objects, text mimes strings,
 * image/png carries base64. */
export type MimeBundle = Record<string, unknown>;
