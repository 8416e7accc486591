// Tag releases end to end: v0.2.0 then v0.2.1, a refused re-release of v0.2.0 with other content, and destroy.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually, platform, type Platform } from "../support/platform";
import { releaseProject, type ReleaseProject } from "../support/project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

describe("tag releases (prod mode)", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let ns: string;
  let v020: OutputMap;
  let v021: OutputMap;

  const registryDigests = async (tag: string): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(await Promise.all(IMAGES.map(async (i) => [i, (await p.registry.getManifest(`${proj.id}/splai-${i}`, tag))?.digest] as const)));
  const helmRevision = async (): Promise<{ revision: number; status: string; chartVersion: string }> => {
    const r = await p.kube(`/api/v1/namespaces/${ns}/secrets?labelSelector=owner%3Dhelm,name%3Dsplai,status%3Ddeployed`);
    const items = r.json.items as { metadata: { labels: Record<string, string> } }[];
    assert.equal(items.length, 1, "one deployed revision");
    const rel = await p.kube(`/apis/apps/v1/namespaces/${ns}/deployments/splai-splai-api-gateway`);
    const labels = (rel.json.metadata as { labels: Record<string, string> }).labels;
    return { revision: Number(items[0].metadata.labels.version), status: items[0].metadata.labels.status, chartVersion: labels["helm.sh/chart"] ?? "" };
  };

  before(async () => {
    p = platform();
    proj = await releaseProject(p, { config: { "splai-release:mode": { value: "auto" }, "splai-release:githubRelease": { value: "auto" } } });
    ns = `splai-${proj.id}`;
  });
  after(async () => {
    await proj?.cleanup();
  });

  it("v0.2.0 releases X.Y.Z tags, chart X.Y.Z and a GitHub release", async () => {
    proj.git("tag", "v0.2.0");
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    v020 = up.outputs;
    assert.deepEqual((v020.versions.value as { imageTags: string[] }).imageTags, ["0.2.0"]);
    assert.equal((v020.versions.value as { chart: string }).chart, "0.2.0");
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value);
    assert.equal((await p.registry.getManifest(`${proj.id}/charts/splai`, "0.2.0"))?.digest, v020.chartDigest.value);
    assert.equal((await helmRevision()).revision, 1);
    const rel = (await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)).json()) as {
      prerelease: boolean;
      name: string;
    };
    assert.equal(rel.prerelease, false);
    assert.equal(rel.name, "SPLAI 0.2.0");
  });

  it("v0.2.1 releases new tags and chart, and the Helm revision goes up", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(file, readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner 0.2.1 store=%s"'));
    proj.git("commit", "-qam", "planner change");
    proj.git("tag", "v0.2.1");
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    v021 = up.outputs;
    assert.equal((v021.versions.value as { chart: string }).chart, "0.2.1");
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value);
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value, "0.2.0 untouched");
    const h = await helmRevision();
    assert.equal(h.revision, 2);
    assert.equal(h.chartVersion, "splai-0.2.1");
    assert.equal((await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest, v021.chartDigest.value);
  });

  it("v0.2.0 again with different content is refused and nothing released changes", async () => {
    const releaseBefore = await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)).text();
    await proj.stack.setConfig("splai-release:ref", { value: "v0.2.0" });
    await assert.rejects(proj.stack.up(), /already released .* from other content; released tags are immutable/);
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value, "0.2.0 images unchanged");
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value, "0.2.1 images unchanged");
    assert.equal((await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest, v021.chartDigest.value, "chart alias unchanged");
    const h = await helmRevision();
    assert.deepEqual([h.revision, h.chartVersion], [2, "splai-0.2.1"], "deployment unchanged");
    assert.equal(
      await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)).text(),
      releaseBefore,
      "GitHub release unchanged",
    );
    await proj.stack.removeConfig("splai-release:ref");
  });

  it("destroy removes the Helm release, the namespace and the GitHub release; registry artifacts stay", async () => {
    await proj.stack.refresh();
    const down = await proj.stack.destroy({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(down.summary.result, "succeeded");
    await eventually("namespace gone", async () => ((await p.kube(`/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined));
    assert.equal((await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.1`)).status, 404);
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value, "released images stay");
    assert.ok(await p.registry.getManifest(`${proj.id}/charts/splai`, "0.2.1"), "released chart stays");
  });
});
