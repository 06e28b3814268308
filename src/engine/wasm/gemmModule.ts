/**
 * The WebAssembly SIMD SGEMM module, written instruction by instruction with emit.ts.
 *
 * It computes C (M,N) (+)= A (M,K) · B (K,N) on float32 data already copied into its own memory, with
 * A and B addressed through arbitrary strides — so one kernel serves A·B, A·Bᵀ and Aᵀ·B (gemm.ts
 * chooses the strides). The structure is the classic one of Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 2008), cut down to two cache levels:
 *
 *   for each block of KC rows of B            (pc)
 *     pack B[pc:pc+KC, :] into panels of NR columns, each panel (KC, NR) contiguous, zero-padded
 *     for each block of MC rows of A          (ic)
 *       for each panel                        (jp)   — the panel (KC·NR·4 = 8 KiB) stays in L1
 *         for each MR rows inside the block   (ir)   — A's (MC, KC) block stays in L2
 *           micro-kernel: an MR×NR tile of C in 8 v128 registers, one k step =
 *             2 vector loads of the panel + 4 splat loads of A + 8 mul + 8 add
 *
 * Byte addresses and byte strides throughout. M, N, K ≥ 1 (gemm.ts handles empty products).
 * Porting note: baseline WASM SIMD has no fused multiply-add (that is the relaxed-SIMD proposal), so
 * each product is rounded before the add, exactly like the scalar JavaScript loop.
 */
import { encodeModule, F32, FunctionBuilder, I32, V128 } from "./emit";

/** Micro-tile rows and columns (NR is two f32x4 vectors). */
export const MR = 4;
export const NR = 8;
/** Rows of B per packed block and rows of A per L2 block. */
export const KC = 256;
export const MC = 64;

/** `pack(kc, n, src, bs0, bs1, dst)`: B rows [0, kc) of the strided source into NR-column panels. */
function packFunction(): FunctionBuilder {
  const f = new FunctionBuilder("pack", [I32, I32, I32, I32, I32, I32]);
  const [kc, n, src, bs0, bs1, dst] = [0, 1, 2, 3, 4, 5];
  const j = f.local(I32), p = f.local(I32), jj = f.local(I32), cols = f.local(I32);
  const s = f.local(I32), row = f.local(I32);
  f.i32(0).set(j);
  f.block().loop();
  {
    f.get(j).get(n).i32GeS().brIf(1);
    // cols = min(NR, n - j)
    f.get(n).get(j).i32Sub().set(cols);
    f.i32(NR).get(cols).get(cols).i32(NR).i32GtS().select().set(cols);
    f.get(src).get(j).get(bs1).i32Mul().i32Add().set(row);
    f.get(cols).i32(NR).i32Eq().get(bs1).i32(4).i32Eq().i32Mul().if();
    {
      // Full panel of contiguous rows: two vector copies per k.
      f.get(kc).set(p);
      f.loop();
      for (let v = 0; v < NR / 4; v++) f.get(dst).get(row).v128Load(16 * v).v128Store(16 * v);
      f.get(row).get(bs0).i32Add().set(row);
      f.get(dst).i32(NR * 4).i32Add().set(dst);
      f.get(p).i32(1).i32Sub().tee(p).brIf(0);
      f.end();
    }
    f.else();
    {
      // Strided or partial panel: element by element, zeros past the last column.
      f.i32(0).set(p);
      f.block().loop();
      f.get(p).get(kc).i32GeS().brIf(1);
      f.get(row).set(s);
      f.i32(0).set(jj);
      f.block().loop();
      f.get(jj).i32(NR).i32GeS().brIf(1);
      f.get(jj).get(cols).i32LtS().if().get(dst).get(s).f32Load().f32Store().else().get(dst).f32Const0().f32Store().end();
      f.get(dst).i32(4).i32Add().set(dst);
      f.get(s).get(bs1).i32Add().set(s);
      f.get(jj).i32(1).i32Add().set(jj);
      f.br(0).end().end();
      f.get(row).get(bs0).i32Add().set(row);
      f.get(p).i32(1).i32Add().set(p);
      f.br(0).end().end();
    }
    f.end();
    f.get(j).i32(NR).i32Add().set(j);
    f.br(0);
  }
  f.end().end();
  return f;
}

/**
 * `microR` / `microC (rows, cols, kc, a, as0, as1, panel, c, ldc, acc, tile, pstride)`: C tile
 * (rows ≤ MR, cols ≤ NR) (+)= A rows · panel, the panel's k-th row of NR floats at panel + k·pstride
 * (NR·4 when packed; B's own row stride when B is read in place). microR is for row-major A (as1 = 4 bytes: A·B, A·Bᵀ): one pointer
 * per row. microC is for column-major A (as0 = 4 bytes: Aᵀ·B): the MR values of one k step are
 * adjacent, one pointer. (Measured on the benchmark machine: unrolling k, or tiles of 6×8, 4×12,
 * 8×8, were all slower under V8's register allocation than this plain 4×8 loop.)
 * With `fma`, each product-accumulate is one f32x4.relaxed_madd (relaxed-SIMD proposal; V8 lowers it
 * to vfmadd on x86 with FMA3), else f32x4.mul + f32x4.add. In microR, missing rows
 * re-read the last real row; in microC they read the next floats of the same column, which lie
 * inside the A copy or the B/C copies after it (never outside memory) and are never stored.
 * Partial tiles go through the scratch `tile` (MR·NR floats).
 */
