// Verification on its own under mocks: the verify-release step's fields, the kubeconfig's secrecy, triggers, result.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { deployChildren, VERIFY_RELEASE } from "./contract";
import { Verification } from "./Verification";
import type { VerificationResult } from "./verify-rules";

const CMD = "command:local:Command";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{ name: u, user: { token: s3cret-kube-token } }]\n";
const pinned = (image: string, c: string) => `reg.example/splai/splai-${image}:v1.2.3@sha256:${c.repeat(64)}`;
/** Deliberately out of order: the step and the trigger see them sorted. */
const IMAGES = {
  scheduler: pinned("scheduler", "3"),
  "api-gateway": pinned("api-gateway", "1"),
  planner: pinned("planner", "2"),
};
const SORTED = JSON.stringify({
  "api-gateway": IMAGES["api-gateway"],
  planner: IMAGES.planner,
  scheduler: IMAGES.scheduler,
});
const RESULT: VerificationResult = {
  status: "passed",
  revision: 4,
  checks: ["ok   rollout", "ok   healthz api-gateway"],
};

let monitor: MockMonitor;
let verify: Verification;
let byPath: Verification;

before(async () => {
  const ambient = process.env.KUBECONFIG;
  process.env.KUBECONFIG = "/ambient/kube/config";
  try {
    ({ monitor, value: verify } = await withMocks(
      ({ type }) => (type === CMD ? { stdout: `rollout done\n${JSON.stringify(RESULT)}\n` } : undefined),
      () => {
        byPath = new Verification("bypath", {
          kubeconfig: "/home/ci/.kube/config",
          namespace: "splai-system",
          releaseName: "splai",
          revision: 2,
          components: ["planner"],
          gateway: "planner",
          images: IMAGES,
        });
        new Verification("ambient", { namespace: "splai-system", releaseName: "splai", revision: 1, images: {} });
        // As a release wires it: namespace, release and revision from the Helm release, splaictl from the binaries.
        return new Verification("verify", {
          kubeconfig: KUBECONFIG,
          context: "prod",
          namespace: pulumi.output("splai-prod"),
          releaseName: pulumi.output("splai"),
          revision: pulumi.output(4),
          images: pulumi.output(IMAGES),
          splaictl: pulumi.output("/dist/splaictl-linux-amd64"),
          timeout: 600,
          rollbackOnFailure: true,
          requireRealNode: true,
        });
      },
    ));
  } finally {
    if (ambient === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = ambient;
  }
  await Promise.all([valueOf(verify.result), valueOf(byPath.result)]);
});

const checksOf = (name: string) => monitor.find(CMD, deployChildren(name).checks);
const envOf = (name: string) => unsecret<Record<string, unknown>>(checksOf(name).inputs.environment);

describe("Verification", () => {
  it("runs the verify-release step by its stable name from the program's root", () => {
    const checks = checksOf("verify");
    assert.equal(checks.name, "verify-checks");
    assert.equal(checks.inputs.create, stepRun(VERIFY_RELEASE.name));
    assert.equal(checks.inputs.create, "node --use-openssl-ca step.js verify-release");
    assert.equal(checks.inputs.dir, programRoot);
  });

  it("passes the release, its revision, the images sorted by component and the policy as the contract's fields", () => {
    const env = envOf("verify");
    assert.deepEqual(
      { ...env, KUBECONFIG_INPUT: unsecret(env.KUBECONFIG_INPUT) },
      {
        KUBECONFIG_INPUT: KUBECONFIG,
        KUBE_CONTEXT: "prod",
        NAMESPACE: "splai-prod",
        RELEASE: "splai",
        REVISION: "4",
        COMPONENTS: JSON.stringify(["api-gateway", "planner", "scheduler"]),
        GATEWAY: "api-gateway",
        IMAGES: SORTED,
        SPLAICTL: "/dist/splaictl-linux-amd64",
        TIMEOUT: "600",
        ROLLBACK: "true",
        REQUIRE_REAL_NODE: "true",
      },
    );
    assert.deepEqual(Object.keys(JSON.parse(String(env.IMAGES)) as object), ["api-gateway", "planner", "scheduler"]);
  });

  it("defaults to no rollback, fake nodes allowed, 300 s, no splaictl, and takes the given components", () => {
    const env = envOf("bypath");
    assert.equal(env.COMPONENTS, JSON.stringify(["planner"]));
    assert.equal(env.GATEWAY, "planner");
    assert.equal(env.TIMEOUT, "300");
    assert.equal(env.ROLLBACK, "false");
    assert.equal(env.REQUIRE_REAL_NODE, "false");
    assert.equal(env.SPLAICTL, "");
    assert.equal(env.KUBE_CONTEXT, "");
    assert.equal(env.REVISION, "2");
    assert.equal(env.IMAGES, SORTED);
  });

  it("keeps a kubeconfig document secret, and a path plain", () => {
    const doc = checksOf("verify").inputs.environment;
    assert.ok(isSecret(doc) || isSecret(unsecret<Record<string, unknown>>(doc).KUBECONFIG_INPUT));
    assert.equal(inPlaintext(checksOf("verify").inputs, "s3cret-kube-token"), false);
    const path = checksOf("bypath").inputs.environment as Record<string, unknown>;
    assert.equal(isSecret(path), false);
    assert.equal(path.KUBECONFIG_INPUT, "/home/ci/.kube/config");
  });

  it("uses the ambient KUBECONFIG when given none", () => {
    assert.equal(envOf("ambient").KUBECONFIG_INPUT, "/ambient/kube/config");
    assert.equal(envOf("ambient").IMAGES, "{}");
  });

  it("verifies again on a new revision or new images, not on every update", () => {
    assert.deepEqual(checksOf("verify").inputs.triggers, [4, SORTED, "splai-prod", "splai"]);
    assert.deepEqual(checksOf("bypath").inputs.triggers, [2, SORTED, "splai-system", "splai"]);
  });

  it("is the parent of its command and exposes the result the step printed last", async () => {
    assert.equal(monitor.optionsOf(checksOf("verify")).parent, verify);
    assert.equal(monitor.optionsOf(checksOf("bypath")).parent, byPath);
    assert.deepEqual(await valueOf(verify.result), RESULT);
  });
});
