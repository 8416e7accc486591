// The platform's state: where its stacks live (file backend or the S3 store), and what `env` hands to the CLI.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fleetEndpoints, initState, platformEnv, requestedFleet, withStateMode, writeState } from "./state";

describe("platform state modes", () => {
  const dir = mkdtempSync(join(tmpdir(), "splai-state-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("starts on the file backend, with the S3 port from SPLAI_PORT_S3 and no AWS variables", () => {
    process.env.SPLAI_PORT_S3 = "20900";
    try {
      const s = initState(dir);
      assert.equal(s.pulumi.mode, "file");
      assert.equal(s.pulumi.backend, `file://${join(dir, "pulumi")}?metadata=skip`);
      assert.equal(s.s3.endpoint, "http://127.0.0.1:20900");
      assert.equal(platformEnv(s).AWS_ACCESS_KEY_ID, undefined);
    } finally {
      delete process.env.SPLAI_PORT_S3;
    }
  });

  it("on S3, points PULUMI_BACKEND_URL at the bucket and hands over the keys; a plain re-init keeps S3 and the keys", () => {
    const s = withStateMode(initState(dir), "s3");
    assert.equal(
      s.pulumi.backend,
      `s3://splai-state?endpoint=http://127.0.0.1:${s.ports.s3}&use_path_style=true&region=us-east-1`,
    );
    const env = platformEnv(s);
    assert.equal(env.PULUMI_BACKEND_URL, s.pulumi.backend);
    assert.equal(env.AWS_ACCESS_KEY_ID, s.s3.accessKeyId);
    assert.equal(env.AWS_SECRET_ACCESS_KEY, s.s3.secretAccessKey);
    assert.equal(env.AWS_REGION, "us-east-1");
    assert.equal(env.PULUMI_CONFIG_PASSPHRASE, "splai-local-platform", "secrets stay under the passphrase");
    writeState(s);
    const again = initState(dir);
    assert.equal(again.pulumi.mode, "s3");
    assert.equal(again.s3.secretAccessKey, s.s3.secretAccessKey, "keys survive a restart");
    assert.equal(withStateMode(again, "file").pulumi.backend, `file://${join(dir, "pulumi")}?metadata=skip`);
  });
});

describe("platform BuildKit fleet", () => {
  const dir = mkdtempSync(join(tmpdir(), "splai-fleet-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is off by default; --fleet turns it on, --no-fleet off, a plain up keeps it, SPLAI_FLEET=1/0 when no flag", () => {
    const s = initState(dir);
    assert.equal(s.fleet?.enabled, false);
    assert.deepEqual(fleetEndpoints(s), []);
    assert.equal(requestedFleet(["--fleet"], false, {}), true);
    assert.equal(requestedFleet(["--no-fleet"], true, {}), false);
    assert.equal(requestedFleet([], true, {}), true);
    assert.equal(requestedFleet([], false, { SPLAI_FLEET: "1" }), true);
    assert.equal(requestedFleet([], true, { SPLAI_FLEET: "0" }), false);
    assert.throws(() => requestedFleet([], true, { SPLAI_FLEET: "yes" }), /SPLAI_FLEET=yes is not accepted; use 1/);
  });

  it("has one daemon per platform, its socket in the state directory; env's endpoints list them in order", () => {
    const s = initState(dir);
    s.fleet = { enabled: true, nodes: s.fleet!.nodes };
    writeState(s);
    const again = initState(dir);
    assert.equal(again.fleet?.enabled, true, "kept by the next up");
    assert.deepEqual(
      again.fleet?.nodes.map((n) => [n.platform, n.name]),
      [
        ["linux/amd64", "buildkitd-amd64"],
        ["linux/arm64", "buildkitd-arm64"],
      ],
    );
    assert.deepEqual(fleetEndpoints(again), [
      `unix://${join(dir, "buildkitd-amd64.sock")}`,
      `unix://${join(dir, "buildkitd-arm64.sock")}`,
    ]);
  });
});
