// A step's settings read back from a preview by its contract: decoded by kind, secrets and unknowns left out.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PUBLISH_CHART } from "../../components/chart/contract";
import { VERIFY_RELEASE } from "../../components/deploy/contract";
import { readEnv } from "./env";

describe("readEnv", () => {
  const known = {
    KUBECONFIG_INPUT: "/home/ci/.kube/config",
    KUBE_CONTEXT: "",
    NAMESPACE: "splai-system",
    RELEASE: "splai",
    REVISION: "4",
    COMPONENTS: '["api-gateway","planner"]',
    GATEWAY: "api-gateway",
    IMAGES: '{"planner":"reg/splai-planner:v1@sha256:1"}',
    SPLAICTL: "/dist/splaictl-linux-amd64",
    TIMEOUT: "300",
    ROLLBACK: "true",
    REQUIRE_REAL_NODE: "false",
  };

  it("decodes each field of a preview's environment by its kind", () => {
    assert.deepEqual(readEnv(VERIFY_RELEASE, known), {
      KUBECONFIG_INPUT: "/home/ci/.kube/config",
      KUBE_CONTEXT: undefined,
      NAMESPACE: "splai-system",
      RELEASE: "splai",
      REVISION: 4,
      COMPONENTS: ["api-gateway", "planner"],
      GATEWAY: "api-gateway",
      IMAGES: { planner: "reg/splai-planner:v1@sha256:1" },
      SPLAICTL: "/dist/splaictl-linux-amd64",
      TIMEOUT: 300,
      ROLLBACK: true,
      REQUIRE_REAL_NODE: false,
    });
  });

  it("leaves out secrets, shown or wrapped, and fields the preview does not have", () => {
    const wrapped = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "s3cret" };
    for (const password of ["s3cret", wrapped]) {
      const env = readEnv(PUBLISH_CHART, { CHART_PATH: "/src/charts/splai", REGISTRY_PASSWORD: password });
      assert.deepEqual(env, { CHART_PATH: "/src/charts/splai" });
    }
    assert.deepEqual(readEnv(PUBLISH_CHART, undefined), {});
    assert.deepEqual(readEnv(PUBLISH_CHART, "not an environment"), {});
  });

  it("leaves out unknown values of fields that cannot decode them (numbers, flags aside, JSON)", () => {
    const env = readEnv(VERIFY_RELEASE, {
      ...known,
      REVISION: pulumi.runtime.unknownValue,
      COMPONENTS: pulumi.runtime.unknownValue,
      IMAGES: pulumi.runtime.unknownValue,
    });
    for (const key of ["REVISION", "COMPONENTS", "IMAGES"]) assert.equal(key in env, false, key);
    assert.equal(env.NAMESPACE, "splai-system");
  });

  it("leaves out unknown values of every kind", () => {
    const unknown = Object.fromEntries(Object.keys(known).map((k) => [k, pulumi.runtime.unknownValue]));
    assert.deepEqual(readEnv(VERIFY_RELEASE, unknown), {});
  });
});
