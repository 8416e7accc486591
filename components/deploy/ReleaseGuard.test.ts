// ReleaseGuard on its own under mocks: the check-rollback step's fields, the kubeconfig kept secret, triggers, result.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { CHECK_ROLLBACK, deployChildren } from "./contract";
import { ReleaseGuard } from "./ReleaseGuard";

const CMD = "command:local:Command";
const KUBECONFIG = "apiVersion: v1\nkind: Config\nusers: [{ name: u, user: { token: s3cret-kube-token } }]\n";
const FOUND = { deployed: "1.2.0", wanted: "1.2.3" };

let monitor: MockMonitor;
let guard: ReleaseGuard;
let defaults: ReleaseGuard;

before(async () => {
  const ambient = process.env.KUBECONFIG;
  process.env.KUBECONFIG = "/ambient/kube/config";
  try {
    ({ monitor, value: guard } = await withMocks(
      ({ type }) => (type === CMD ? { stdout: `deployed 1.2.0\n${JSON.stringify(FOUND)}` } : undefined),
      () => {
        defaults = new ReleaseGuard("defaults", { chartVersion: "1.2.3", namespace: "splai-system" });
        return new ReleaseGuard("guard", {
          chartVersion: "1.2.3",
          chartName: "splai-chart",
          namespace: "splai-prod",
          releaseName: "splai-prod",
          kubeconfig: KUBECONFIG,
          context: "prod",
          allowRollback: true,
        });
      },
    ));
  } finally {
    if (ambient === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = ambient;
  }
  await Promise.all([valueOf(guard.result), valueOf(defaults.result)]);
});

const rollbackOf = (name: string) => monitor.find(CMD, deployChildren(name).rollback);
const envOf = (name: string) => unsecret<Record<string, unknown>>(rollbackOf(name).inputs.environment);

describe("ReleaseGuard", () => {
  it("runs the check-rollback step by its stable name from the program's root", () => {
    const rollback = rollbackOf("guard");
    assert.equal(rollback.name, "guard-rollback");
    assert.equal(rollback.inputs.create, stepRun(CHECK_ROLLBACK.name));
    assert.equal(rollback.inputs.create, "node --use-openssl-ca step.js check-rollback");
    assert.equal(rollback.inputs.dir, programRoot);
  });

  it("passes the release to check and the consent as the contract's fields", () => {
    const env = envOf("guard");
    assert.deepEqual(
      { ...env, KUBECONFIG_CONTENT: unsecret(env.KUBECONFIG_CONTENT) },
      {
        NAMESPACE: "splai-prod",
        RELEASE_NAME: "splai-prod",
        CHART_NAME: "splai-chart",
        CHART_VERSION: "1.2.3",
        ALLOW_ROLLBACK: "true",
        KUBECONFIG_CONTENT: KUBECONFIG,
        KUBE_CONTEXT: "prod",
      },
    );
  });

  it("checks release `splai` of chart `splai`, refuses rollbacks and uses the ambient kubeconfig by default", () => {
    const env = envOf("defaults");
    assert.deepEqual(
      { ...env, KUBECONFIG_CONTENT: unsecret(env.KUBECONFIG_CONTENT) },
      {
        NAMESPACE: "splai-system",
        RELEASE_NAME: "splai",
        CHART_NAME: "splai",
        CHART_VERSION: "1.2.3",
        ALLOW_ROLLBACK: "false",
        KUBECONFIG_CONTENT: "/ambient/kube/config",
        KUBE_CONTEXT: "",
      },
    );
  });

  it("keeps the kubeconfig secret in the state", () => {
    for (const name of ["guard", "defaults"]) {
      const raw = rollbackOf(name).inputs.environment;
      assert.ok(isSecret(raw) || isSecret(unsecret<Record<string, unknown>>(raw).KUBECONFIG_CONTENT), name);
    }
    assert.equal(inPlaintext(rollbackOf("guard").inputs, "s3cret-kube-token"), false);
  });

  it("checks again whenever the version to deploy, the namespace or the consent changes", () => {
    assert.deepEqual(rollbackOf("guard").inputs.triggers, ["1.2.3", "splai-prod", "true"]);
    assert.deepEqual(rollbackOf("defaults").inputs.triggers, ["1.2.3", "splai-system", "false"]);
  });

  it("hands out its check for the first push to wait on, and reports what it found", async () => {
    assert.equal(guard.checks.length, 1);
    assert.equal((await valueOf(guard.checks[0].urn)).split("::").pop(), "guard-rollback");
    assert.equal(monitor.optionsOf(rollbackOf("guard")).parent, guard);
    assert.equal(monitor.optionsOf(rollbackOf("defaults")).parent, defaults);
    assert.deepEqual(JSON.parse(await valueOf(guard.result)), FOUND);
  });
});
