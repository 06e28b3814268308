/**
 * A kernel process that is not a child for life: the extension starts dist/kernel.js detached (its
 * own process group, no pipes to the extension host), and talks to it over a Unix domain socket with
 * a per-kernel secret (src/kernel/channel.ts). A window reload ends the extension host, not the
 * kernel; the reloaded window finds the kernel again through its record and attaches.
 *
 * Files, all in kernelDir() — a folder of this user's, mode 0700, checked on every use:
 *   <key>.json   the record: pid, socket, secret, log, cwd (mode 0600; key = hash of the notebook URI)
 *   <key>-<r>.sock  the socket (mode 0600)
 *   <key>-<r>.log   the kernel's stdout and stderr (V8's out-of-memory report lands here)
 * The kernel removes them when it ends normally; a client that finds the process gone removes them.
 *
 * No other user can attach: they cannot enter the folder nor open the socket, and a connection
 * without the secret is dropped before anything is said (the kernel's side checks it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { closeSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync, fstatSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir, userInfo } from "node:os";
import * as path from "node:path";
import type { FromKernel, ToKernel } from "../shared/protocol";
import { FrameReader, frame, type Hello } from "../kernel/channel";
import { kernelNodeFlags, type KernelConnection, type KernelExit, type KernelProcessListener, type KernelProcessOptions } from "./kernelProcess";

/** What the record file holds. */
export interface KernelRecord {
  pid: number;
  socket: string;
  secret: string;
  log: string;
  cwd: string;
  /** What the kernel is for (the notebook's URI), for people reading the folder. */
  key: string;
  started: string;
}

/** How long a started kernel may take to open its socket. */
const START_TIMEOUT_MS = 60_000;
/** How long an existing kernel may take to answer a reattach. */
const ATTACH_TIMEOUT_MS = 5000;
/** How much of the log is kept for describing a death (V8's OOM report fits). */
const LOG_TAIL_BYTES = 4000;
/** Longest path a Unix domain socket may have on Linux (sun_path, 108 bytes with the terminating NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * The folder of this user's detached kernels: created mode 0700; refused — with the reason — when it
 * is a symlink, not ours, or open to others (someone could swap sockets there).
 */
