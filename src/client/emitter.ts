/**
 * The few EventEmitter members kernel clients use (on, once, off, emit, removeAllListeners,
 * listenerCount), without `node:events`, so a client also runs in VS Code's web worker extension
 * host. Listeners run in the order they were added; one that throws does not stop the others.
 */
type Listener = (...args: never[]) => void;

export class Emitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: (...args: never[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }

  once(event: string, listener: (...args: never[]) => void): this {
    const wrapped = (...args: never[]): void => {
      this.off(event, wrapped);
      listener(...args);
    };
    return this.on(event, wrapped);
  }

  off(event: string, listener: (...args: never[]) => void): this {
    const list = this.listeners.get(event);
    if (list) this.listeners.set(event, list.filter((l) => l !== listener));
    return this;
  }

  /** Calls every listener of `event`; true when there was one. */
  emit(event: string, ...args: unknown[]): boolean {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return false;
    for (const l of list) {
      try {
        (l as (...a: unknown[]) => void)(...args);
      } catch (e) {
        // A listener's failure is its own; the client keeps going (like an uncaught error in a timer).
        setTimeout(() => {
          throw e;
        }, 0);
      }
    }
    return true;
  }

  removeAllListeners(event?: string): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}
