// SignatureGate on its own under mocks: the verify-signatures step with the targets, the trust and the registry
// credentials (secret), verified again whenever a target, the trust or an extra trigger changes.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import type { TrustPolicy } from "./cosign";
import { signingChildren, VERIFY_SIGNATURES, type SignedTarget } from "./contract";
import { SignatureGate } from "./SignatureGate";

const CMD = "command:local:Command";
const PASSWORD = "s3cret-registry";
const PUB = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";
const TARGETS: SignedTarget[] = [
  { name: "image planner", ref: `reg.example:5443/splai/splai-planner@sha256:${"a".repeat(64)}`, tag: "sha-0123456" },
  { name: "chart splai", ref: `reg.example:5443/splai/charts/splai@sha256:${"b".repeat(64)}`, tag: "0.1.0-main.7" },
];
const TRUST: TrustPolicy = { mode: "key", keys: [PUB], tlog: false };

let monitor: MockMonitor;
let gate: SignatureGate;

before(async () => {
  ({ monitor, value: gate } = await withMocks(
    ({ type }) =>
      type === CMD
        ? {
            stdout: JSON.stringify({
              verified: TARGETS.map((t) => ({ name: t.name, ref: t.ref, by: "sha256:0123456789ab" })),
            }),
          }
        : undefined,
    () =>
      new SignatureGate("deploy-signatures", {
        targets: pulumi.output(TARGETS),
        trust: pulumi.output(TRUST),
        withheld: "nothing was deployed",
        registry: "reg.example:5443",
        registryUsername: "robot",
        registryPassword: PASSWORD,
        triggers: ['{"replicas":2}'],
      }),
  ));
  await valueOf(gate.verified);
});

describe("SignatureGate", () => {
  const run = () => monitor.find(CMD, signingChildren("deploy-signatures").verify);

  it("runs the verify-signatures step with the targets, the trust and what a refusal withholds", () => {
    assert.equal(run().name, "deploy-signatures-verify");
    assert.equal(run().inputs.create, stepRun(VERIFY_SIGNATURES.name));
    assert.equal(run().inputs.dir, programRoot);
    const env = unsecret<Record<string, unknown>>(run().inputs.environment);
    assert.deepEqual(JSON.parse(env.TARGETS as string), TARGETS);
    assert.deepEqual(JSON.parse(env.TRUST as string), TRUST);
    assert.equal(env.WITHHELD, "nothing was deployed");
    assert.equal(env.REGISTRY, "reg.example:5443");
    assert.equal(unsecret(env.REGISTRY_PASSWORD), PASSWORD);
    assert.equal(inPlaintext(run().inputs, PASSWORD), false);
  });

  it("verifies again when a digest, the trust or the deployment's values change", () => {
    assert.deepEqual(run().inputs.triggers, [JSON.stringify(TARGETS), JSON.stringify(TRUST), '{"replicas":2}']);
  });

  it("exposes the command (what the Helm release depends on) and the verified targets", async () => {
    assert.equal(await valueOf(gate.check.urn.apply((u) => u.split("::").pop())), "deploy-signatures-verify");
    assert.equal((await valueOf(gate.verified)).length, 2);
    assert.equal(monitor.optionsOf(run()).parent, gate);
  });
});
