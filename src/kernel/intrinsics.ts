/**
 * Promise machinery as the kernel found it at start-up. Cells run in the kernel's own realm
 * (sandbox.ts), so a cell can replace `Promise.prototype.then` or `Promise.race`; the kernel still has
 * to see its cells end, so its own waiting goes through these captured originals (`await` on a native
 * promise already uses the engine's internal then, not the property).
 */
const NativePromise = Promise;
const nativeThen = Promise.prototype.then;
const ordinaryHasInstance = Function.prototype[Symbol.hasInstance];

/** Whether `v` is a promise of this realm (util.types.isPromise, without Node; a cell's own Symbol.hasInstance is ignored). */
export function isNativePromise(v: unknown): v is Promise<unknown> {
  return Reflect.apply(ordinaryHasInstance, NativePromise, [v]) as boolean;
}

/** `p.then(onFulfilled, onRejected)` with the original `then`, whatever the cell did to the prototype. */
export function thenNative<T, R1, R2>(p: Promise<T>, onFulfilled: (value: T) => R1 | PromiseLike<R1>,
                                      onRejected: (reason: unknown) => R2 | PromiseLike<R2>): Promise<R1 | R2> {
  return Reflect.apply(nativeThen, p, [onFulfilled, onRejected]) as Promise<R1 | R2>;
}

/** `Promise.race([a, b])` through the original `then` (the built-in race looks `then` up on each promise). */
export function raceNative<A, B>(a: Promise<A>, b: Promise<B>): Promise<A | B> {
  return new NativePromise<A | B>((resolve, reject) => {
    thenNative(a, resolve, reject);
    thenNative(b, resolve, reject);
  });
}
