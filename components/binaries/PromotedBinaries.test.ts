// PromotedBinaries on its own under mocks: the promote-binaries step with dev's files and sums, triggers, its record.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import type { DevBinary } from "../promotion/promotion";
import { binaryChildren, PROMOTE_BINARIES, type BuiltBinary } from "./contract";
import { PromotedBinaries } from "./PromotedBinaries";

const CMD = "command:local:Command";
const DEV: DevBinary[] = ["splaictl-linux-amd64", "splai-planner-linux-arm64"].map((name, i) => ({
  name,
  binary: name.replace(/-linux-(amd|arm)64$/, ""),
  goos: "linux",
  goarch: name.endsWith("amd64") ? "amd64" : "arm64",
  path: `/dev-dist/${name}`,
  sha256: String(i + 1).repeat(64),
}));
const SUMS = DEV.map((f) => `${f.sha256}  ${f.name}\n`).join("");
/** What the step prints: each file at its path in this release's directory. */
const copiedTo = (dir: string): BuiltBinary[] => DEV.map((f) => ({ ...f, path: `${dir}/${f.name}` }));

let monitor: MockMonitor;
let promoted: PromotedBinaries;
let fromArtifact: PromotedBinaries;

before(async () => {
  ({ monitor, value: promoted } = await withMocks(
    ({ type, name, inputs }) => {
      if (type !== CMD) return undefined;
      const outDir = (inputs.environment as Record<string, string>).OUT_DIR;
      return { stdout: `copied ${name}\n${JSON.stringify(copiedTo(outDir))}\n` };
    },
    () => {
      // dev's list arrives as an Output (read from the dev stack), its sums as plain text: both kinds of input.
      const first = new PromotedBinaries("binaries", {
        stack: "org/splai-release/dev",
        binaries: pulumi.output(DEV),
        checksums: SUMS,
        outDir: "/prod-dist",
      });
      fromArtifact = new PromotedBinaries("artifact", {
        stack: "org/splai-release/dev",
        binaries: DEV,
        checksums: pulumi.output(SUMS),
        outDir: "/ci-dist",
        sourceDir: "/artifact/dist",
      });
      return first;
    },
  ));
  await Promise.all([valueOf(promoted.checksums), valueOf(fromArtifact.checksums)]);
});

const copyOf = (component: string) => monitor.find(CMD, binaryChildren(component).copy);
const envOf = (component: string) => copyOf(component).inputs.environment as Record<string, string>;

describe("PromotedBinaries", () => {
  it("runs the promote-binaries step by its stable name from the program's root", () => {
    const copy = copyOf("binaries");
    assert.equal(copy.inputs.create, stepRun(PROMOTE_BINARIES.name));
    assert.equal(copy.inputs.create, "node --use-openssl-ca step.js promote-binaries");
    assert.equal(copy.inputs.dir, programRoot);
    assert.equal(monitor.ofType(CMD).length, 2, "one command per component, nothing built");
  });

  it("passes the contract's fields, dev's list as JSON and dev's sums unchanged, and no DEV_DIR when not given", () => {
    assert.deepEqual(envOf("binaries"), {
      DEV_STACK: "org/splai-release/dev",
      OUT_DIR: "/prod-dist",
      CHECKSUMS: SUMS,
      FILES: JSON.stringify(DEV),
    });
  });

  it("names the directory dev's binaries are read from when given", () => {
    const env = envOf("artifact");
    assert.deepEqual(Object.keys(env).sort(), Object.keys(PROMOTE_BINARIES.env).sort());
    assert.equal(env.DEV_DIR, "/artifact/dist");
    assert.equal(env.OUT_DIR, "/ci-dist");
    assert.deepEqual(JSON.parse(env.FILES), DEV);
  });

  it("copies again exactly when dev's checksums or the destination change", () => {
    assert.deepEqual(copyOf("binaries").inputs.triggers, [SUMS, "/prod-dist"]);
    assert.deepEqual(copyOf("artifact").inputs.triggers, [SUMS, "/ci-dist"]);
  });

  it("exposes the binaries the step printed as its last line, and dev's SHA256SUMS beside them", async () => {
    assert.deepEqual(await valueOf(promoted.binaries), copiedTo("/prod-dist"));
    assert.equal(await valueOf(promoted.checksums), SUMS);
    assert.equal(promoted.checksumsPath, "/prod-dist/SHA256SUMS");
    assert.equal(promoted.outDir, "/prod-dist");
    assert.deepEqual(await valueOf(fromArtifact.binaries), copiedTo("/ci-dist"));
  });

  it("is the parent of its command", () => {
    assert.equal(monitor.optionsOf(copyOf("binaries")).parent, promoted);
    assert.equal(monitor.optionsOf(copyOf("artifact")).parent, fromArtifact);
  });
});
