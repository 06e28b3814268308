/**
 * The safetensors format (Hugging Face, https://huggingface.co/docs/safetensors — "Format" section),
 * written and read here without dependencies:
 *   bytes 0…7      N, the header length, unsigned 64-bit little-endian
 *   bytes 8…8+N    a UTF-8 JSON object: { "<name>": { "dtype": "F32", "shape": [2, 3],
 *                  "data_offsets": [begin, end] }, …, "__metadata__": { "<key>": "<string>" } }
 *                  (we pad it with spaces so the data starts 8-byte aligned, as the reference writer does)
 *   bytes 8+N…     the tensors' raw little-endian values, row-major; offsets are relative to this start
 * We write F32 and F64 and read F32, F64 and F16/BF16 (widened to float32), which covers the float
 * tensors of files written by PyTorch's `safetensors.torch.save_file`.
 * Used by both families: nn modules name tensors by state-dict key, Keras models by `layer/weight`.
 */
import { allocFloats, Tensor, type DType } from "../tensor";

const ENCODINGS: Record<string, { bytes: number; dtype: DType }> = {
  F32: { bytes: 4, dtype: "float32" },
  F64: { bytes: 8, dtype: "float64" },
  F16: { bytes: 2, dtype: "float32" },
  BF16: { bytes: 2, dtype: "float32" },
};

/** Serializes named tensors (in the given key order) with optional string metadata. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  const names = Object.keys(tensors);
  for (const name of names) {
    if (name === "__metadata__") throw new Error("safetensors: \"__metadata__\" is reserved and cannot name a tensor");
    const t = tensors[name];
    const bytes = t.data.length * (t.dtype === "float64" ? 8 : 4);
    header[name] = { dtype: t.dtype === "float64" ? "F64" : "F32", shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(pad));
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, json.length, true);
  view.setUint32(4, 0, true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const name of names) {
    const t = tensors[name];
    const d = t.data;
    if (t.dtype === "float64") for (let i = 0; i < d.length; i++, p += 8) view.setFloat64(p, d[i], true);
    else for (let i = 0; i < d.length; i++, p += 4) view.setFloat32(p, d[i], true);
  }
  return out;
}

function f16ToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Parses safetensors bytes into named tensors (file order) and metadata; errors say what is wrong. */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new Error("safetensors: expected a Uint8Array");
  if (bytes.length < 8) throw new Error(`safetensors: ${bytes.length} bytes is too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (8 + n > bytes.length) throw new Error(`safetensors: header length ${n} exceeds the ${bytes.length}-byte buffer`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`safetensors: header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const tensors: Record<string, Tensor> = {};
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries = Object.entries(header).filter(([k]) => k !== "__metadata__") as [string, { dtype: string; shape: number[]; data_offsets: [number, number] }][];
  entries.sort((a, b) => a[1].data_offsets[0] - b[1].data_offsets[0]);
  for (const [name, info] of entries) {
    const enc = ENCODINGS[info.dtype];
    if (!enc) throw new Error(`safetensors: tensor ${name} has dtype ${info.dtype}; supported: ${Object.keys(ENCODINGS).join(", ")}`);
    const count = info.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = info.data_offsets;
    if (end - begin !== count * enc.bytes || base + end > bytes.length) {
      throw new Error(`safetensors: tensor ${name} [${info.shape.join(", ")}] ${info.dtype} has inconsistent data_offsets [${begin}, ${end}]`);
    }
    const data = allocFloats(count, enc.dtype);
    let p = base + begin;
    for (let i = 0; i < count; i++, p += enc.bytes) {
      switch (info.dtype) {
        case "F32": data[i] = view.getFloat32(p, true); break;
        case "F64": data[i] = view.getFloat64(p, true); break;
        case "F16": data[i] = f16ToNumber(view.getUint16(p, true)); break;
        default: {
          // BF16: the upper 16 bits of a float32
          const tmp = new DataView(new ArrayBuffer(4));
          tmp.setUint16(2, view.getUint16(p, true), true);
          data[i] = tmp.getFloat32(0, true);
        }
      }
    }
    tensors[name] = new Tensor(data, info.shape);
  }
  return { tensors, metadata };
}
