/**
 * Everything the kernel says goes through one Outbox, so messages leave in the order they were made.
 * Console text is coalesced (one `stream` message per burst rather than one per console.log): text
 * after a quiet spell of FLUSH_MS goes out at once; text that follows closely is held and flushed
 * when the burst is FLUSH_MS old (checked at the next write, so even inside a loop that never
 * yields), before any other message, and at the end of the event-loop turn — live and in order.
 */
import type { FromKernel } from "../shared/protocol";
import { platform } from "./platform";

type StreamName = "stdout" | "stderr";

/** Longest a console burst is held back (ms). */
const FLUSH_MS = 30;
/** Largest burst held back (characters). */
const FLUSH_CHARS = 64 * 1024;

/**
 * Size cap of outputs: the most console text one cell may send (characters; background text of ended
 * cells has the same budget, renewed whenever a cell ends) and the cap of each rich
 * bundle (passed to src/kernel/rich), so a print loop cannot flood the IPC channel or
 * balloon the notebook file (DESIGN §4: every output has a size cap). The client may pass its
 * rnnNotebook.output.maxBytes setting (the Node kernel: in RNN_NOTEBOOK_MAX_OUTPUT_BYTES; the browser
 * Worker kernel: in its init message), which the kernel's entry sets with setOutputMaxBytes; the
 * default is that setting's default (package.json).
 */
let maxBytes = 2_000_000;

/** The size cap of outputs (see above). */
export function outputMaxBytes(): number {
  return maxBytes;
}

/** Sets the size cap before the first cell runs (a kernel without environment variables). */
export function setOutputMaxBytes(bytes: number): void {
  if (Number.isFinite(bytes) && bytes > 0) maxBytes = bytes;
}

export class Outbox {
  private pending: { id: number | undefined; name: StreamName; text: string; since: number } | undefined;
  private scheduled = false;
  private lastFlush = 0;
  /** Characters streamed per cell id (only the running cell's counter matters; old ones are dropped). */
  private streamed = new Map<number, number>();
  /** Background text (callbacks of ended cells) since the last cell ended: capped like a cell's output,
   * so a leftover setInterval cannot flood the client. */
  private backgroundChars = 0;

  constructor(private readonly post: (m: FromKernel) => void, private readonly maxCellChars = outputMaxBytes()) {}

  /** Console text of cell `id`, or background text when `id` is undefined (no cell is running). */
  stream(id: number | undefined, name: StreamName, text: string): void {
    if (text === "") return;
    if (id === undefined) {
      if (this.backgroundChars >= this.maxCellChars) return;
      const room = this.maxCellChars - this.backgroundChars;
      this.backgroundChars += text.length;
      if (text.length > room) {
        text = text.slice(0, room) + `\n… background output truncated after ${this.maxCellChars.toLocaleString("en-US")} characters; ` +
          "the rest is dropped until the next cell ends (setting rnnNotebook.output.maxBytes).\n";
      }
    } else {
      const before = this.streamed.get(id) ?? (this.streamed.clear(), 0);
      if (before >= this.maxCellChars) return;
      const room = this.maxCellChars - before;
      this.streamed.set(id, before + text.length);
      if (text.length > room) {
        text = text.slice(0, room) + `\n… console output of this cell truncated after ${this.maxCellChars.toLocaleString("en-US")} characters; ` +
          "the rest is dropped (setting rnnNotebook.output.maxBytes).\n";
      }
    }
    const p = this.pending;
    if (p && (p.id !== id || p.name !== name)) this.flush();
    if (!this.pending && Date.now() - this.lastFlush >= FLUSH_MS) {
      // Quiet until now: send at once (a loop that prints once per slow iteration stays live).
      this.pending = { id, name, text, since: Date.now() };
      this.flush();
      return;
    }
    if (this.pending) this.pending.text += text;
    else this.pending = { id, name, text, since: Date.now() };
    const q = this.pending;
    if (q.text.length >= FLUSH_CHARS || Date.now() - q.since >= FLUSH_MS) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      platform().nextTurn(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  send(m: FromKernel): void {
    this.flush();
    this.post(m);
    if (m.type === "done") this.backgroundChars = 0; // a new budget for what runs on after this cell
  }

  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.lastFlush = Date.now();
    this.post(p.id === undefined ? { type: "background", name: p.name, text: p.text } : { type: "stream", id: p.id, name: p.name, text: p.text });
  }
}
