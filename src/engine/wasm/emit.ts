/**
 * A tiny WebAssembly binary emitter: just enough of the binary format (WebAssembly Core Specification
 * 2.0, chapter 5 "Binary Format", plus the fixed-width SIMD proposal's opcodes) to write the GEMM
 * module in gemmModule.ts from TypeScript, with no toolchain. The `.wasm` bytes are produced at run
 * time by this code; nothing opaque is committed.
 *
 * Usage: make a `FunctionBuilder`, append instructions with its methods (each is one opcode and its
 * immediates), then `encodeModule({ functions, exports })`. Validation is left to the engine
 * (`WebAssembly.validate`), which rejects any mistake here before it can run.
 */

/** Value types (spec 5.3.1). */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Unsigned LEB128 (spec 5.2.2). */
export function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

/** Signed LEB128 for 32-bit constants. */
export function sleb(n: number, out: number[]): void {
  n |= 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** One function body being written; locals are numbered after the parameters. */
export class FunctionBuilder {
  readonly code: number[] = [];
  private readonly localTypes: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: ValType[],
    readonly results: ValType[] = [],
  ) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.localTypes.push(type);
    return this.params.length + this.localTypes.length - 1;
  }

  // Control (spec 5.4.1). Blocks take no values and return none (block type 0x40).
  block(): this { this.code.push(0x02, 0x40); return this; }
  loop(): this { this.code.push(0x03, 0x40); return this; }
  if(): this { this.code.push(0x04, 0x40); return this; }
  else(): this { this.code.push(0x05); return this; }
  end(): this { this.code.push(0x0b); return this; }
  br(depth: number): this { this.code.push(0x0c); uleb(depth, this.code); return this; }
  brIf(depth: number): this { this.code.push(0x0d); uleb(depth, this.code); return this; }
  return(): this { this.code.push(0x0f); return this; }

  // Variables.
  get(l: number): this { this.code.push(0x20); uleb(l, this.code); return this; }
  set(l: number): this { this.code.push(0x21); uleb(l, this.code); return this; }
  tee(l: number): this { this.code.push(0x22); uleb(l, this.code); return this; }

  // i32 arithmetic and comparisons (spec 5.4.5).
  i32(c: number): this { this.code.push(0x41); sleb(c, this.code); return this; }
  i32Eqz(): this { this.code.push(0x45); return this; }
  i32Eq(): this { this.code.push(0x46); return this; }
  i32Ne(): this { this.code.push(0x47); return this; }
  i32LtS(): this { this.code.push(0x48); return this; }
  i32GtS(): this { this.code.push(0x4a); return this; }
  i32LeS(): this { this.code.push(0x4c); return this; }
  i32GeS(): this { this.code.push(0x4e); return this; }
  i32Add(): this { this.code.push(0x6a); return this; }
  i32Sub(): this { this.code.push(0x6b); return this; }
  i32Mul(): this { this.code.push(0x6c); return this; }
  i32And(): this { this.code.push(0x71); return this; }
  select(): this { this.code.push(0x1b); return this; }

  // f32 scalars.
  f32Load(offset = 0): this { this.code.push(0x2a, 2); uleb(offset, this.code); return this; }
  f32Store(offset = 0): this { this.code.push(0x38, 2); uleb(offset, this.code); return this; }
  f32Const0(): this { this.code.push(0x43, 0, 0, 0, 0); return this; }
  f32Add(): this { this.code.push(0x92); return this; }

  // SIMD (prefix 0xfd, then the opcode as unsigned LEB128).
  private simd(op: number): this { this.code.push(0xfd); uleb(op, this.code); return this; }
  /** v128.load with a 4-byte alignment hint (alignment never traps). */
  v128Load(offset = 0): this { this.simd(0x00); this.code.push(2); uleb(offset, this.code); return this; }
  /** v128.load32_splat: one f32 from memory into all four lanes. */
  v128Load32Splat(offset = 0): this { this.simd(0x09); this.code.push(2); uleb(offset, this.code); return this; }
  v128Store(offset = 0): this { this.simd(0x0b); this.code.push(2); uleb(offset, this.code); return this; }
  /** i8x16.shuffle expressed on 32-bit lanes: lanes 0–3 pick from the first operand, 4–7 from the second. */
  shuffle32(l0: number, l1: number, l2: number, l3: number): this {
    this.simd(0x0d);
    for (const l of [l0, l1, l2, l3]) for (let b = 0; b < 4; b++) this.code.push(4 * l + b);
    return this;
  }
  v128Zero(): this { this.simd(0x0c); for (let i = 0; i < 16; i++) this.code.push(0); return this; }
  /** v128.const with the same f32 in all four lanes. */
  f32x4Const(x: number): this {
    this.simd(0x0c);
    const bytes = new Uint8Array(new Float32Array([x, x, x, x]).buffer);
    for (const b of bytes) this.code.push(b);
    return this;
  }
  /** v128.const with the same i32 in all four lanes. */
  i32x4Const(x: number): this {
    this.simd(0x0c);
    const bytes = new Uint8Array(new Int32Array([x, x, x, x]).buffer);
    for (const b of bytes) this.code.push(b);
    return this;
  }
  /** Relaxed SIMD f32x4.relaxed_madd: a·b + c, fused or not at the host's choice. */
  f32x4RelaxedMadd(): this { return this.simd(0x105); }
  f32x4Add(): this { return this.simd(0xe4); }
  f32x4Neg(): this { return this.simd(0xe1); }
  f32x4Sub(): this { return this.simd(0xe5); }
  f32x4Mul(): this { return this.simd(0xe6); }
  f32x4Div(): this { return this.simd(0xe7); }
  f32x4Min(): this { return this.simd(0xe8); }
  f32x4Max(): this { return this.simd(0xe9); }
  /** Round to nearest, ties to even. */
  f32x4Nearest(): this { return this.simd(0x6a); }
  /** Saturating f32 → i32 per lane. */
  i32x4TruncSatF32x4S(): this { return this.simd(0xf8); }
  i32x4Add(): this { return this.simd(0xae); }
  /** Shift each lane left by the i32 on top of the stack. */
  i32x4Shl(): this { return this.simd(0xab); }

  /** The function body: local declarations (one group per local, simplest valid form) and code. */
  encodeBody(): number[] {
    const body: number[] = [];
    uleb(this.localTypes.length, body);
    for (const t of this.localTypes) body.push(1, t);
    body.push(...this.code, 0x0b);
    const out: number[] = [];
    uleb(body.length, out);
    return out.concat(body);
  }
}