export function kernelDir(root = process.env.RNN_NOTEBOOK_KERNEL_DIR ?? tmpdir()): string {
  const uid = process.getuid?.() ?? userInfo().uid;
  const dir = path.join(root, `rnn-notebook-kernels-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.isSymbolicLink()) throw new Error(`${dir} is not a folder: detached kernels need a private folder there`);
  if (st.uid !== uid) throw new Error(`${dir} belongs to user ${st.uid}, not ${uid}: refusing to put kernel sockets there`);
  if ((st.mode & 0o077) !== 0) throw new Error(`${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}): refusing to put kernel sockets there`);
  return dir;
}

function keyHash(key: string): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 16);
}

export function recordPath(dir: string, key: string): string {
  return path.join(dir, `${keyHash(key)}.json`);
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether a kernel was left running for this key (a cheap check: its record file exists). */
export function hasKernelRecord(key: string, dir?: string): boolean {
  try {
    return statSync(recordPath(dir ?? kernelDir(), key)).isFile();
  } catch {
    return false;
  }
}

/** The record of a key's kernel, if its file is there and well-formed. */
export function readRecord(dir: string, key: string): KernelRecord | undefined {
  try {
    const r = JSON.parse(readFileSync(recordPath(dir, key), "utf8")) as KernelRecord;
    if (typeof r.pid === "number" && typeof r.socket === "string" && typeof r.secret === "string" && typeof r.log === "string") return r;
  } catch {
    // no record, or a broken one: no kernel to attach to
  }
  return undefined;
}

function removeFiles(dir: string, key: string, r: Pick<KernelRecord, "socket" | "log"> | undefined): void {
  rmSync(recordPath(dir, key), { force: true });
  if (r) {
    rmSync(r.socket, { force: true });
    rmSync(r.log, { force: true });
  }
}

function logTail(file: string): string {
  try {
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, LOG_TAIL_BYTES);
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, size - length);
      return buf.toString("utf8");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

export interface DetachedOptions extends KernelProcessOptions {
  /** Which kernel this is: the notebook's URI. One kernel per key. */
  key: string;
  /** How long the kernel lives with no client attached (its notebook closed, or its window gone). */
  idleMs: number;
  /** Folder for the kernel files (default kernelDir()). */
  dir?: string;
}

/**
 * One connection to a detached kernel, started here (`launch`) or found again (`attach`). The same
 * surface as KernelProcess, so KernelClient drives either; `release` lets go without ending it.
 */
export class DetachedKernel implements KernelConnection {
  private socket: Socket | undefined;
  private ended: KernelExit | undefined;
  private released = false;
  private isReady = false;
  private launchDeadline = 0;
  private resolveExit!: (e: KernelExit) => void;
  private resolveReady!: () => void;
  private rejectReady!: (e: Error) => void;
  stderrTail = "";
  readonly ready: Promise<void>;
  readonly exited: Promise<KernelExit>;
  /** The cell the kernel was running when this connection attached (from its "ready"). */
  runningAtAttach: { id: number; cell: number } | undefined;

  private constructor(
    private readonly dir: string,
    private readonly key: string,
    private readonly record: KernelRecord,
    private readonly listener: KernelProcessListener,
    private readonly child?: ChildProcess,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    // Started here: Node tells the parent how it ended, as long as this process lives.
    child?.once("exit", (code, signal) => this.onEnd({ code, signal }));
  }

  /** Starts a kernel for `options.key` and connects to it. */
  static launch(options: DetachedOptions, listener: KernelProcessListener): DetachedKernel {
    const dir = options.dir ?? kernelDir();
    const base = path.join(dir, `${keyHash(options.key)}-${randomBytes(4).toString("hex")}`);
    const socket = `${base}.sock`;
    if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
      throw new Error(`the kernel socket path ${socket} is longer than ${MAX_SOCKET_PATH} bytes; set RNN_NOTEBOOK_KERNEL_DIR to a shorter folder`);
    }
    const log = `${base}.log`;
    const secret = randomBytes(32).toString("hex");
    const logFd = openSync(log, "a", 0o600);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [...kernelNodeFlags(), ...(options.execArgv ?? []), options.kernelPath], {
        cwd: options.cwd,
        env: {
          ...(options.env ?? process.env),
          RNN_KERNEL_SOCKET: socket,
          RNN_KERNEL_IDLE_MS: String(Math.max(0, Math.round(options.idleMs))),
          RNN_KERNEL_OWN_FILES: [recordPath(dir, options.key), log].join("\n"),
        },
        // Its own process group and no pipe to this process but stdin (closed once the secret is
        // written): the kernel neither dies with the extension host nor blocks on a dead pipe.
        detached: true,
        stdio: ["pipe", logFd, logFd],
      });
    } finally {
      closeSync(logFd);
    }
    child.stdin?.end(`${secret}\n`);
    child.unref();
    const record: KernelRecord = { pid: child.pid ?? -1, socket, secret, log, cwd: options.cwd, key: options.key, started: new Date().toISOString() };
    writeFileSync(recordPath(dir, options.key), JSON.stringify(record), { mode: 0o600 });
    const k = new DetachedKernel(dir, options.key, record, listener, child);
    k.launchDeadline = Date.now() + START_TIMEOUT_MS;
    k.connectWhenListening(k.launchDeadline);
    return k;
  }

  /**
   * The key's running kernel, connected, or undefined when there is none to attach to (no record,
   * the process is gone, or it does not answer with the record's secret). Never starts a kernel.
   */
  static async attach(key: string, listener: KernelProcessListener, dirOrDefault?: string): Promise<DetachedKernel | undefined> {
    const dir = dirOrDefault ?? kernelDir();
    const record = readRecord(dir, key);
    if (!record) return undefined;
    if (!processAlive(record.pid)) {
      removeFiles(dir, key, record);
      return undefined;
    }
    const k = new DetachedKernel(dir, key, record, listener);
    // A kernel started moments ago (by a window that reloaded at once) may not listen yet.
    k.connectWhenListening(Date.now() + ATTACH_TIMEOUT_MS, false);
    const timer = setTimeout(() => k.rejectReady(new Error("the kernel did not answer")), ATTACH_TIMEOUT_MS);
    try {
      await k.ready;
      return k;
    } catch {
      k.released = true;
      k.socket?.destroy();
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  get pid(): number | undefined {
    return this.record.pid > 0 ? this.record.pid : undefined;
  }

  get hasExited(): boolean {
    return this.ended !== undefined;
  }

  send(m: ToKernel): void {
    if (!this.ended && this.socket && !this.socket.destroyed) this.socket.write(frame(m));
  }

  /** Ends the process at once (SIGKILL); a no-op once it ended. */
  kill(): void {
    if (this.ended) return;
    // The record goes first, so nobody attaches to a kernel that is being killed.
    rmSync(recordPath(this.dir, this.key), { force: true });
    try {
      process.kill(this.record.pid, "SIGKILL");
    } catch {
      // already gone
    }
    if (!this.child) this.watchUntilGone();
  }

  /** Lets go of the kernel without ending it: it keeps running for its idle time, for the next client. */
  release(): void {
    this.released = true;
    this.socket?.destroy();
  }

  private connectWhenListening(deadline: number, ours = true): void {
    if (this.ended || this.released) return;
    let exists = false;
    try {
      exists = statSync(this.record.socket).isSocket();
    } catch {
      // not yet
    }
    if (!exists) {
      if (Date.now() > deadline) {
        this.rejectReady(new Error(`The kernel process did not open its socket within ${START_TIMEOUT_MS / 1000} s.\n${logTail(this.record.log)}`));
        if (ours) this.kill();
        return;
      }
      setTimeout(() => this.connectWhenListening(deadline, ours), 25);
      return;
    }
    this.open();
  }

  private open(): void {
    const socket = connect(this.record.socket);
    this.socket = socket;
    const reader = new FrameReader((m) => this.onFrame(m as FromKernel), () => socket.destroy());
    socket.on("connect", () => socket.write(frame({ type: "hello", secret: this.record.secret } satisfies Hello)));
    socket.on("data", (chunk: Buffer) => reader.push(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      if (socket !== this.socket || this.released || this.ended) return;
      if (!this.isReady) {
        if (this.child && Date.now() < this.launchDeadline) {
          // Our own kernel, still starting (a loaded machine): try again until its start time is up.
          setTimeout(() => this.connectWhenListening(this.launchDeadline), 100);
          return;
        }
        // Refused before hello was answered: not a kernel to use (attach gives up; a launch fails).
        this.rejectReady(new Error(`The kernel did not accept the connection.\n${logTail(this.record.log)}`));
        if (this.child) this.kill();
        return;
      }
      // The kernel is ending (its "exit" follows from Node if it is our child), or another window took it over.
      if (!this.child) this.watchUntilGone();
    });
  }

  private onFrame(m: FromKernel): void {
    if (m.type === "ready") {
      this.isReady = true;
      this.runningAtAttach = m.running;
      this.resolveReady();
    }
    this.listener.message(m);
  }

  /**
   * Not our child (attached after a reload): poll until the pid is gone. A kernel that stays alive
   * after closing this connection was taken over by another window: for this one it ended.
   */
  private watchUntilGone(started = Date.now()): void {
    if (this.ended) return;
    if (!processAlive(this.record.pid)) {
      this.onEnd({ code: null, signal: null });
      return;
    }
    if (Date.now() - started > 3000 && !this.released) {
      this.stderrTail = "The kernel was taken over by another window.";
      this.onEnd({ code: null, signal: null }, false);
      return;
    }
    setTimeout(() => this.watchUntilGone(started), 100);
  }

  private onEnd(e: KernelExit, gone = true): void {
    if (this.ended) return;
    this.ended = e;
    if (gone) {
      this.stderrTail = logTail(this.record.log) || this.stderrTail;
      removeFiles(this.dir, this.key, this.record);
    }
    this.socket?.destroy();
    this.rejectReady(new Error(`The kernel process exited before it was ready (code ${e.code}, signal ${e.signal}).\n${this.stderrTail}`));
    if (!this.released) this.listener.exit(e);
    this.resolveExit(e);
  }
}
