// rnn.data.readCsv / readNpy: the pure parsers (src/engine/io/data.ts) and the cell-facing functions in
// a kernel. The .npy fixtures were written by NumPy's np.save (test/fixtures/npy/make_npy.py, values
// listed there); the CSV values are written out in each test.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseCsv, parseNpy } from "../../../src/engine/io/data";
import { buildKernel, REPO, tempDir, TestKernel } from "./harness";

const NPY = path.join(REPO, "test/fixtures/npy");
const npy = (name: string) => parseNpy(fs.readFileSync(path.join(NPY, name)), name);

describe("readCsv parser", () => {
  it("detects a header, parses numbers row-major, keeps column names", () => {
    const t = parseCsv("a,b,c\n1,2,3\n4.5,-6,1e3\n");
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual([...t.values], [1, 2, 3, 4.5, -6, 1000]);
    assert.deepEqual(t.columns, ["a", "b", "c"]);
  });

  it("reads headerless files, CRLF line ends, quoted fields, blank lines and a detected ; or tab delimiter", () => {
    assert.deepEqual([...parseCsv("1,2\r\n3,4\r\n\r\n").values], [1, 2, 3, 4]);
    assert.deepEqual([...parseCsv('"x","y"\n"1","2"\n').values], [1, 2]);
    assert.deepEqual([...parseCsv("1;2\n3;4").values], [1, 2, 3, 4]);
    assert.deepEqual(parseCsv("t\tv\n0\t0.5\n").columns, ["t", "v"]);
  });

  it("selects columns by name or index, in the order given", () => {
    const t = parseCsv("a,b,c\n1,2,3\n4,5,6\n", { columns: ["c", 0] });
    assert.deepEqual(t.shape, [2, 2]);
    assert.deepEqual([...t.values], [3, 1, 6, 4]);
  });

  it("reshapes with one -1 dimension", () => {
    // 2 rows × 6 columns = 12 values → [2, 3, 2]
    const t = parseCsv("1,2,3,4,5,6\n7,8,9,10,11,12\n", { shape: [-1, 3, 2] });
    assert.deepEqual(t.shape, [2, 3, 2]);
    assert.throws(() => parseCsv("1,2,3\n", { shape: [2, 2] }), /cannot reshape \[1, 3\] \(3 values\) to \[2, 2\]/);
  });

  it("rejects ragged rows naming the line and both counts", () => {
    assert.throws(() => parseCsv("a,b,c\n1,2,3\n4,5\n", {}, "data.csv"),
      /data\.csv, line 3: 2 fields, but the header has 3 \(ragged rows/);
  });

  it("rejects non-numeric and empty fields naming line, column and header", () => {
    assert.throws(() => parseCsv("a,b\n1,x\n", {}, "d.csv"), /d\.csv, line 2, column 2 \("b"\) is "x", not a number/);
    assert.throws(() => parseCsv("a,b\n1,\n", {}, "d.csv"), /line 2, column 2 \("b"\) is empty/);
  });

  it("rejects unknown column names and named columns without a header", () => {
    assert.throws(() => parseCsv("a,b\n1,2\n", { columns: ["z"] }), /no column "z" \(columns: "a", "b"\)/);
    assert.throws(() => parseCsv("1,2\n", { columns: ["a"] }), /has no header row/);
    assert.throws(() => parseCsv("1,2\n", { columns: [5] }), /column index 5 is out of range/);
  });
});

describe("readNpy parser", () => {
  it("reads float32 and float64 arrays in C order with their shapes (values from make_npy.py)", () => {
    const f = npy("f32_2x3.npy");
    assert.deepEqual(f.shape, [2, 3]);
    assert.ok(f.values instanceof Float32Array);
    assert.deepEqual([...f.values], [1.5, -2, 3.25, 0, 4, -0.5]);
    const d = npy("f64_3.npy");
    assert.ok(d.values instanceof Float64Array);
    assert.deepEqual([...d.values], [0.1, 0.2, 0.3]);
  });

  it("reads integer and bool dtypes as float32, and 0-d scalars", () => {
    assert.deepEqual([...npy("i32_2x2.npy").values], [1, -2, 3, 4]);
    assert.deepEqual([...npy("i64_3.npy").values], [10, 20, -30]);
    assert.deepEqual([...npy("u8_2.npy").values], [0, 255]);
    assert.deepEqual([...npy("bool_3.npy").values], [1, 0, 1]);
    const s = npy("scalar_f32.npy");
    assert.deepEqual(s.shape, []);
    assert.deepEqual([...s.values], [7]);
  });

  it("reads a version 2.0 header (uint32 header length, per the NumPy format spec)", () => {
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
    const padded = header + " ".repeat(64 - ((12 + header.length + 1) % 64)) + "\n"; // data aligned to 64 bytes
    const bytes = new Uint8Array(12 + padded.length + 8);
    bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]);
    new DataView(bytes.buffer).setUint32(8, padded.length, true);
    bytes.set(new TextEncoder().encode(padded), 12);
    new DataView(bytes.buffer).setFloat32(12 + padded.length, 0.5, true);
    new DataView(bytes.buffer).setFloat32(12 + padded.length + 4, -1, true);
    assert.deepEqual([...parseNpy(bytes).values], [0.5, -1]);
  });

  it("rejects Fortran order, big-endian, complex and string dtypes with a fix", () => {
    assert.throws(() => npy("fortran_f32.npy"), /Fortran \(column-major\) order.*np\.ascontiguousarray/);
    assert.throws(() => npy("big_endian_f4.npy"), /unsupported dtype ">f4"; big-endian data is not supported/);
    assert.throws(() => npy("complex64.npy"), /unsupported dtype "<c8"; supported dtypes: float32, float64/);
    assert.throws(() => npy("strings.npy"), /unsupported dtype "<U2"/);
  });

  it("rejects files that are not .npy or are truncated", () => {
    assert.throws(() => parseNpy(new TextEncoder().encode("a,b\n1,2\n"), "x.npy"), /x\.npy is not a \.npy file/);
    // 2·3 float32 values = 24 bytes of data; cutting 4 bytes leaves 20.
    const whole = fs.readFileSync(path.join(NPY, "f32_2x3.npy"));
    assert.throws(() => parseNpy(whole.subarray(0, whole.length - 4), "cut.npy"), /cut\.npy is truncated: shape \(2, 3\) needs 24 bytes of data, found 20/);
  });
});

