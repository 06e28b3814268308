/**
 * The WebAssembly SIMD SGEMM module, written instruction by instruction with emit.ts.
 *
 * It computes C (M,N) (+)= A (M,K) · B (K,N) on float32 data already copied into its own memory, with
 * A and B addressed through strides — so one kernel structure serves A·B, A·Bᵀ and Aᵀ·B (gemm.ts
 * chooses the strides). The structure is the classic one of Goto & van de Geijn, "Anatomy of
 * High-Performance Matrix Multiplication" (ACM TOMS 2008), cut down to two cache levels:
 *
 *   for each block of KC rows of B            (pc)
 *     pack B[pc:pc+KC, :] into panels of NR columns, each panel (KC, NR) contiguous, zero-padded
 *     for each block of MC rows of A          (ic)
 *       for each panel                        (jp)   — the panel (KC·NR·4 ≤ 16 KiB) stays in L1
 *         for each MR rows inside the block   (ir)   — A's (MC, KC) block stays in L2
 *           micro-kernel: an MR×NR tile of C in v128 locals; one k step = NR/4 vector loads of the
 *           panel, MR splat loads of A, MR·NR/4 multiply-adds
 *
 * Two exported entry points with their own tile shapes (measured on the benchmark machine, V8's
 * register allocator decides what fits; unrolling k, 4×12, 8×8 and 5×8 tiles were all slower):
 *   gemmR  row-major A (as1 = 4 bytes: A·B and A·Bᵀ), MR×NR = 2×16, one pointer per row of A
 *   gemmC  column-major A (as0 = 4 bytes: Aᵀ·B), MR×NR = 6×8 with fma (4×8 without, where 6×8
 *          measured slower), the MR values of a k step adjacent
 *
 * Byte addresses and byte strides throughout. M, N, K ≥ 1 (gemm.ts handles empty products).
 * With `fma`, each multiply-add is one f32x4.relaxed_madd (relaxed-SIMD proposal; V8 emits vfmadd on
 * x86 with FMA3); without it, f32x4.mul + f32x4.add, each product rounded before the add like the
 * scalar JavaScript loop.
 */
import { encodeModule, F32, FunctionBuilder, I32, V128 } from "./emit";
import { gruAfterFunction, gruBackFunction, lstmBackFunction, lstmFunction } from "./pointwiseModule";

interface Tile { mr: number; nr: number }
/** Tile of gemmR (row-major A) and gemmC (column-major A; taller with fused multiply-adds). */
export const TILE_R: Tile = { mr: 2, nr: 16 };
const tileC = (fma: boolean): Tile => ({ mr: fma ? 6 : 4, nr: 8 });
/** Widest NR of the two (sizes the packing buffer). */
export const NR_MAX = 16;
/** Rows of B per packed block and rows of A per L2 block. */
export const KC = 256;
export const MC = 64;

/**
 * `pack(kc, n, src, bs0, bs1, dst)`: B rows [0, kc) of the strided source into NR-column panels
 * (zero columns past n). Three paths: contiguous rows (bs1 = 4) → vector copies; contiguous columns
 * (bs0 = 4, i.e. B = Uᵀ of A·Bᵀ) → 4×4 in-register transposes (shuffles); anything else or a partial
 * panel → element by element.
 */
