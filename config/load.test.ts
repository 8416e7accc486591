// Reading the stack's settings: a list key falls back to its environment variable, as CI passes repository variables.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readRawSettings } from "./load";

describe("readRawSettings", () => {
  it("reads builderEndpoints from SPLAI_BUILDER_ENDPOINTS (comma-separated) when the stack does not set it", () => {
    pulumi.runtime.setAllConfig({});
    const cfg = new pulumi.Config("splai-release");
    const env = { SPLAI_BUILDER_ENDPOINTS: " tcp://amd64.build:1234, tcp://arm64.build:1234 ," };
    assert.deepEqual(readRawSettings(cfg, env).raw.builderEndpoints, [
      "tcp://amd64.build:1234",
      "tcp://arm64.build:1234",
    ]);
    assert.equal(readRawSettings(cfg, {}).raw.builderEndpoints, undefined);
  });

  it("prefers the stack's builderEndpoints over the environment", () => {
    pulumi.runtime.setAllConfig({ "splai-release:builderEndpoints": '["unix:///run/buildkit/buildkitd.sock"]' });
    const cfg = new pulumi.Config("splai-release");
    const env = { SPLAI_BUILDER_ENDPOINTS: "tcp://amd64.build:1234" };
    assert.deepEqual(readRawSettings(cfg, env).raw.builderEndpoints, ["unix:///run/buildkit/buildkitd.sock"]);
  });

  it("keeps a stack's own builder: SPLAI_BUILDER_ENDPOINTS does not apply to it (release:local with the fleet up)", () => {
    pulumi.runtime.setAllConfig({ "splai-release:builder": "splai-local" });
    const cfg = new pulumi.Config("splai-release");
    const { raw } = readRawSettings(cfg, { SPLAI_BUILDER_ENDPOINTS: "unix:///a.sock,unix:///b.sock" });
    assert.equal(raw.builder, "splai-local");
    assert.equal(raw.builderEndpoints, undefined);
  });
});
