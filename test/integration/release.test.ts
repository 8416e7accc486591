// End to end: a real release of the SPLAI-shaped fixture through the real engine, verified artifact by artifact.
import type { OutputMap, UpResult } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { SPLAI_MAINS } from "../../lib/layout";
import { binaryKind, extractFromImage, platformImages } from "../support/artifacts";
import { eventually, platform, type Platform } from "../support/platform";
import { releaseProject, type ReleaseProject } from "../support/project";

const sha256 = (f: string): string => createHash("sha256").update(readFileSync(f)).digest("hex");
const TARGETS = ["linux-amd64", "linux-arm64", "darwin-arm64"];
const DECLARES_VERSION = ["splaictl", "splai-api-gateway", "splai-worker"];

interface Versions {
  app: string;
  chart: string;
  imageTags: string[];
}

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
    const files = readdirSync(proj.dist).filter((f) => f !== "SHA256SUMS");
    assert.equal(files.length, 18, files.join(" "));
    for (const m of SPLAI_MAINS) {
      for (const t of TARGETS) {
        const f = join(proj.dist, `${m.binary}-${t}`);
        const [os, arch] = t.split("-");
        assert.deepEqual(binaryKind(f), { os, arch }, f);
        const embedded = readFileSync(f).includes(Buffer.from(`0.0.0-main-${sha7}`));
        assert.equal(embedded, DECLARES_VERSION.includes(m.binary), `${m.binary}: version embedded only where main.version is declared`);
      }
    }
    execFileSync("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: proj.dist });
    assert.equal(readFileSync(join(proj.dist, "SHA256SUMS"), "utf8"), out.binaryChecksums.value);
  });

  it("pushed five two-platform image indexes whose digests match the outputs", async () => {
    const digests = out.imageDigests.value as Record<string, string>;
    assert.deepEqual(Object.keys(digests).sort(), ["api-gateway", "operator", "planner", "scheduler", "worker-agent"]);
    for (const [name, digest] of Object.entries(digests)) {
      const repo = `${proj.id}/splai-${name}`;
      for (const tag of [`sha-${sha7}`, "latest"]) {
        assert.equal((await p.registry.getManifest(repo, tag))?.digest, digest, `${repo}:${tag}`);
      }
      const images = await platformImages(p.registry, repo, digest);
      assert.deepEqual(
        images.map((i) => i.arch),
        ["amd64", "arm64"],
      );
      for (const i of images) {
        assert.equal(i.config.architecture, i.arch);
        assert.equal(i.config.os, "linux");
        assert.equal(i.config.config?.User, "65532:65532");
        assert.equal(i.config.config?.Labels?.["org.opencontainers.image.version"], `0.0.0-main-${sha7}`);
      }
    }
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
    const v = out.versions.value as Versions;
    const repo = `${proj.id}/charts/splai`;
    const versioned = await p.registry.getManifest(repo, v.chart);
    const latest = await p.registry.getManifest(repo, "latest");
    assert.ok(versioned && latest);
    assert.equal(versioned.digest, out.chartDigest.value);
    assert.equal(latest.digest, versioned.digest);
    assert.equal(out.chartRef.value, `oci://${p.state.registry.address}/${repo}:${v.chart}`);
  });

  it("deployed Helm release splai with digest-pinned images and Ready workloads", async () => {
    assert.equal(out.releaseStatus.value, "deployed");
    const ns = `splai-${proj.id}`;
    const digests = out.imageDigests.value as Record<string, string>;
    for (const [workload, image] of [
      ["deployments/splai-splai-api-gateway", "api-gateway"],
      ["deployments/splai-splai-scheduler", "scheduler"],
      ["deployments/splai-splai-planner", "planner"],
      ["daemonsets/splai-splai-worker", "worker-agent"],
    ]) {
      const obj = await eventually(`${workload} ready`, async () => {
        const r = await p.kube(`/apis/apps/v1/namespaces/${ns}/${workload}`);
        const st = r.json.status as { readyReplicas?: number; replicas?: number; numberReady?: number; desiredNumberScheduled?: number } | undefined;
        const ready = workload.startsWith("daemonsets")
          ? (st?.numberReady ?? 0) > 0 && st?.numberReady === st?.desiredNumberScheduled
          : (st?.readyReplicas ?? 0) >= 1;
        return ready ? r.json : undefined;
      });
      const containers = (obj.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers;
      assert.equal(containers[0].image, `${p.state.registry.address}/${proj.id}/splai-${image}:sha-${sha7}@${digests[image]}`);
    }
    const secrets = await p.kube(`/api/v1/namespaces/${ns}/secrets?labelSelector=owner%3Dhelm,name%3Dsplai`);
    const items = (secrets.json.items as { metadata: { labels: Record<string, string> } }[]).map((i) => i.metadata.labels);
    assert.ok(
      items.some((l) => l.status === "deployed"),
      JSON.stringify(items),
    );
  });

  it("the GitHub release names every image and the install command, and its assets match", async () => {
    const v = out.versions.value as Versions;
    const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v${v.app}`);
    assert.equal(r.status, 200);
    const rel = (await r.json()) as { body: string; prerelease: boolean; id: number };
    assert.equal(rel.prerelease, true);
    for (const ref of Object.values(out.imageRefs.value as Record<string, string>)) assert.ok(rel.body.includes(ref), ref);
    assert.ok(rel.body.includes(out.installCommand.value as string));
    const assets = (await (await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/${rel.id}/assets?per_page=100`)).json()) as {
      name: string;
      browser_download_url: string;
    }[];
    assert.equal(assets.length, 19);
    for (const a of assets) {
      const bytes = Buffer.from(await (await fetch(a.browser_download_url)).arrayBuffer());
      assert.equal(createHash("sha256").update(bytes).digest("hex"), sha256(join(proj.dist, a.name)), a.name);
    }
  });

  it("a second up changes nothing and builds nothing", async () => {
    const mtimes = readdirSync(proj.dist).map((f) => statSync(join(proj.dist, f)).mtimeMs);
    const second = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(second.summary.result, "succeeded");
    const changes = Object.entries(second.summary.resourceChanges ?? {}).filter(([k]) => k !== "same");
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
    assert.equal((await p.registry.getManifest(`${proj.id}/splai-planner`, `sha-${sha7}`))?.digest, before.planner, "preview pushed no image");
    for (const t of TARGETS) assert.match(changed, new RegExp(`binaries-splai-planner-${t}`), `preview shows planner ${t}`);
    for (const other of ["api-gateway", "scheduler", "operator", "worker"]) {
      assert.doesNotMatch(changed, new RegExp(`[~+-]+ .*binaries-splai-${other}-`), `preview leaves ${other} binaries alone`);
    }
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    const after = up.outputs.imageDigests.value as Record<string, string>;
    assert.notEqual(after.planner, before.planner, "planner image rebuilt");
    for (const k of ["api-gateway", "scheduler", "operator", "worker-agent"]) assert.equal(after[k], before[k], `${k} image unchanged`);
    out = up.outputs;
  });
});
