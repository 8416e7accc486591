// End to end: a real release of the SPLAI-shaped fixture through the real engine, verified artifact by artifact.
import type { OutputMap, UpResult } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { extractFromImage, platformImages } from "../support/artifacts";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";
import {
  assertBinaries,
  assertDownloads,
  assertChart,
  assertDeployment,
  assertGithubRelease,
  assertImages,
  assertVerified,
  sha256,
  TARGETS,
  type Versions,
} from "../support/release-checks";

const DECLARES_VERSION = ["splaictl", "splai-api-gateway", "splai-worker"];

describe("release of the fixture tree (branch build)", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let first: UpResult;
  let out: OutputMap;
  let sha7: string;

  before(async () => {
    p = platform();
    proj = await releaseProject(p);
    sha7 = proj.git("rev-parse", "--short=7", "HEAD");
  });
  after(async () => {
    await proj?.cleanup();
  });

  it("first up releases every artifact", async () => {
    first = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(first.summary.result, "succeeded");
    out = first.outputs;
    const v = out.versions.value as Versions;
    assert.equal(v.app, `0.0.0-main-${sha7}`);
    assert.match(v.chart, /^0\.1\.0-main\.1$/);
    assert.deepEqual(v.imageTags, [`sha-${sha7}`, "latest"]);
  });

  it("built 18 binaries with the right headers and versions, and SHA256SUMS verifies", () => {
    assertBinaries(proj, out, DECLARES_VERSION);
  });

  it("packed an archive per target and deb, rpm and apk of splaictl and the worker; splaictl from the amd64 deb prints the release version", () => {
    assertDownloads(proj, out, true);
  });

  it("pushed five two-platform image indexes whose digests match the outputs", async () => {
    await assertImages(p, proj, out);
  });

  it("the amd64 binary pulled out of its image runs", async () => {
    const digest = (out.imageDigests.value as Record<string, string>)["api-gateway"];
    const repo = `${proj.id}/splai-api-gateway`;
    const amd64 = (await platformImages(p.registry, repo, digest)).find((i) => i.arch === "amd64")!;
    const file = await extractFromImage(p.registry, repo, amd64, "/ko-app/splai-api-gateway");
    chmodSync(file, 0o755);
    assert.equal(sha256(file), sha256(join(proj.dist, "splai-api-gateway-linux-amd64")));
    const printed = execFileSync(file, ["--version"], { encoding: "utf8", timeout: 10_000 });
    assert.match(printed, new RegExp(`0\\.0\\.0-main-${sha7}`));
  });

  it("published the chart at its version with `latest` on the same digest", async () => {
    await assertChart(p, proj, out);
  });

  it("deployed Helm release splai with digest-pinned images and Ready workloads, and verified it", async () => {
    await assertDeployment(p, proj, out, `splai-${proj.id}`);
    assertVerified(out);
  });

  it("the GitHub release names every image and the install command, and its assets match", async () => {
    await assertGithubRelease(p, proj, out, true);
  });

  it("a second up changes nothing and builds nothing", async () => {
    const mtimes = readdirSync(proj.dist).map((f) => statSync(join(proj.dist, f)).mtimeMs);
    const second = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(second.summary.result, "succeeded");
    const changes = Object.entries(second.summary.resourceChanges ?? {}).filter(([k]) => k !== "same" && k !== "read");
    assert.deepEqual(changes, [], "only unchanged resources");
    assert.deepEqual(
      readdirSync(proj.dist).map((f) => statSync(join(proj.dist, f)).mtimeMs),
      mtimes,
      "no binary was rewritten",
    );
    assert.deepEqual(second.outputs.imageDigests.value, out.imageDigests.value);
  });

  it("changing one service rebuilds only its binaries and image, shown by preview --diff first", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(file, readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner store=%s"'));
    const before = out.imageDigests.value as Record<string, string>;
    const mtimes = readdirSync(proj.dist).map((f) => statSync(join(proj.dist, f)).mtimeMs);
    const preview = await proj.stack.preview({ diff: true });
    const changed = preview.stdout;
    // Preview builds and pushes nothing.
    assert.deepEqual(
      readdirSync(proj.dist).map((f) => statSync(join(proj.dist, f)).mtimeMs),
      mtimes,
      "preview wrote no binary",
    );
    assert.equal(
      (await p.registry.getManifest(`${proj.id}/splai-planner`, `sha-${sha7}`))?.digest,
      before.planner,
      "preview pushed no image",
    );
    for (const t of TARGETS)
      assert.match(changed, new RegExp(`binaries-splai-planner-${t}`), `preview shows planner ${t}`);
    for (const other of ["api-gateway", "scheduler", "operator", "worker"]) {
      assert.doesNotMatch(
        changed,
        new RegExp(`[~+-]+ .*binaries-splai-${other}-`),
        `preview leaves ${other} binaries alone`,
      );
    }
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    const after = up.outputs.imageDigests.value as Record<string, string>;
    assert.notEqual(after.planner, before.planner, "planner image rebuilt");
    for (const k of ["api-gateway", "scheduler", "operator", "worker-agent"])
      assert.equal(after[k], before[k], `${k} image unchanged`);
    out = up.outputs;
  });
});
