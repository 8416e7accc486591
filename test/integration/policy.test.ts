// The policy pack through the real engine: a preview of each kind of violation is refused with the rule's message, a
// release that keeps the rules passes.
import type { Stack } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { releaseDescription } from "../../components/deploy/rollback";
import { policyPackDir } from "../../tools/lib/paths";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { scratchProject } from "../support/scratch-project";

const D = `sha256:${"b".repeat(64)}`;

// What a release registers that the rules judge: a Helm release (a local chart) and a GitHub release.
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const k8s = require("@pulumi/kubernetes");
const github = require("@pulumi/github");
const cfg = new pulumi.Config();
const provider = new k8s.Provider("k8s", { kubeconfig: cfg.require("kubeconfig") });
new k8s.helm.v3.Release("splai-release", {
  name: "splai",
  namespace: cfg.require("namespace"),
  createNamespace: true,
  chart: cfg.require("chart"),
  version: cfg.require("chartVersion"),
  description: cfg.require("description"),
  values: { planner: { image: { repository: "reg/splai-planner", tag: cfg.require("imageTag") } } },
  skipAwait: true,
}, { provider });
const gp = new github.Provider("gh", { owner: cfg.require("ghOwner"), baseUrl: cfg.require("ghUrl"), token: cfg.requireSecret("ghToken") });
new github.Release("github-release", { repository: "splai", tagName: cfg.require("tag"), name: "t", body: "b", draft: false, prerelease: cfg.requireBoolean("prerelease") }, { provider: gp });
`;

describe("policy pack: the release rules refuse at preview", { timeout: 20 * 60_000 }, () => {
  let p: Platform;
  let work: string;
  let stack: Stack;
  const id = `pol${Date.now().toString(36)}`;

  /** A tag release v1.2.3 that keeps every rule; each case breaks one. */
  const clean = {
    chartVersion: "1.2.3",
    imageTag: `1.2.3@${D}`,
    tag: "v1.2.3",
    prerelease: "false",
    description: releaseDescription(`organization/policy-check/${id}`, "v1.2.3"),
  };

  const preview = async (override: Partial<typeof clean>): Promise<string> => {
    const c = { ...clean, ...override };
    writeFileSync(join(work, "chart", "Chart.yaml"), `apiVersion: v2\nname: splai\nversion: ${c.chartVersion}\n`);
    for (const [k, v] of Object.entries(c)) await stack.setConfig(k, { value: v });
    try {
      const r = await stack.preview({ policyPacks: [policyPackDir] });
      return `passed\n${r.stdout}`;
    } catch (e) {
      return `refused\n${e instanceof Error ? e.message : String(e)}`;
    }
  };

  before(async () => {
    p = platform();
    work = mkdtempSync(join(tmpdir(), "splai-policy-"));
    mkdirSync(join(work, "chart", "templates"), { recursive: true });
    writeFileSync(join(work, "chart", "values.yaml"), "planner: { image: { repository: x, tag: y } }\n");
    stack = await scratchProject(p, work, "policy-check", id, PROGRAM);
    await stack.setAllConfig({
      kubeconfig: { value: p.state.kubeconfig },
      namespace: { value: id },
      chart: { value: join(work, "chart") },
      ghOwner: { value: p.state.github.owner },
      ghUrl: { value: p.state.github.url },
      ghToken: { value: p.state.github.token, secret: true },
    });
  });

  after(async () => {
    if (stack) await stack.workspace.removeStack(stack.name).catch(() => undefined);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("a release that keeps the rules passes", async () => {
    const out = await preview({});
    assert.match(out, /^passed/, out);
  });

  const cases: [string, Partial<typeof clean>, RegExp][] = [
    [
      "an image not pinned by digest",
      { imageTag: "1.2.3" },
      /images-pinned-by-digest.*values\.planner\.image\.tag "1\.2\.3" is not pinned by digest/s,
    ],
    [
      "latest on a release chart",
      { imageTag: `latest@${D}` },
      /no-latest-on-release-chart.*deploys release chart 1\.2\.3 but values\.planner\.image\.tag is 'latest@/s,
    ],
    [
      "a prerelease chart on a tag release",
      { chartVersion: "1.2.3-main.4" },
      /chart-is-release-version.*deploys chart 1\.2\.3-main\.4, but the release is v1\.2\.3/s,
    ],
    [
      "a chart version other than the release's",
      { chartVersion: "1.2.4" },
      /chart-is-release-version.*a tag release deploys chart 1\.2\.3/s,
    ],
    [
      "images pinned by another tag on a tag release",
      { imageTag: `sha-abc1234@${D}` },
      /images-on-release-tag.*pins 'sha-abc1234', but the release is v1\.2\.3/s,
    ],
    [
      "a tag's GitHub release marked prerelease",
      { prerelease: "true" },
      /release-tag-not-prerelease.*of tag v1\.2\.3 is marked prerelease/s,
    ],
  ];
  for (const [what, override, message] of cases) {
    it(`refuses ${what}`, async () => {
      const out = await preview(override);
      assert.match(out, /^refused/, out);
      assert.match(out, message);
      assert.match(out, /mandatory/);
    });
  }
});