function microFunction(variant: "R" | "C", fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(`micro${variant}`, [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, cols, kc, a, as0, as1, panel, c, ldc, acc, tile, pstride] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
  const NV = NR / 4;
  const pa = Array.from({ length: variant === "R" ? MR : 1 }, () => f.local(I32));
  const p = f.local(I32), r = f.local(I32), jj = f.local(I32), src = f.local(I32), dst = f.local(I32);
  const val = f.local(F32);
  const v = Array.from({ length: MR * NV }, () => f.local(V128));
  const bv = Array.from({ length: NV }, () => f.local(V128));
  const b0 = bv[0], av = f.local(V128);
  /** One k step: NV panel vectors, then per row a splat of A and NV multiply-adds. */
  const step = () => {
    for (let h = 0; h < NV; h++) f.get(panel).v128Load(16 * h).set(bv[h]);
    for (let i = 0; i < MR; i++) {
      if (variant === "R") f.get(pa[i]).v128Load32Splat().set(av);
      else f.get(pa[0]).v128Load32Splat(4 * i).set(av);
      for (let h = 0; h < NV; h++) {
        if (fma) f.get(av).get(bv[h]).get(v[NV * i + h]).f32x4RelaxedMadd().set(v[NV * i + h]);
        else f.get(v[NV * i + h]).get(av).get(bv[h]).f32x4Mul().f32x4Add().set(v[NV * i + h]);
      }
    }
  };
  f.get(a).set(pa[0]);
  if (variant === "R") {
    // Row pointers; rows past `rows` alias the previous one.
    for (let i = 1; i < MR; i++) {
      f.get(pa[i - 1]).get(as0).i32Add().get(pa[i - 1]).get(rows).i32(i).i32GtS().select().set(pa[i]);
    }
  }
  for (const x of v) f.v128Zero().set(x);
  f.get(kc).set(p);
  f.block().loop();
  {
    f.get(p).i32Eqz().brIf(1);
    step();
    if (variant === "R") for (let i = 0; i < MR; i++) f.get(pa[i]).i32(4).i32Add().set(pa[i]);
    else f.get(pa[0]).get(as1).i32Add().set(pa[0]);
    f.get(panel).get(pstride).i32Add().set(panel);
    f.get(p).i32(1).i32Sub().set(p);
    f.br(0);
  }
  f.end().end();
  // Full tile: vector stores straight into C.
  f.get(rows).i32(MR).i32Eq().get(cols).i32(NR).i32Eq().i32Mul().if();
  {
    f.get(c).set(dst);
    for (let i = 0; i < MR; i++) {
      for (let h = 0; h < NV; h++) {
        f.get(dst);
        f.get(acc).if().get(dst).v128Load(16 * h).get(v[NV * i + h]).f32x4Add().set(b0).else().get(v[NV * i + h]).set(b0).end();
        f.get(b0).v128Store(16 * h);
      }
      f.get(dst).get(ldc).i32Add().set(dst);
    }
    f.return();
  }
  f.end();
  // Partial tile: through the scratch tile, element by element.
  for (let i = 0; i < NV * MR; i++) f.get(tile).get(v[i]).v128Store(16 * i);
  f.i32(0).set(r);
  f.block().loop();
  {
    f.get(r).get(rows).i32GeS().brIf(1);
    f.get(tile).get(r).i32(NR * 4).i32Mul().i32Add().set(src);
    f.get(c).get(r).get(ldc).i32Mul().i32Add().set(dst);
    f.i32(0).set(jj);
    f.block().loop();
    f.get(jj).get(cols).i32GeS().brIf(1);
    f.get(src).f32Load().set(val);
    f.get(acc).if().get(val).get(dst).f32Load().f32Add().set(val).end();
    f.get(dst).get(val).f32Store();
    f.get(src).i32(4).i32Add().set(src);
    f.get(dst).i32(4).i32Add().set(dst);
    f.get(jj).i32(1).i32Add().set(jj);
    f.br(0).end().end();
    f.get(r).i32(1).i32Add().set(r);
    f.br(0);
  }
  f.end().end();
  return f;
}

/**
 * `gemm(m, n, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, tile)`: C (+)= A·B; acc = 1 adds to C.
 * bp needs KC·⌈N/NR⌉·NR·4 bytes.
 */
function gemmFunction(pack: number, microR: number, microC: number): FunctionBuilder {
  const f = new FunctionBuilder("gemm", [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [m, n, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, tile] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
  const pc = f.local(I32), kc = f.local(I32), ic = f.local(I32), mEnd = f.local(I32);
  const jp = f.local(I32), ir = f.local(I32), accNow = f.local(I32), rows = f.local(I32), cols = f.local(I32);
  const direct = f.local(I32), pstride = f.local(I32), pan = f.local(I32);
  // Few rows of A (M ≤ MC, e.g. one recurrent step's batch) reuse each panel only M/MR times: when
  // B's rows are contiguous and close together (≤ 2 KiB apart), read B in place (stride bs0)
  // instead of packing it every timestep (measured: +8% on 32×512×128; with 8 KiB rows, in-place
  // reads were 18% slower than packing). Columns past N in the last panel read the next floats of
  // the copy (never stored).
  f.get(bs1).i32(4).i32Eq().get(m).i32(MC).i32LeS().i32Mul().get(bs0).i32(2048).i32LeS().i32Mul().set(direct);
  f.get(direct).if().get(bs0).set(pstride).else().i32(NR * 4).set(pstride).end();
  const min = (x: () => void, cap: number, out: number) => {
    x(); f.set(out);
    f.i32(cap).get(out).get(out).i32(cap).i32GtS().select().set(out);
  };
  f.i32(0).set(pc);
  f.block().loop();
  {
    f.get(pc).get(k).i32GeS().brIf(1);
    min(() => f.get(k).get(pc).i32Sub(), KC, kc);
    // pack(kc, n, b + pc·bs0, bs0, bs1, bp)
    f.get(direct).i32Eqz().if();
    f.get(kc).get(n).get(b).get(pc).get(bs0).i32Mul().i32Add().get(bs0).get(bs1).get(bp);
    f.code.push(0x10, pack);
    f.end();
    // Accumulate into C unless this is the first K block of an overwrite.
    f.get(acc).get(pc).i32(0).i32GtS().i32Add().set(accNow);
    f.i32(0).set(ic);
    f.block().loop();
    {
      f.get(ic).get(m).i32GeS().brIf(1);
      // mEnd = min(ic + MC, m)
      f.get(ic).i32(MC).i32Add().set(mEnd);
      f.get(m).get(mEnd).get(mEnd).get(m).i32GtS().select().set(mEnd);
      f.i32(0).set(jp);
      f.block().loop();
      {
        f.get(jp).get(n).i32GeS().brIf(1);
        min(() => f.get(n).get(jp).i32Sub(), NR, cols);
        f.get(ic).set(ir);
        f.block().loop();
        {
          f.get(ir).get(mEnd).i32GeS().brIf(1);
          min(() => f.get(mEnd).get(ir).i32Sub(), MR, rows);
          // micro(rows, cols, kc, a + ir·as0 + pc·as1, as0, as1, bp + jp·kc·4, c + ir·ldc + jp·4, ldc, accNow, tile)
          const args = () => {
            f.get(rows).get(cols).get(kc);
            f.get(a).get(ir).get(as0).i32Mul().i32Add().get(pc).get(as1).i32Mul().i32Add();
            f.get(as0).get(as1);
            // panel: bp + jp·kc·4 when packed, else b + pc·bs0 + jp·4
            f.get(direct).if();
            f.get(b).get(pc).get(bs0).i32Mul().i32Add().get(jp).i32(4).i32Mul().i32Add().set(pan);
            f.else();
            f.get(bp).get(jp).get(kc).i32Mul().i32(4).i32Mul().i32Add().set(pan);
            f.end();
            f.get(pan);
            f.get(c).get(ir).get(ldc).i32Mul().i32Add().get(jp).i32(4).i32Mul().i32Add();
            f.get(ldc).get(accNow).get(tile).get(pstride);
          };
          // Row-major A (as1 = 4 bytes) → microR, else column-major (as0 = 4 bytes) → microC.
          f.get(as1).i32(4).i32Eq().if();
          args();
          f.code.push(0x10, microR);
          f.else();
          args();
          f.code.push(0x10, microC);
          f.end();
          f.get(ir).i32(MR).i32Add().set(ir);
          f.br(0);
        }
        f.end().end();
        f.get(jp).i32(NR).i32Add().set(jp);
        f.br(0);
      }
      f.end().end();
      f.get(ic).i32(MC).i32Add().set(ic);
      f.br(0);
    }
    f.end().end();
    f.get(pc).i32(KC).i32Add().set(pc);
    f.br(0);
  }
  f.end().end();
  return f;
}

/**
 * The module's bytes: exports memory, pack, microR, microC and gemm. With `fma` it needs the
 * relaxed-SIMD proposal (on by default from V8 11.4: Node ≥ 22, VS Code's Electron; Node 20 needs
 * --experimental-wasm-relaxed-simd) — gemm.ts validates and falls back to fma = false.
 */
export function gemmModuleBytes(initialPages: number, fma: boolean): Uint8Array<ArrayBuffer> {
  return encodeModule([packFunction(), microFunction("R", fma), microFunction("C", fma), gemmFunction(0, 1, 2)], initialPages);
}
