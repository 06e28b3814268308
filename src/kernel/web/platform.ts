/**
 * The browser Worker kernel's platform (../platform.ts): the portable formatter, evaluation and
 * deflate, plus a turn of the event loop through a MessageChannel — timers nested more than five
 * deep are clamped to ≥ 4 ms by browsers (HTML's timer initialisation steps), port messages are not —
 * and the worker's own script (a blob: URL) as the kernel's frames in stacks.
 */
import { portablePlatform, type KernelPlatform } from "../platform";

const channel = new MessageChannel();
const turns: (() => void)[] = [];
channel.port1.onmessage = () => turns.shift()?.();

function nextTurn(f: () => void): void {
  turns.push(f);
  channel.port2.postMessage(undefined);
}

export const webPlatform: KernelPlatform = {
  ...portablePlatform,
  nextTurn,
  isInternalFile: (file) => portablePlatform.isInternalFile(file) || file.startsWith("blob:") || file === self.location.href,
};

/** fit's yield between batches (src/engine/host.ts yieldToEventLoop). */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => nextTurn(resolve));
