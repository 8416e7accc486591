// Release plans against the local platform: `npm run plan` lists what the following `up --plan` then does, and a stale plan is refused.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildPlan, DIGEST_AFTER_UP, KNOWN_AFTER_UP, type ReleasePlan } from "../../tools/plan/plan";
import { repoRoot } from "../../tools/lib/paths";
import { applyPlan, PlanRecorder, previewPlan } from "../../tools/plan/engine";
import { eventually } from "../support/eventually";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { mergeValues } from "../../components/deploy/values";
import { LOCAL_HELM_VALUES, releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

/** Resource changes keyed by URN, from a plan or from an up's own events run through the same reader. */
const changesOf = (plan: ReleasePlan): Record<string, string> =>
  Object.fromEntries(plan.resources.map((r) => [r.urn, r.change]));

describe("release plans on the local platform", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let out: string;
  let sha7: string;
  let digests: Record<string, string>;

  before(async () => {
    p = platform();
    proj = await releaseProject(p);
    out = mkdtempSync(join(tmpdir(), "splai-plans-"));
    sha7 = proj.git("rev-parse", "--short=7", "HEAD");
  });
  after(async () => {
    await proj?.cleanup();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  /** `npm run plan` as CI runs it, in the test's copy of the program. */
  function planCli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "tools", "plan", "main.ts"),
        "--stack",
        proj.stack.name,
        "--dir",
        proj.stack.workspace.workDir,
        ...args,
      ],
      {
        cwd: repoRoot,
        env: { ...process.env, ...proj.stack.workspace.envVars },
        encoding: "utf8",
        timeout: 30 * 60_000,
      },
    );
    process.stderr.write(r.stderr.split("\n").slice(-15).join("\n"));
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  it("the first plan names every artifact of the first release; up --plan then releases exactly that", async () => {
    const planned = planCli("--out", out, "--save-plan");
    assert.equal(planned.status, 0, planned.stderr);
    const plan = JSON.parse(readFileSync(join(out, `${proj.stack.name}.json`), "utf8")) as ReleasePlan;
    const md = readFileSync(join(out, `${proj.stack.name}.md`), "utf8");
    assert.equal(planned.stdout, md, "the Markdown goes to stdout too");

    assert.equal(plan.versions?.app, `0.0.0-main-${sha7}`);
    assert.equal(plan.versions?.chart, "0.1.0-main.1");
    assert.deepEqual(
      plan.images.map((i) => [i.name, i.repository, i.tags.join(","), i.change, i.digest]),
      IMAGES.map((n) => [
        n,
        `${p.state.registry.address}/${proj.id}/splai-${n}`,
        `sha-${sha7},latest`,
        "create",
        KNOWN_AFTER_UP,
      ]),
    );
    assert.equal(plan.binaries.length, 18);
    assert.ok(plan.binaries.every((b) => b.change === "create"));
    assert.deepEqual(plan.chart, {
      ref: `oci://${p.state.registry.address}/${proj.id}/charts/splai`,
      version: "0.1.0-main.1",
      alias: "latest",
      change: "create",
    });
    assert.equal(plan.helm?.change, "create");
    assert.equal(plan.helm?.chartVersion.after, "0.1.0-main.1");
    const values = Object.fromEntries((plan.helm?.values ?? []).map((v) => [v.path, v.after]));
    assert.equal(
      values["apiGateway.image.repository"],
      `${p.state.registry.address}/${proj.id}/splai-api-gateway`,
      "values are known but for the digests",
    );
    assert.equal(
      values["apiGateway.image.tag"],
      `sha-${sha7}@${DIGEST_AFTER_UP}`,
      "the immutable tag, the digest left open",
    );
    assert.equal(plan.helm?.valuesFrom, "sources");
    assert.equal(values["postgres.enabled"], "false");
    assert.equal(plan.githubRelease?.tag, `v0.0.0-main-${sha7}`);
    assert.equal(plan.githubRelease?.prerelease, true);
    const assets = plan.githubRelease?.assets ?? [];
    assert.equal(assets.filter((a) => plan.binaries.some((b) => b.file === a)).length, 18, "18 binaries");
    assert.equal(assets.filter((a) => a.endsWith(".tar.gz")).length, 3, "an archive per target");
    assert.equal(assets.filter((a) => /\.(deb|rpm|apk)$/.test(a)).length, 12, "2 packages x 3 formats x 2 linux");
    assert.ok(assets.includes("SHA256SUMS"));
    assert.equal(assets.length, 34);
    assert.ok(md.includes(`## Release plan for stack \`${proj.stack.name}\``));
    assert.ok(
      !md.includes(p.state.registry.password) && !md.includes(p.state.github.token),
      "no secret in the Markdown",
    );
    assert.ok(!JSON.stringify(plan).includes(p.state.registry.password), "no secret in the JSON");

    const applied = planCli("--apply", join(out, `${proj.stack.name}.update-plan.json`));
    assert.equal(applied.status, 0, applied.stderr);
    const [last] = await proj.stack.history(1);
    assert.equal(last.result, "succeeded");
    assert.deepEqual(
      last.resourceChanges,
      { create: plan.counts.create },
      "the up created what the plan said, nothing else",
    );
    const o = await proj.stack.outputs();
    assert.deepEqual(o.versions.value, plan.versions);
    digests = o.imageDigests.value as Record<string, string>;
    assert.deepEqual(Object.keys(digests).sort(), IMAGES);
    assert.equal(o.chartRef.value, `${plan.chart.ref}:${plan.chart.version}`);
    assert.match(String(o.releaseUrl.value), new RegExp(`${plan.githubRelease.tag}$`));
  });

  it("a one-service change and a Helm value: the plan lists exactly the resources, images and values the up then changes", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(file, readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner store=%s"'));
    await proj.stack.setConfig("splai-release:helmValues", {
      value: JSON.stringify(mergeValues(LOCAL_HELM_VALUES, { apiGateway: { replicaCount: 2 } })),
    });
    const updatePlan = join(out, "second.update-plan.json");
    const { plan } = await previewPlan(proj.stack, { savePlan: updatePlan });

    assert.deepEqual(
      plan.images.filter((i) => i.change !== "same").map((i) => i.name),
      ["planner"],
      "only the planner image is rebuilt",
    );
    for (const i of plan.images.filter((x) => x.name !== "planner"))
      assert.equal(i.digest, digests[i.name], `${i.name} keeps its digest`);
    assert.deepEqual(
      plan.binaries.filter((b) => b.change !== "same").map((b) => b.file),
      ["splai-planner-darwin-arm64", "splai-planner-linux-amd64", "splai-planner-linux-arm64"],
    );
    assert.deepEqual(plan.helm?.values, [
      { path: "apiGateway.replicaCount", before: undefined, after: "2" },
      { path: "planner.image.tag", before: `sha-${sha7}@${digests.planner}`, after: `sha-${sha7}@${DIGEST_AFTER_UP}` },
    ]);
    assert.equal(plan.chart?.change, "same", "the chart itself did not change");

    const rec = new PlanRecorder();
    const up = await applyPlan(proj.stack, updatePlan, { onEvent: (e: EngineEvent) => rec.onEvent(e) });
    assert.equal(up.summary.result, "succeeded");
    const did = buildPlan({
      stack: proj.stack.name,
      steps: rec.steps,
      outputs: rec.outputs,
      changeSummary: up.summary.resourceChanges,
    });
    assert.deepEqual(
      changesOf(did),
      changesOf(plan),
      "the up touched exactly the planned resources, each the planned way",
    );
    assert.deepEqual(did.counts, plan.counts);
    const after = up.outputs.imageDigests.value as Record<string, string>;
    assert.notEqual(after.planner, digests.planner, "planner rebuilt");
    for (const n of IMAGES.filter((x) => x !== "planner")) assert.equal(after[n], digests[n], `${n} untouched`);
    const ns = `splai-${proj.id}`;
    await eventually("api-gateway scaled to the planned 2 replicas", async () => {
      const r = await p.kube(`/apis/apps/v1/namespaces/${ns}/deployments/splai-splai-api-gateway`);
      return (r.json.spec as { replicas?: number } | undefined)?.replicas === 2 ? true : undefined;
    });
    const planner = await p.kube(`/apis/apps/v1/namespaces/${ns}/deployments/splai-splai-planner`);
    const image = (planner.json.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
      .containers[0].image;
    assert.equal(
      image,
      `${p.state.registry.address}/${proj.id}/splai-planner:sha-${sha7}@${after.planner}`,
      "the digest the plan left open is the new one",
    );
    digests = after;
  });

  it("a plan is applied as it is or not at all: a change made after planning is refused", async () => {
    const updatePlan = join(out, "stale.update-plan.json");
    const { plan } = await previewPlan(proj.stack, { savePlan: updatePlan });
    assert.deepEqual(plan.resources, [], "nothing to do right after the up");
    const file = join(proj.source, "cmd/scheduler/main.go");
    writeFileSync(file, `${readFileSync(file, "utf8")}\n// changed after the plan was made\n`);
    await assert.rejects(
      applyPlan(proj.stack, updatePlan),
      (e: Error) => /plan/i.test(e.message) && /binaries-splai-scheduler/.test(e.message),
    );
    const tag = await p.registry.getManifest(`${proj.id}/splai-scheduler`, `sha-${sha7}`);
    assert.equal(tag?.digest, digests.scheduler, "the refused up pushed no scheduler image");
  });
});