describe("rnn.data in a cell", function () {
  this.timeout(60_000);
  let k: TestKernel;
  let dir: string;

  before(async () => {
    await buildKernel();
    dir = tempDir("data");
    fs.mkdirSync(path.join(dir, "data"));
    fs.writeFileSync(path.join(dir, "data/series.csv"), "t,value\n0,0.5\n1,1.5\n2,2.5\n");
    fs.writeFileSync(path.join(dir, "data/ragged.csv"), "1,2\n3\n");
    fs.copyFileSync(path.join(NPY, "f32_2x3.npy"), path.join(dir, "data/w.npy"));
    fs.copyFileSync(path.join(NPY, "fortran_f32.npy"), path.join(dir, "data/f.npy"));
    k = new TestKernel(dir);
    await k.ready;
  });
  after(async () => {
    await k?.kill();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("readCsv gives an engine tensor (paths relative to the notebook folder)", async () => {
    const r = await k.run('const s = rnn.data.readCsv("data/series.csv", { columns: ["value"], shape: [1, 3, 1] });\nJSON.stringify({ shape: s.shape, v: s.toArray() })');
    assert.equal(r.result, `'{"shape":[1,3,1],"v":[[[0.5],[1.5],[2.5]]]}'`);
  });

  it("readNpy gives an engine tensor", async () => {
    const r = await k.run('const w = rnn.data.readNpy("data/w.npy");\nJSON.stringify({ shape: w.shape, v: w.toArray() })');
    assert.equal(r.result, `'{"shape":[2,3],"v":[[1.5,-2,3.25],[0,4,-0.5]]}'`);
  });

  it("errors reach the cell with their message and the cell's line", async () => {
    const r = await k.run('\nrnn.data.readCsv("data/ragged.csv")', 5);
    assert.equal(r.error?.name, "DataFileError");
    assert.match(r.error!.message, /data\/ragged\.csv, line 2: 1 field, but the first row has 2/);
    assert.match(r.error!.stack, /at cell5\.ts:2:\d+/);
    const f = await k.run('rnn.data.readNpy("data/f.npy")');
    assert.match(f.error!.message, /Fortran/);
    const missing = await k.run('rnn.data.readNpy("nope.npy")');
    assert.match(missing.error!.message, /cannot read nope\.npy: no such file/);
  });
});
