// ChartPublish on its own under mocks: one step command, run by its stable name with its contract's settings, output parsed.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { programRoot } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { ChartPublish } from "./ChartPublish";
import { chartChildren, PUBLISH_CHART, type PublishedChart } from "./contract";

const PUBLISHED: PublishedChart = {
  ref: "oci://reg.example/splai/charts/splai",
  name: "splai",
  version: "1.2.3",
  digest: `sha256:${"c".repeat(64)}`,
  alias: "latest",
};

let monitor: MockMonitor;
let chart: ChartPublish;
let chartDir: string;

before(async () => {
  chartDir = mkdtempSync(join(tmpdir(), "chart-"));
  mkdirSync(join(chartDir, "templates"));
  writeFileSync(join(chartDir, "Chart.yaml"), "apiVersion: v2\nname: splai\nversion: 0.1.0\n");
  ({ monitor, value: chart } = await withMocks(
    ({ type, name }) =>
      type === "command:local:Command" && name === "chart-push"
        ? { stdout: `pushing\n${JSON.stringify(PUBLISHED)}` }
        : undefined,
    () =>
      new ChartPublish("chart", {
        chartPath: chartDir,
        version: "1.2.3",
        appVersion: "1.2.3",
        registry: "reg.example",
        owner: "splai",
        registryUsername: "robot",
        registryPassword: "s3cret",
        immutable: true,
      }),
  ));
  await valueOf(chart.chart);
});

describe("ChartPublish", () => {
  it("runs the publish-chart step by its stable name from the program's root", () => {
    const push = monitor.find("command:local:Command", chartChildren("chart").push);
    assert.equal(push.inputs.create, `node --use-openssl-ca step.js ${PUBLISH_CHART.name}`);
    assert.equal(push.inputs.dir, programRoot);
    assert.equal(push.inputs.logging, "stderr");
  });

  it("passes exactly the contract's settings, the password only inside a secret", () => {
    const raw = monitor.find("command:local:Command", "chart-push").inputs.environment;
    const env = unsecret<Record<string, unknown>>(raw);
    assert.deepEqual(Object.keys(env).sort(), Object.keys(PUBLISH_CHART.env).sort());
    assert.equal(env.CHART_REPOSITORY, "splai/charts");
    assert.equal(env.CHART_ALIAS, "latest");
    assert.equal(env.IMMUTABLE, "true");
    // The SDK makes the whole environment secret once one of its values is.
    assert.ok(isSecret(raw) || isSecret(env.REGISTRY_PASSWORD), "the registry password is a secret in the state");
    assert.equal(inPlaintext(raw, "s3cret"), false);
    assert.equal(unsecret(env.REGISTRY_PASSWORD), "s3cret");
  });

  it("pushes again exactly when the chart, its version or its destination changes", () => {
    const triggers = monitor.find("command:local:Command", "chart-push").inputs.triggers as string[];
    assert.equal(triggers.length, 5);
    assert.match(triggers[0], /^[0-9a-f]{64}$/, "the chart directory's content hash");
    assert.deepEqual(triggers.slice(1), ["1.2.3", "1.2.3", "reg.example", "splai"]);
  });

  it("is the parent of its command and exposes the record the step printed", async () => {
    assert.equal(monitor.optionsOf({ type: "command:local:Command", name: "chart-push" }).parent, chart);
    assert.deepEqual(await valueOf(chart.chart), PUBLISHED);
  });
});