function section(id: number, payload: number[], out: number[]): void {
  out.push(id);
  uleb(payload.length, out);
  for (const b of payload) out.push(b);
}

function name(s: string, out: number[]): void {
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/**
 * A module with one exported memory ("memory", `memoryPages` initial 64 KiB pages, growable) and the
 * given functions, each exported under its name. With `sharedMaxPages` the memory is instead imported
 * as env.memory, shared, at most that many pages (spec 5.5.5 import section; limits flag 3 = min, max,
 * shared — threads proposal): two threads then run the same code on one memory (gemm.ts's helper
 * thread); a shared memory must declare its maximum.
 */
export function encodeModule(functions: FunctionBuilder[], memoryPages: number, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Type section: one function type per function (duplicates are allowed).
  const types: number[] = [];
  uleb(functions.length, types);
  for (const f of functions) {
    types.push(0x60);
    uleb(f.params.length, types);
    types.push(...f.params);
    uleb(f.results.length, types);
    types.push(...f.results);
  }
  section(1, types, out);
  const funcs: number[] = [];
  uleb(functions.length, funcs);
  functions.forEach((_, i) => uleb(i, funcs));
  if (sharedMaxPages === undefined) {
    section(3, funcs, out);
    const mem: number[] = [1, 0x00];
    uleb(memoryPages, mem);
    section(5, mem, out);
  } else {
    // The import section comes before the function section (sections in id order).
    const imports: number[] = [1];
    name("env", imports);
    name("memory", imports);
    imports.push(0x02, 0x03);
    uleb(memoryPages, imports);
    uleb(sharedMaxPages, imports);
    section(2, imports, out);
    section(3, funcs, out);
  }
  const exports: number[] = [];
  uleb(functions.length + 1, exports);
  name("memory", exports);
  exports.push(0x02, 0);
  functions.forEach((f, i) => { name(f.name, exports); exports.push(0x00); uleb(i, exports); });
  section(7, exports, out);
  const code: number[] = [];
  uleb(functions.length, code);
  for (const f of functions) code.push(...f.encodeBody());
  section(10, code, out);
  return new Uint8Array(out);
}
