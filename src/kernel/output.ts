/**
 * Everything the kernel says goes through one Outbox, so messages leave in the order they were made.
 * Console text is coalesced (one `stream` message per burst rather than one per console.log), but a
 * burst is flushed after at most FLUSH_MS even inside a loop that never yields, before any other
 * message, and at the end of the event-loop turn — so output stays live and in order.
 */
import type { FromKernel } from "../shared/protocol";

type StreamName = "stdout" | "stderr";

/** Longest a console burst is held back (ms). */
const FLUSH_MS = 30;
/** Largest burst held back (characters). */
const FLUSH_CHARS = 64 * 1024;

export class Outbox {
  private pending: { id: number | undefined; name: StreamName; text: string; since: number } | undefined;
  private scheduled = false;

  constructor(private readonly post: (m: FromKernel) => void) {}

  /** Console text of cell `id`, or background text when `id` is undefined (no cell is running). */
  stream(id: number | undefined, name: StreamName, text: string): void {
    if (text === "") return;
    const p = this.pending;
    if (p && (p.id !== id || p.name !== name)) this.flush();
    if (this.pending) this.pending.text += text;
    else this.pending = { id, name, text, since: Date.now() };
    const q = this.pending;
    if (q.text.length >= FLUSH_CHARS || Date.now() - q.since >= FLUSH_MS) {
      this.flush();
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  send(m: FromKernel): void {
    this.flush();
    this.post(m);
  }

  flush(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    this.post(p.id === undefined ? { type: "background", name: p.name, text: p.text } : { type: "stream", id: p.id, name: p.name, text: p.text });
  }
}
