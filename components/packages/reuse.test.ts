// A package is kept only when it was built from the same inputs and its bytes are the ones recorded.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { inputsDir, packageKey, recordBuilt, reusable } from "./reuse";

describe("package reuse", () => {
  let root: string;
  let out: string;
  const parts = {
    config: "name: splaictl\nversion: 1.0.0\n",
    files: ["aa"],
    format: "deb",
    nfpm: "/tools/nfpm/2.48.0",
  };
  const key = packageKey(parts);
  let target: string;
  const sha = "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c"; // sha256 of "foo\n"

  before(() => {
    root = mkdtempSync(join(tmpdir(), "splai-reuse-"));
    out = join(root, "release");
    mkdirSync(out);
    target = join(out, "splaictl_1.0.0_amd64.deb");
    writeFileSync(target, "foo\n");
    recordBuilt(out, target, key, sha);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("records beside the output directory, never among its files", () => {
    assert.deepEqual(readdirSync(out), ["splaictl_1.0.0_amd64.deb"]);
    assert.equal(inputsDir(out), join(root, "release.package-inputs"));
  });

  it("keeps a package built from the same inputs, with its checksum", () => {
    assert.equal(reusable(out, target, key), sha);
  });

  it("builds again when any input differs: config, packed file, format or nfpm", () => {
    for (const change of [
      { config: "name: splaictl\nversion: 1.0.1\n" },
      { files: ["bb"] },
      { format: "rpm" },
      { nfpm: "/tools/nfpm/2.49.0" },
    ])
      assert.equal(reusable(out, target, packageKey({ ...parts, ...change })), undefined, JSON.stringify(change));
  });

  it("builds again when the file was changed or removed since it was recorded", () => {
    writeFileSync(target, "tampered\n");
    assert.equal(reusable(out, target, key), undefined);
    rmSync(target);
    assert.equal(reusable(out, target, key), undefined);
  });
});
