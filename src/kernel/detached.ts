/**
 * The kernel's side of a detached kernel: instead of fork's IPC channel, a local socket that a
 * client reaches with the kernel's secret (src/kernel/channel.ts), so the kernel outlives the
 * program that started it — a window reload ends the extension host, not the training.
 *
 * One client at a time: a client that says hello with the right secret replaces the one before (the
 * reloaded window takes over from the old one). On attaching it gets `ready` with the cell running
 * now (or one that ended while no client was attached, then with its "done"), then everything that cell has shown so far (its streams, the latest version of each display,
 * its result or error), then the background text that arrived while nobody listened — so a live
 * training output continues where it was. With no client attached the kernel waits `idleMs` (the
 * setting rnnNotebook.kernel.closedTimeoutMinutes) for one, then ends and removes its files.
 */
import { createServer, type Server, type Socket } from "node:net";
import { chmodSync, rmSync } from "node:fs";
import type { FromKernel, ToKernel } from "../shared/protocol";
import { FrameReader, frame, HELLO_TIMEOUT_MS, secretMatches, type Hello } from "./channel";

/** What the kernel hands its transport. */
export interface DetachedOptions {
  socketPath: string;
  secret: string;
  /** How long the kernel lives with no client attached. */
  idleMs: number;
  /** Files removed when the kernel ends (the socket is always removed). */
  ownFiles: string[];
  onMessage(m: ToKernel): void;
  /** Ends the process (the kernel's real exit, not the one cells see). */
  exit(code: number): void;
}

/** How long a fresh kernel waits for the client that started it. */
const FIRST_CLIENT_MS = 60_000;

/** Most background characters kept while no client is attached (the newest are kept). */
const DETACHED_BACKGROUND_CHARS = 1_000_000;

type Logged = Extract<FromKernel, { id: number }>;

export class DetachedChannel {
  private readonly server: Server;
  private client: Socket | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  /** The cell running now and what it has sent, for a client that attaches while it runs. */
  private running: { id: number; cell: number; log: Logged[] } | undefined;
  private finishedUnseen: { id: number; cell: number; log: Logged[] } | undefined;
  private background: Extract<FromKernel, { type: "background" }>[] = [];
  private backgroundChars = 0;

  constructor(private readonly options: DetachedOptions) {
    this.server = createServer((socket) => this.connection(socket));
    process.on("exit", () => {
      for (const f of [options.socketPath, ...options.ownFiles]) rmSync(f, { force: true });
    });
    // The socket is created with the process umask: 0177 makes it 0600 from its first moment, so no
    // other user can connect even before the chmod below.
    const umask = process.umask(0o177);
    this.server.listen(options.socketPath, () => {
      process.umask(umask);
      chmodSync(options.socketPath, 0o600);
    });
    this.server.on("error", (e) => {
      process.stderr.write(`RNN Notebook kernel: cannot listen on ${options.socketPath}: ${e.message}\n`);
      options.exit(1);
    });
    // The client that started the kernel connects within seconds; until then even a zero idle time waits.
    this.startIdleTimer(Math.max(options.idleMs, FIRST_CLIENT_MS));
  }

  /** A cell starts running (the kernel runs one at a time). */
  cellStarted(id: number, cell: number): void {
    this.running = { id, cell, log: [] };
  }

  /** Sends to the attached client, if any; `written` is called once the message left (or had nobody to go to). */
  send(m: FromKernel, written?: () => void): void {
    this.remember(m);
    if (this.client && !this.client.destroyed) this.client.write(frame(m), () => written?.());
    else written?.();
  }

  private remember(m: FromKernel): void {
    if (m.type === "background") {
      if (this.client) return;
      this.background.push(m);
      this.backgroundChars += m.text.length;
      while (this.backgroundChars > DETACHED_BACKGROUND_CHARS && this.background.length > 1) {
        this.backgroundChars -= this.background.shift()!.text.length;
      }
      return;
    }
    const r = this.running;
    if (!r || !("id" in m) || m.id !== r.id) return;
    if (m.type === "done") {
      // Ended while nobody listened (mid-reload): the next client still gets its outputs and its end.
      this.finishedUnseen = this.client ? undefined : { ...r, log: [...r.log, m] };
      this.running = undefined;
      return;
    }
    if (m.type === "inspectResult") return;
    const last = r.log[r.log.length - 1];
    if (m.type === "stream" && last?.type === "stream" && last.name === m.name) {
      r.log[r.log.length - 1] = { ...last, text: last.text + m.text };
    } else if (m.type === "display" && m.displayId !== undefined) {
      // A display updated in place (the live training output): only its newest version matters.
      const i = r.log.findIndex((e) => e.type === "display" && e.displayId === m.displayId);
      if (i >= 0) r.log[i] = m;
      else r.log.push(m);
    } else {
      r.log.push(m);
    }
  }

  private connection(socket: Socket): void {
    let hello = false;
    const timer = setTimeout(() => socket.destroy(), HELLO_TIMEOUT_MS);
    const reader = new FrameReader((m) => {
      if (!hello) {
        clearTimeout(timer);
        if ((m as Hello)?.type !== "hello" || !secretMatches(this.options.secret, (m as Hello).secret)) {
          // Nothing is said to a client without the secret, not even why.
          socket.destroy();
          return;
        }
        hello = true;
        this.attach(socket);
        return;
      }
      if (socket === this.client) this.options.onMessage(m as ToKernel);
    }, () => socket.destroy());
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      clearTimeout(timer);
      if (socket === this.client) {
        this.client = undefined;
        this.startIdleTimer();
      }
    });
  }

  private attach(socket: Socket): void {
    const previous = this.client;
    this.client = socket;
    previous?.destroy();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // The cell running now; else one that ended since the last client left (its log ends with "done").
    const r = this.running ?? this.finishedUnseen;
    this.finishedUnseen = undefined;
    socket.write(frame({ type: "ready", pid: process.pid, ...(r ? { running: { id: r.id, cell: r.cell } } : {}) } satisfies FromKernel));
    for (const m of r?.log ?? []) socket.write(frame(m));
    for (const m of this.background.splice(0)) socket.write(frame(m));
    this.backgroundChars = 0;
  }

  private startIdleTimer(ms = this.options.idleMs): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (!this.client) this.options.exit(0);
    }, ms);
  }
}

/** Reads the secret its starter writes on stdin (one line), never from the environment or argv. */
export function readSecret(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (t: string) => {
      text += t;
      const nl = text.indexOf("\n");
      if (nl >= 0) {
        process.stdin.destroy();
        resolve(text.slice(0, nl));
      }
    });
    process.stdin.on("end", () => (text ? resolve(text.trim()) : reject(new Error("no secret on stdin"))));
    process.stdin.on("error", reject);
  });
}