function packFunction(name: string, NR: number): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32, I32, I32, I32, I32]);
  const [kc, n, src, bs0, bs1, dst] = [0, 1, 2, 3, 4, 5];
  const j = f.local(I32), p = f.local(I32), jj = f.local(I32), cols = f.local(I32);
  const s = f.local(I32), row = f.local(I32), q = f.local(I32);
  const v = [f.local(V128), f.local(V128), f.local(V128), f.local(V128)];
  const lo = f.local(V128), hi = f.local(V128), lo2 = f.local(V128), hi2 = f.local(V128);
  f.i32(0).set(j);
  f.block().loop();
  {
    f.get(j).get(n).i32GeS().brIf(1);
    // cols = min(NR, n - j)
    f.get(n).get(j).i32Sub().set(cols);
    f.i32(NR).get(cols).get(cols).i32(NR).i32GtS().select().set(cols);
    f.get(src).get(j).get(bs1).i32Mul().i32Add().set(row);
    f.i32(0).set(p);
    f.get(cols).i32(NR).i32Eq().get(bs1).i32(4).i32Eq().i32Mul().if();
    {
      // Full panel of contiguous rows: NR/4 vector copies per k.
      f.get(kc).set(p);
      f.loop();
      for (let h = 0; h < NR / 4; h++) f.get(dst).get(row).v128Load(16 * h).v128Store(16 * h);
      f.get(row).get(bs0).i32Add().set(row);
      f.get(dst).i32(NR * 4).i32Add().set(dst);
      f.get(p).i32(1).i32Sub().tee(p).brIf(0);
      f.end();
      // p = 0 (nothing left for the element path)
    }
    f.else();
    {
      f.get(cols).i32(NR).i32Eq().get(bs0).i32(4).i32Eq().i32Mul().if();
      {
        // Full panel, contiguous columns: 4 k-steps at a time, each group of 4 columns transposed
        // from 4 column vectors (B(p..p+3, c)) into 4 panel rows.
        f.block().loop();
        f.get(p).i32(4).i32Add().get(kc).i32GtS().brIf(1);
        for (let g = 0; g < NR / 4; g++) {
          for (let c = 0; c < 4; c++) {
            // v[c] = B(p..p+3, j + 4g + c) at row + (4g + c)·bs1 + 4p
            f.get(row).get(bs1).i32(4 * g + c).i32Mul().i32Add().get(p).i32(4).i32Mul().i32Add().v128Load().set(v[c]);
          }
          f.get(v[0]).get(v[1]).shuffle32(0, 4, 1, 5).set(lo);   // v0[0] v1[0] v0[1] v1[1]
          f.get(v[2]).get(v[3]).shuffle32(0, 4, 1, 5).set(hi);   // v2[0] v3[0] v2[1] v3[1]
          f.get(v[0]).get(v[1]).shuffle32(2, 6, 3, 7).set(lo2);  // v0[2] v1[2] v0[3] v1[3]
          f.get(v[2]).get(v[3]).shuffle32(2, 6, 3, 7).set(hi2);
          const rows: [number, number, number, number, number, number][] = [
            [lo, hi, 0, 1, 4, 5], [lo, hi, 2, 3, 6, 7], [lo2, hi2, 0, 1, 4, 5], [lo2, hi2, 2, 3, 6, 7]];
          rows.forEach(([x, y, a, b, c, d], r) => {
            // panel row p + r, columns 4g … 4g+3
            f.get(dst).get(x).get(y).shuffle32(a, b, c, d).v128Store(r * NR * 4 + 16 * g);
          });
        }
        f.get(dst).i32(4 * NR * 4).i32Add().set(dst);
        f.get(p).i32(4).i32Add().set(p);
        f.br(0).end().end();
      }
      f.end();
      // Element by element for the remaining rows p … kc−1, zeros past the last column.
      f.get(row).get(p).get(bs0).i32Mul().i32Add().set(q);
      f.block().loop();
      f.get(p).get(kc).i32GeS().brIf(1);
      f.get(q).set(s);
      f.i32(0).set(jj);
      f.block().loop();
      f.get(jj).i32(NR).i32GeS().brIf(1);
      f.get(jj).get(cols).i32LtS().if().get(dst).get(s).f32Load().f32Store().else().get(dst).f32Const0().f32Store().end();
      f.get(dst).i32(4).i32Add().set(dst);
      f.get(s).get(bs1).i32Add().set(s);
      f.get(jj).i32(1).i32Add().set(jj);
      f.br(0).end().end();
      f.get(q).get(bs0).i32Add().set(q);
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
 * `micro(rows, cols, kc, a, as0, as1, panel, c, ldc, acc, tile, pstride, bias)`: C tile (rows ≤ MR,
 * cols ≤ NR) (+)= A rows · panel, the panel's k-th row of NR floats at panel + k·pstride (NR·4 when
 * packed; B's own row stride when B is read in place). acc = 0 stores the sum, 1 adds it to C, 2 adds
 * it to the tile's columns of the row vector at `bias` in every row (C = bias + A·B: the same bits as
 * laying the bias into C first and adding, without that pass over C). Variant "R" (row-major A): one pointer per
 * row, missing rows re-read the last real row. Variant "C" (column-major A): one pointer, missing
 * rows read the next floats of the column, which lie inside the A copy or the copies after it
 * (gemm.ts leaves a margin; never outside memory) and are never stored. Partial tiles go through
 * the scratch `tile` (MR·NR floats).
 */
function microFunction(variant: "R" | "C", { mr: MR, nr: NR }: Tile, fma: boolean): FunctionBuilder {
  const f = new FunctionBuilder(`micro${variant}`, [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [rows, cols, kc, a, as0, as1, panel, c, ldc, acc, tile, pstride, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const NV = NR / 4;
  const pa = Array.from({ length: variant === "R" ? MR : 1 }, () => f.local(I32));
  const p = f.local(I32), r = f.local(I32), jj = f.local(I32), src = f.local(I32), dst = f.local(I32);
  const val = f.local(F32);
  const v = Array.from({ length: MR * NV }, () => f.local(V128));
  const bv = Array.from({ length: NV }, () => f.local(V128));
  const b0 = bv[0], av = f.local(V128);
  f.get(a).set(pa[0]);
  if (variant === "R") {
    for (let i = 1; i < MR; i++) {
      f.get(pa[i - 1]).get(as0).i32Add().get(pa[i - 1]).get(rows).i32(i).i32GtS().select().set(pa[i]);
    }
  }
  for (const x of v) f.v128Zero().set(x);
  f.get(kc).set(p);
  f.block().loop();
  {
    f.get(p).i32Eqz().brIf(1);
    for (let h = 0; h < NV; h++) f.get(panel).v128Load(16 * h).set(bv[h]);
    for (let i = 0; i < MR; i++) {
      if (variant === "R") f.get(pa[i]).v128Load32Splat().set(av);
      else f.get(pa[0]).v128Load32Splat(4 * i).set(av);
      for (let h = 0; h < NV; h++) {
        const x = v[NV * i + h];
        if (fma) f.get(av).get(bv[h]).get(x).f32x4RelaxedMadd().set(x);
        else f.get(x).get(av).get(bv[h]).f32x4Mul().f32x4Add().set(x);
      }
    }
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
        f.get(acc).if();
        f.get(acc).i32(2).i32Eq().if().get(bias).v128Load(16 * h).set(b0).else().get(dst).v128Load(16 * h).set(b0).end();
        f.get(b0).get(v[NV * i + h]).f32x4Add().set(b0);
        f.else().get(v[NV * i + h]).set(b0).end();
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
    f.get(acc).if();
    f.get(acc).i32(2).i32Eq().if().get(val).get(bias).get(jj).i32(4).i32Mul().i32Add().f32Load().f32Add().set(val);
    f.else().get(val).get(dst).f32Load().f32Add().set(val).end();
    f.end();
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
 * `gemmR` / `gemmC (m, n, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, tile, pre, bias)`: C (+)= A·B;
 * acc = 1 adds to C, acc = 2 gives C = bias + A·B with the row vector (N floats) at `bias`. bp needs KC·⌈N/NR⌉·NR·4 bytes, tile MR·NR·4. With pre = 1, bp already holds
 * all of B packed by `packR` / `packC` block by block (K block pc at bp + pc·bs0, bs0 = ⌈N/NR⌉·NR·4),
 * bs1 is unused and b is the packed column (a multiple of NR) where C's column 0 starts: a product
 * over columns [b, b + n) of the packed operand, so two threads can each take a share of its panels.
 */
function gemmFunction(name: string, { mr: MR, nr: NR }: Tile, pack: number, micro: number): FunctionBuilder {
  const f = new FunctionBuilder(name, [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32]);
  const [m, n, k, a, as0, as1, b, bs0, bs1, c, ldc, acc, bp, tile, pre, bias] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
  const pc = f.local(I32), kc = f.local(I32), ic = f.local(I32), mEnd = f.local(I32);
  const jp = f.local(I32), ir = f.local(I32), accNow = f.local(I32), rows = f.local(I32), cols = f.local(I32);
  const direct = f.local(I32), pstride = f.local(I32);
  // Few rows of A (M ≤ MC, e.g. one recurrent step's batch) reuse each panel only M/MR times: when
  // B's rows are contiguous and close together (≤ 2 KiB apart), read B in place (stride bs0)
  // instead of packing it every timestep (measured: +8% on 32×512×128; with 8 KiB rows, in-place
  // reads were 18% slower than packing). Columns past N in the last panel read the next floats of
  // the copy (never stored).
  // pre = 1: B was packed once beforehand (`packB`, gemm.ts's prepared operands): K block pc's panels
  // start at bp + pc·bs0 (bs0 = bytes of one packed row of ⌈N/NR⌉·NR floats); nothing is packed here.
  f.get(bs1).i32(4).i32Eq().get(m).i32(MC).i32LeS().i32Mul().get(bs0).i32(2048).i32LeS().i32Mul().get(pre).i32Eqz().i32Mul().set(direct);
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
    f.get(direct).get(pre).i32Add().i32Eqz().if();
    f.get(kc).get(n).get(b).get(pc).get(bs0).i32Mul().i32Add().get(bs0).get(bs1).get(bp);
    f.code.push(0x10, pack);
    f.end();
    // Accumulate into C after the first K block; in the first, as asked (overwrite, add, or the bias).
    f.i32(1).get(acc).get(pc).i32(0).i32GtS().select().set(accNow);
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
          // micro(rows, cols, kc, a + ir·as0 + pc·as1, as0, as1, panel, c + ir·ldc + jp·4, ldc, accNow, tile, pstride)
          f.get(rows).get(cols).get(kc);
          f.get(a).get(ir).get(as0).i32Mul().i32Add().get(pc).get(as1).i32Mul().i32Add();
          f.get(as0).get(as1);
          // panel: b + pc·bs0 + jp·4 when read in place, else bp + jp·kc·4, or when prepacked
          // bp + pc·bs0 + (b + jp)·kc·4 (b = the first packed column this product starts at)
          f.get(b).get(pc).get(bs0).i32Mul().i32Add().get(jp).i32(4).i32Mul().i32Add();
          f.get(bp).get(jp).get(b).get(pre).i32Mul().i32Add().get(kc).i32Mul().i32(4).i32Mul().i32Add().get(pc).get(bs0).i32Mul().get(pre).i32Mul().i32Add();
          f.get(direct).select();
          f.get(c).get(ir).get(ldc).i32Mul().i32Add().get(jp).i32(4).i32Mul().i32Add();
          f.get(ldc).get(accNow).get(tile).get(pstride);
          f.get(bias).get(jp).i32(4).i32Mul().i32Add();
          f.code.push(0x10, micro);
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
 * `colSums(n, k, b, bs0, out)`: out[0 … n) += Σ over rows p < k of B(p, ·) (B's rows contiguous, bs0
 * bytes apart) — the bias gradient Σ rows of dZ, taken while dZ is in memory for the weight-gradient
 * product. Row by row, four columns per f32x4.add (a scalar tail past the last multiple of 4): each
 * column is summed in row order with float32 rounding after every add, the same numbers as the
 * scalar JavaScript loop `out[j] += b[p·ldb + j]` on Float32Arrays (a sum of two float32 values
 * rounded to double and then to float32 equals the float32 sum: 53 ≥ 2·24 + 2 bits).
 */
function colSumsFunction(): FunctionBuilder {
  const f = new FunctionBuilder("colSums", [I32, I32, I32, I32, I32]);
  const [n, k, b, bs0, out] = [0, 1, 2, 3, 4];
  const p = f.local(I32), j = f.local(I32), n4 = f.local(I32), nb = f.local(I32);
  // n4 = bytes of the columns summed four at a time, nb = bytes of all n columns
  f.get(n).i32(~3).i32And().i32(4).i32Mul().set(n4);
  f.get(n).i32(4).i32Mul().set(nb);
  f.get(k).set(p);
  f.block().loop();
  {
    f.get(p).i32Eqz().brIf(1);
    f.i32(0).set(j);
    f.block().loop();
    f.get(j).get(n4).i32GeS().brIf(1);
    f.get(out).get(j).i32Add().get(out).get(j).i32Add().v128Load().get(b).get(j).i32Add().v128Load().f32x4Add().v128Store();
    f.get(j).i32(16).i32Add().set(j);
    f.br(0).end().end();
    f.block().loop();
    f.get(j).get(nb).i32GeS().brIf(1);
    f.get(out).get(j).i32Add().get(out).get(j).i32Add().f32Load().get(b).get(j).i32Add().f32Load().f32Add().f32Store();
    f.get(j).i32(4).i32Add().set(j);
    f.br(0).end().end();
    f.get(b).get(bs0).i32Add().set(b);
    f.get(p).i32(1).i32Sub().set(p);
    f.br(0);
  }
  f.end().end();
  return f;
}

/**
 * The module's bytes: exports memory, gemmR, gemmC and colSums (and their helpers), and the fused gate
 * steps lstm, gruAfter, lstmBack and gruBack of pointwiseModule.ts — so a whole recurrent loop (product
 * and gate step, every timestep, forward or backward) runs in this one memory, on either thread (gemm.ts `recurrentLoop`); with
 * `sharedMaxPages` the memory is a shared one imported as env.memory (gemm.ts's two-thread path). With `fma` it needs the
 * relaxed-SIMD proposal (on by default from V8 11.4: Node ≥ 22, VS Code's Electron; Node 20 needs
 * --experimental-wasm-relaxed-simd) — gemm.ts validates and falls back to fma = false.
 */
export function gemmModuleBytes(initialPages: number, fma: boolean, sharedMaxPages?: number): Uint8Array<ArrayBuffer> {
  return encodeModule([
    packFunction("packR", TILE_R.nr), microFunction("R", TILE_R, fma), gemmFunction("gemmR", TILE_R, 0, 1),
    packFunction("packC", tileC(fma).nr), microFunction("C", tileC(fma), fma), gemmFunction("gemmC", tileC(fma), 3, 4),
    colSumsFunction(), lstmFunction(fma), gruAfterFunction(fma), lstmBackFunction(), gruBackFunction(),
  ], initialPages, sharedMaxPages);
}
