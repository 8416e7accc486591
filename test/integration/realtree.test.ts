// SPLAI's real repository (759767f), released by config only: everything the fixture release shows holds for the customer's tree.
import type { OutputMap, UpResult } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { findArchive, REAL_TREE } from "../../tools/lib/archives";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, uniqueId, type ReleaseProject } from "../../tools/lib/release-project";
import {
  assertBinaries,
  assertDownloads,
  assertChart,
  assertDeployment,
  assertGithubRelease,
  assertImages,
  assertVerified,
  IMAGES,
  type Versions,
} from "../support/release-checks";

describe("release of SPLAI's real repository (759767f)", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let unpacked: string;
  let first: UpResult;
  let out: OutputMap;
  let sha7: string;

  before(async () => {
    p = platform();
    unpacked = mkdtempSync(join(tmpdir(), "splai-real-"));
    execFileSync("tar", ["-xzf", findArchive(REAL_TREE), "-C", unpacked, "--strip-components=1"]);
    // Only what a SPLAI user sets: where the tree is, where binaries go, the namespace and the chart's own value keys
    // (third-party parts off, in-memory store; the project's base config), plus where the local registry, cluster
    // and GitHub are.
    proj = await releaseProject(p, { tree: unpacked });
    sha7 = proj.git("rev-parse", "--short=7", "HEAD");
  });
  after(async () => {
    await proj?.cleanup();
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  });

  it("first up releases every artifact", async () => {
    first = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(first.summary.result, "succeeded");
    out = first.outputs;
    const v = out.versions.value as Versions;
    assert.equal(v.app, `0.0.0-main-${sha7}`);
    assert.equal(v.chart, "0.1.0-main.1");
    assert.deepEqual(v.imageTags, [`sha-${sha7}`, "latest"]);
  });

  it("built 18 binaries with the right headers, and SHA256SUMS verifies (no SPLAI main declares main.version)", () => {
    assertBinaries(proj, out, []);
  });

  it("packed an archive per target and deb, rpm and apk of splaictl and the worker; splaictl from the amd64 deb runs", () => {
    assertDownloads(proj, out, false);
  });

  it("pushed five two-platform image indexes whose digests match the outputs", async () => {
    await assertImages(p, proj, out);
  });

  it("published SPLAI's chart at its version with `latest` on the same digest", async () => {
    await assertChart(p, proj, out);
  });

  it("deployed the chart, which sets no app.kubernetes.io labels, and the verification found its workloads", async () => {
    await assertDeployment(p, proj, out, `splai-${proj.id}`);
    assertVerified(out);
    // SPLAI's own database and cache are switched off by the stack's values: no pod of theirs exists.
    const pods = (await p.kube(`/api/v1/namespaces/splai-${proj.id}/pods`)).json.items as {
      spec: { containers: { image: string }[] };
    }[];
    for (const pod of pods)
      for (const c of pod.spec.containers) assert.ok(c.image.startsWith(p.state.registry.address), c.image);
  });

  it("the GitHub release names every image and the install command, and its assets match", async () => {
    await assertGithubRelease(p, proj, out, true);
  });

  it("a second up changes nothing", async () => {
    const second = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(second.summary.result, "succeeded");
    assert.deepEqual(
      Object.entries(second.summary.resourceChanges ?? {}).filter(([k]) => k !== "same" && k !== "read"),
      [],
      "only unchanged resources",
    );
    assert.deepEqual(second.outputs.imageDigests.value, out.imageDigests.value);
  });

  it("another stack releasing into the same namespace under the same release name is refused before anything is pushed", async () => {
    const other = uniqueId("other");
    const st = await proj.addStack(`${proj.id}-${other}`, { "splai-release:owner": { value: other } });
    const chartBefore = await p.registry.getManifest(`${proj.id}/charts/splai`, "latest");
    const err = await st.up({ onOutput: (s) => process.stderr.write(s) }).then(
      () => undefined,
      (e: unknown) => String(e instanceof Error ? e.message : e),
    );
    assert.ok(err, "the up was refused");
    assert.match(
      err,
      new RegExp(
        `Helm release 'splai' in namespace 'splai-${proj.id}' already exists \\(chart splai-0\\.1\\.0-main\\.1, revision \\d+, deployed\\)`,
      ),
    );
    assert.match(err, /is not this stack's/);
    assert.match(err, /splai-release:namespace/);
    assert.match(err, /splai-release:releaseName/);
    assert.doesNotMatch(err, /unhandled exception|at .*\.ts:\d+/, "the refusal alone, no stack trace");
    // Nothing was pushed for the other stack's owner, and the chart is as it was.
    for (const image of IMAGES)
      assert.equal(await p.registry.getManifest(`${other}/splai-${image}`, "latest"), undefined, image);
    assert.equal(await p.registry.getManifest(`${other}/charts/splai`, "latest"), undefined);
    assert.equal((await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest, chartBefore?.digest);
    const resources =
      ((await st.exportStack()).deployment as { resources?: { type: string; urn: string }[] }).resources ?? [];
    assert.deepEqual(
      resources.filter((r) => !r.type.startsWith("pulumi:")).map((r) => r.urn),
      [],
      "the refused stack registered no resource",
    );
  });
});
