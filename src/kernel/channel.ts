/**
 * The wire of a detached kernel: the kernel listens on a local socket (a Unix domain socket in a
 * folder only its user can enter, the socket itself mode 0600) and a client that connects must
 * first send `{ type: "hello", secret }` with the per-kernel secret it was given when the kernel
 * started. Both ends frame messages the same way: a 4-byte big-endian length, then the message as
 * V8's structured-clone serialization — what fork's "advanced" IPC channel does, so the protocol's
 * messages (typed arrays included) cross unchanged.
 *
 * Shared by the kernel (src/kernel/detached.ts) and its parent (src/client/detachedKernel.ts).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { deserialize, serialize } from "node:v8";

/** Largest frame either end accepts: the output caps keep real messages far below it. */
export const MAX_FRAME_BYTES = 256 * 1024 * 1024;

/** How long a fresh connection has to say hello with the right secret before it is dropped. */
export const HELLO_TIMEOUT_MS = 5000;

/** The first message on a connection. */
export interface Hello {
  type: "hello";
  secret: string;
}

/** A message as one frame. */
export function frame(message: unknown): Buffer {
  const body = serialize(message);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/**
 * Cuts a byte stream into messages. A frame longer than MAX_FRAME_BYTES or one that does not
 * deserialize is a broken peer: `onError` is called once and nothing more is delivered.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);
  private broken = false;

  constructor(private readonly onMessage: (m: unknown) => void, private readonly onError: (why: string) => void) {}

  push(chunk: Buffer): void {
    if (this.broken) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) return this.fail(`a frame of ${length} bytes (more than ${MAX_FRAME_BYTES})`);
      if (this.buffered.length < 4 + length) return;
      const body = this.buffered.subarray(4, 4 + length);
      this.buffered = this.buffered.subarray(4 + length);
      let message: unknown;
      try {
        message = deserialize(body);
      } catch (e) {
        return this.fail(`a frame that does not deserialize (${(e as Error).message})`);
      }
      this.onMessage(message);
      if (this.broken) return;
    }
  }

  private fail(why: string): void {
    this.broken = true;
    this.buffered = Buffer.alloc(0);
    this.onError(why);
  }
}

/** Whether a received secret is the kernel's, in time that does not depend on where they differ. */
export function secretMatches(expected: string, received: unknown): boolean {
  if (typeof received !== "string") return false;
  // Hashing first gives both sides the same length, which timingSafeEqual needs.
  const a = createHash("sha256").update(expected).digest();
  const b = createHash("sha256").update(received).digest();
  return timingSafeEqual(a, b);
}
