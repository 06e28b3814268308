/**
 * A small synchronous zlib compressor in plain JavaScript, for the PNG fallbacks where node:zlib is
 * missing (the browser Worker kernel). Format per RFC 1950 (zlib: 2-byte header, deflate data,
 * Adler-32) and RFC 1951 (deflate): one final block with the FIXED Huffman codes (§3.2.6) over
 * LZ77 matches found with a hash of the next 3 bytes and a bounded chain of earlier positions (the
 * scheme of §4, as zlib does it, without lazy matching).
 *
 * Why not stored blocks: a heatmap's rows repeat each colour over whole cells, which LZ77 shrinks
 * several-fold; uncompressed, big heatmaps would hit the output size cap. Why not dynamic Huffman:
 * fixed codes already get most of that, in a quarter of the code (zlib's level 9 is ~10–20% smaller
 * on our heatmaps; the Node kernel uses it).
 */

const WINDOW = 32768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** Earlier positions tried per match (zlib's level 6 tries 128; PNG scanlines match early or not at all). */
const MAX_CHAIN = 32;
const HASH_BITS = 15;

// RFC 1951 §3.2.5: length codes 257–285 and distance codes 0–29, their base values and extra bits.
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/** Writes bits least-significant first (RFC 1951 §3.1.1); Huffman codes go most-significant bit first. */
class BitWriter {
  private out: Uint8Array;
  private length = 0;
  private acc = 0;
  private count = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(Math.max(64, capacity));
  }

  bits(value: number, n: number): void {
    this.acc |= value << this.count;
    this.count += n;
    while (this.count >= 8) {
      this.byte(this.acc & 0xff);
      this.acc >>>= 8;
      this.count -= 8;
    }
  }

  /** A Huffman code of `n` bits, sent from its most significant bit. */
  code(code: number, n: number): void {
    let reversed = 0;
    for (let i = 0; i < n; i++) reversed |= ((code >>> i) & 1) << (n - 1 - i);
    this.bits(reversed, n);
  }

  byte(b: number): void {
    if (this.length === this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    this.out[this.length++] = b;
  }

  /** Pads the last byte with zero bits and returns everything written. */
  finish(): Uint8Array {
    if (this.count > 0) this.bits(0, 8 - this.count);
    return this.out.slice(0, this.length);
  }
}

/** A literal byte or the end-of-block symbol 256..287 with the fixed literal/length code (§3.2.6). */
function literalLength(w: BitWriter, symbol: number): void {
  if (symbol < 144) w.code(0x30 + symbol, 8);
  else if (symbol < 256) w.code(0x190 + symbol - 144, 9);
  else if (symbol < 280) w.code(symbol - 256, 7);
  else w.code(0xc0 + symbol - 280, 8);
}

function match(w: BitWriter, length: number, distance: number): void {
  let l = LENGTH_BASE.length - 1;
  while (LENGTH_BASE[l] > length) l--;
  literalLength(w, 257 + l);
  if (LENGTH_EXTRA[l] > 0) w.bits(length - LENGTH_BASE[l], LENGTH_EXTRA[l]);
  let d = DIST_BASE.length - 1;
  while (DIST_BASE[d] > distance) d--;
  w.code(d, 5); // fixed distance codes are the 5-bit code numbers themselves
  if (DIST_EXTRA[d] > 0) w.bits(distance - DIST_BASE[d], DIST_EXTRA[d]);
}

/** Adler-32 (RFC 1950 §9); 5552 is the most bytes summed before `b` could overflow 2^32. */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length;) {
    const end = Math.min(bytes.length, i + 5552);
    for (; i < end; i++) {
      a += bytes[i];
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** `bytes` as a zlib stream: one fixed-Huffman deflate block (see the file header). */
export function deflateFixed(bytes: Uint8Array): Uint8Array {
  const n = bytes.length;
  const w = new BitWriter(n + (n >> 3) + 16);
  w.byte(0x78); // CMF: deflate, 32 KiB window
  w.byte(0x01); // FLG: no dictionary, fastest-level hint; (0x78 << 8 | 0x01) % 31 === 0
  w.bits(1, 1); // BFINAL
  w.bits(1, 2); // BTYPE 01: fixed Huffman codes
  const head = new Int32Array(1 << HASH_BITS).fill(-1);
  const prev = new Int32Array(WINDOW);
  const hash = (i: number) => ((bytes[i] << 10) ^ (bytes[i + 1] << 5) ^ bytes[i + 2]) & ((1 << HASH_BITS) - 1);
  const insert = (i: number) => {
    if (i + MIN_MATCH > n) return;
    const h = hash(i);
    prev[i & (WINDOW - 1)] = head[h];
    head[h] = i;
  };
  let i = 0;
  while (i < n) {
    let bestLength = 0;
    let bestDistance = 0;
    if (i + MIN_MATCH <= n) {
      const limit = Math.min(MAX_MATCH, n - i);
      let candidate = head[hash(i)];
      for (let chain = 0; candidate >= 0 && i - candidate <= WINDOW && chain < MAX_CHAIN; chain++) {
        let l = 0;
        while (l < limit && bytes[candidate + l] === bytes[i + l]) l++;
        if (l > bestLength) {
          bestLength = l;
          bestDistance = i - candidate;
          if (l === limit) break;
        }
        const next = prev[candidate & (WINDOW - 1)];
        if (next >= candidate) break; // the slot was reused by a newer position: the chain ends here
        candidate = next;
      }
    }
    if (bestLength >= MIN_MATCH) {
      match(w, bestLength, bestDistance);
      for (let k = 0; k < bestLength; k++) insert(i + k);
      i += bestLength;
    } else {
      literalLength(w, bytes[i]);
      insert(i);
      i++;
    }
  }
  literalLength(w, 256); // end of block
  const out = w.finish();
  const withAdler = new Uint8Array(out.length + 4);
  withAdler.set(out);
  new DataView(withAdler.buffer).setUint32(out.length, adler32(bytes));
  return withAdler;
}
