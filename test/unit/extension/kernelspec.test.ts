// Which .ipynb notebooks get our language features before the user picks a kernel (kernelspec.ts):
// the notebook metadata shapes are those of VS Code's built-in ipynb serializer (top level in current
// versions, under "metadata" in older ones) and the kernelspec our own export writes (src/shared/ipynb.ts).
import * as assert from "node:assert/strict";
import { ipynbIsOursByDefault, ipynbKernelName, OUR_KERNELSPEC } from "../../../src/extension/notebook/kernelspec";
import { TYPESCRIPT_METADATA } from "../../../src/shared/ipynb";

describe("ipynb kernelspec", () => {
  it("reads kernelspec.name at the top level and under metadata", () => {
    assert.equal(ipynbKernelName({ kernelspec: { name: "deno", language: "typescript" } }), "deno");
    assert.equal(ipynbKernelName({ metadata: { kernelspec: { name: "tslab" } } }), "tslab");
    assert.equal(ipynbKernelName({ language_info: { name: "typescript" } }), undefined);
    for (const odd of [undefined, null, 3, "x", { kernelspec: null }, { kernelspec: { name: 7 } }, { kernelspec: { name: "" } }]) {
      assert.equal(ipynbKernelName(odd), undefined, JSON.stringify(odd));
    }
  });

  it("is ours when the file names no kernel or ours, not when it names another", () => {
    assert.equal(OUR_KERNELSPEC, "rnn-notebook");
    assert.equal(ipynbIsOursByDefault(TYPESCRIPT_METADATA), true); // what "Export as Jupyter Notebook" writes
    assert.equal(ipynbIsOursByDefault({ language_info: { name: "typescript" } }), true);
    assert.equal(ipynbIsOursByDefault({}), true);
    assert.equal(ipynbIsOursByDefault({ kernelspec: { name: "deno", display_name: "Deno", language: "typescript" } }), false);
    assert.equal(ipynbIsOursByDefault({ metadata: { kernelspec: { name: "python3" } } }), false);
  });
});
