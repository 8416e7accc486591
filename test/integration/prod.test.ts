// Tag releases end to end: v0.2.0, v0.2.1, notes updated in place, refused rollback and re-release, explicit rollback, failed rollout, destroy.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { eventually } from "../support/eventually";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

describe("tag releases (prod mode)", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let ns: string;
  let v020: OutputMap;
  let v021: OutputMap;

  const registryDigests = async (tag: string): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      await Promise.all(
        IMAGES.map(async (i) => [i, (await p.registry.getManifest(`${proj.id}/splai-${i}`, tag))?.digest] as const),
      ),
    );
  /** The deployed Helm revision, its status and chart (`splai-<version>`), from Helm's own record of the release. */
  const helmRevision = async (): Promise<{ revision: number; status: string; chartVersion: string }> => {
    const deployed = await p.helmRelease(ns, "deployed");
    assert.equal(deployed.length, 1, "one deployed revision");
    return {
      revision: deployed[0].version,
      status: deployed[0].info.status,
      chartVersion: `splai-${deployed[0].chart.metadata.version}`,
    };
  };

  /** Puts a NoSchedule taint on every node, or takes it off. */
  const taintNodes = async (on: boolean): Promise<void> => {
    type Node = { metadata: { name: string }; spec: { taints?: { key: string; effect: string }[] } };
    const KEY = "splai-test/unschedulable";
    for (const node of (await p.kube("/api/v1/nodes")).json.items as Node[]) {
      const taints = (node.spec.taints ?? []).filter((t) => t.key !== KEY);
      if (on) taints.push({ key: KEY, effect: "NoSchedule" });
      const put = await p.kube(`/api/v1/nodes/${node.metadata.name}`, "PUT", {
        ...node,
        spec: { ...node.spec, taints },
      });
      assert.equal(put.status, 200, `taint ${node.metadata.name}: ${JSON.stringify(put.json).slice(0, 300)}`);
    }
  };

  const deployedImages = async (): Promise<string[]> => {
    type Workload = { spec: { template: { spec: { containers: { image: string }[] } } } };
    const items: Workload[] = [];
    for (const kind of ["deployments", "daemonsets"])
      items.push(...((await p.kube(`/apis/apps/v1/namespaces/${ns}/${kind}`)).json.items as Workload[]));
    return items.flatMap((d) => d.spec.template.spec.containers.map((c) => c.image));
  };
  const githubRelease = async (tag: string): Promise<{ id: number; body: string }> =>
    (await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/${tag}`)).json()) as {
      id: number;
      body: string;
    };

  before(async () => {
    p = platform();
    proj = await releaseProject(p, {
      config: { "splai-release:mode": { value: "auto" }, "splai-release:githubRelease": { value: "auto" } },
    });
    ns = `splai-${proj.id}`;
    await p.forgetReleases(["v0.2.0", "v0.2.1", "v0.2.2"]);
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
    const rel = (await (
      await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)
    ).json()) as {
      prerelease: boolean;
      name: string;
    };
    assert.equal(rel.prerelease, false);
    assert.equal(rel.name, "SPLAI 0.2.0");
  });

  it("v0.2.1 releases new tags and chart, and the Helm revision goes up", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner 0.2.1 store=%s"'),
    );
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
    const images = await deployedImages();
    assert.equal(images.length, 4);
    for (const img of images)
      assert.match(
        img,
        /:0\.2\.1@sha256:[0-9a-f]{64}$/,
        "prod deploys the immutable tag pinned by digest, never latest",
      );
  });

  it("a changed release note updates the existing GitHub release in place", async () => {
    const before = await githubRelease("v0.2.1");
    await proj.stack.setConfig("splai-release:breakingChanges[0]", { value: "The --legacy-queue flag is gone" }, true);
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    const after = await githubRelease("v0.2.1");
    assert.equal(after.id, before.id, "same release: updated, not deleted and recreated");
    assert.match(after.body, /The --legacy-queue flag is gone/);
    assert.equal((await helmRevision()).revision, 2, "a note change does not redeploy");
  });

  it("v0.2.0 over the running 0.2.1 is refused as a rollback before anything is pushed", async () => {
    await proj.stack.setConfig("splai-release:ref", { value: "v0.2.0" });
    try {
      await assert.rejects(
        proj.stack.up(),
        /runs chart 0\.2\.1 \(revision 2\); 0\.2\.0 is older, so the release was refused before anything was pushed/,
      );
    } finally {
      await proj.stack.removeConfig("splai-release:ref");
    }
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value);
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value);
    assert.deepEqual([(await helmRevision()).revision, (await helmRevision()).chartVersion], [2, "splai-0.2.1"]);
  });

  it("v0.2.0 again with different content is refused and nothing released changes", async () => {
    const releaseBefore = await (
      await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)
    ).text();
    await proj.stack.setConfig("splai-release:ref", { value: "v0.2.0" });
    await proj.stack.setConfig("splai-release:allowRollback", { value: "true" });
    await assert.rejects(proj.stack.up(), /already released .* from other content; released tags are immutable/);
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value, "0.2.0 images unchanged");
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value, "0.2.1 images unchanged");
    assert.equal(
      (await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest,
      v021.chartDigest.value,
      "chart alias unchanged",
    );
    const h = await helmRevision();
    assert.deepEqual([h.revision, h.chartVersion], [2, "splai-0.2.1"], "deployment unchanged");
    assert.equal(
      await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.0`)).text(),
      releaseBefore,
      "GitHub release unchanged",
    );
    await proj.stack.removeConfig("splai-release:ref");
  });

  it("an explicit rollback to v0.2.0 redeploys the released 0.2.0 digests and pushes nothing new", async () => {
    proj.git("checkout", "-q", "v0.2.0");
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(up.outputs.imageDigests.value, v020.imageDigests.value, "the very digests released as 0.2.0");
    assert.deepEqual(await registryDigests("0.2.0"), v020.imageDigests.value);
    const h = await helmRevision();
    assert.deepEqual([h.revision, h.chartVersion], [3, "splai-0.2.0"]);
    for (const img of await deployedImages()) assert.match(img, /:0\.2\.0@sha256:/);
    assert.equal(
      (await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest,
      v021.chartDigest.value,
      "latest stays on the newest chart",
    );
    await proj.stack.removeConfig("splai-release:allowRollback");
    proj.git("checkout", "-q", "main");
  });

  it("a v0.2.2 whose workloads never become Ready is rolled back by Helm (atomic) and not announced", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('log.Printf("planner 0.2.1 store=%s"', 'log.Printf("planner 0.2.2 store=%s"'),
    );
    proj.git("commit", "-qam", "planner 0.2.2");
    proj.git("tag", "v0.2.2");
    // Every node tainted behind the program's back: the upgrade's new pods stay Pending, so it never becomes Ready.
    await taintNodes(true);
    await proj.stack.setConfig("splai-release:helmTimeout", { value: "25" });
    try {
      await assert.rejects(
        proj.stack.up({ onOutput: (s) => process.stderr.write(s) }),
        /has been rolled back due to atomic being set|rolled back/,
      );
    } finally {
      await taintNodes(false);
      await proj.stack.setConfig("splai-release:helmTimeout", { value: "180" });
    }
    const h = await helmRevision();
    assert.equal(h.chartVersion, "splai-0.2.0", "the previous release runs again");
    assert.ok(h.revision > 3, "Helm recorded the failed upgrade and the rollback");
    for (const img of await deployedImages()) assert.match(img, /:0\.2\.0@sha256:/, "the previous digests still run");
    assert.equal(
      (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.2`)).status,
      404,
      "no GitHub release for a failed rollout",
    );
  });

  it("destroy removes the Helm release and the namespace; registry artifacts and published GitHub releases stay", async () => {
    await proj.stack.refresh();
    const down = await proj.stack.destroy({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(down.summary.result, "succeeded");
    await eventually("namespace gone", async () =>
      (await p.kube(`/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined,
    );
    assert.equal(
      (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.2.1`)).status,
      200,
      "published releases stay",
    );
    assert.deepEqual(await registryDigests("0.2.1"), v021.imageDigests.value, "released images stay");
    assert.ok(await p.registry.getManifest(`${proj.id}/charts/splai`, "0.2.1"), "released chart stays");
  });
});
