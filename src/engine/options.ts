/**
 * Checks of the plain option objects every public factory and method takes (`rnn.lstm({ units })`,
 * `rnn.nn.LSTM({ inputSize, hiddenSize })`, `model.fit(x, y, { epochs })`, …), so a typo or a wrong type
 * fails at the call with one wording everywhere: `<where>: <option> must be <rule>, got <value>`.
 *
 * Each checker takes the value, the option's name and `where` (the factory or method, e.g. "rnn.lstm"),
 * and returns the value (or the default when it is undefined) with its checked type.
 */

/**
 * Rejects keys the callee does not know, listing the valid ones (a typo like `returnSequence` fails
 * early instead of being ignored). Undefined or null options pass; anything else that is not an object throws.
 */
export function checkKeys(options: unknown, valid: readonly string[], where: string): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object") throw new Error(`${where}: expected an options object, got ${typeof options}`);
  for (const key of Object.keys(options)) {
    if (!valid.includes(key)) throw new Error(`${where}: unknown option ${JSON.stringify(key)}; valid options: ${valid.join(", ")}`);
  }
}

/** An integer ≥ 1 (sizes, counts, epochs); `dflt` when undefined and a default is given. */
export function positiveInt(v: unknown, what: string, where: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (!Number.isInteger(v) || (v as number) <= 0) throw new Error(`${where}: ${what} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

/** true or false; `dflt` when undefined. */
export function bool(v: unknown, dflt: boolean, what: string, where: string): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") throw new Error(`${where}: ${what} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

/** A fraction in [0, 1) (dropout rates, validation splits); `dflt` when undefined and a default is given. */
export function fraction(v: unknown, what: string, where: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !(v >= 0 && v < 1)) throw new Error(`${where}: ${what} must be a number in [0, 1), got ${JSON.stringify(v)}`);
  return v;
}

/** A finite number (seeds); `dflt` when undefined and a default is given. */
export function finiteNumber(v: unknown, what: string, where: string, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${where}: ${what} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

/** One of the listed strings (dtype, nonlinearity, …); `dflt` when undefined and a default is given. */
export function oneOf<T extends string>(v: unknown, valid: readonly T[], what: string, where: string, dflt?: T): T {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "string" || !(valid as readonly string[]).includes(v)) {
    const list = valid.map((s) => JSON.stringify(s));
    const rule = list.length === 2 ? `${list[0]} or ${list[1]}` : `one of ${list.join(", ")}`;
    throw new Error(`${where}: ${what} must be ${rule}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}
