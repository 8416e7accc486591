// What every real release must show, artifact by artifact: shared by the fixture's and SPLAI's real tree's release tests.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SPLAI_MAINS } from "../../shared/layout";
import { binaryKind, platformImages } from "./artifacts";
import { eventually } from "./eventually";
import type { Platform } from "../../tools/lib/platform-client";
import type { ReleaseProject } from "../../tools/lib/release-project";

export const TARGETS = ["linux-amd64", "linux-arm64", "darwin-arm64"];
export const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

export const sha256 = (f: string): string => createHash("sha256").update(readFileSync(f)).digest("hex");

export interface Versions {
  app: string;
  chart: string;
  imageTags: string[];
}

/** 18 binaries with the right headers, `main.version` embedded exactly where a main declares it, and SHA256SUMS verifies. */
export function assertBinaries(proj: ReleaseProject, out: OutputMap, declaresVersion: readonly string[]): void {
  const v = out.versions.value as Versions;
  const files = readdirSync(proj.dist).filter((f) => f !== "SHA256SUMS");
  assert.equal(files.length, 18, files.join(" "));
  for (const m of SPLAI_MAINS) {
    for (const t of TARGETS) {
      const f = join(proj.dist, `${m.binary}-${t}`);
      const [os, arch] = t.split("-");
      assert.deepEqual(binaryKind(f), { os, arch }, f);
      const embedded = readFileSync(f).includes(Buffer.from(v.app));
      assert.equal(
        embedded,
        declaresVersion.includes(m.binary),
        `${m.binary}: version embedded only where main.version is declared`,
      );
    }
  }
  execFileSync("sha256sum", ["--check", "--strict", "SHA256SUMS"], { cwd: proj.dist });
  assert.equal(readFileSync(join(proj.dist, "SHA256SUMS"), "utf8"), out.binaryChecksums.value);
}

/** Five two-platform image indexes under every tag, whose digests are the outputs, with the release's labels. */
export async function assertImages(p: Platform, proj: ReleaseProject, out: OutputMap): Promise<void> {
  const v = out.versions.value as Versions;
  const digests = out.imageDigests.value as Record<string, string>;
  assert.deepEqual(Object.keys(digests).sort(), IMAGES);
  for (const [name, digest] of Object.entries(digests)) {
    const repo = `${proj.id}/splai-${name}`;
    for (const tag of v.imageTags)
      assert.equal((await p.registry.getManifest(repo, tag))?.digest, digest, `${repo}:${tag}`);
    const images = await platformImages(p.registry, repo, digest);
    assert.deepEqual(
      images.map((i) => i.arch),
      ["amd64", "arm64"],
    );
    for (const i of images) {
      assert.equal(i.config.architecture, i.arch);
      assert.equal(i.config.os, "linux");
      assert.equal(i.config.config?.User, "65532:65532");
      assert.equal(i.config.config?.Labels?.["org.opencontainers.image.version"], v.app);
    }
  }
}

/** The chart at its version, with `latest` on the same digest. */
export async function assertChart(p: Platform, proj: ReleaseProject, out: OutputMap): Promise<void> {
  const v = out.versions.value as Versions;
  const repo = `${proj.id}/charts/splai`;
  const versioned = await p.registry.getManifest(repo, v.chart);
  const latest = await p.registry.getManifest(repo, "latest");
  assert.ok(versioned && latest);
  assert.equal(versioned.digest, out.chartDigest.value);
  assert.equal(latest.digest, versioned.digest);
  assert.equal(out.chartRef.value, `oci://${p.state.registry.address}/${repo}:${v.chart}`);
}

/** The Helm release deployed, its workloads Ready, each running its image pinned `<immutable tag>@<digest>`. */
export async function assertDeployment(
  p: Platform,
  proj: ReleaseProject,
  out: OutputMap,
  namespace: string,
  release = "splai",
): Promise<void> {
  assert.equal(out.releaseStatus.value, "deployed");
  const v = out.versions.value as Versions;
  const digests = out.imageDigests.value as Record<string, string>;
  const tag = v.imageTags[0];
  for (const [workload, image] of [
    [`deployments/${release}-splai-api-gateway`, "api-gateway"],
    [`deployments/${release}-splai-scheduler`, "scheduler"],
    [`deployments/${release}-splai-planner`, "planner"],
    [`daemonsets/${release}-splai-worker`, "worker-agent"],
  ]) {
    const obj = await eventually(`${workload} ready`, async () => {
      const r = await p.kube(`/apis/apps/v1/namespaces/${namespace}/${workload}`);
      const st = r.json.status as
        | { readyReplicas?: number; replicas?: number; numberReady?: number; desiredNumberScheduled?: number }
        | undefined;
      const ready = workload.startsWith("daemonsets")
        ? (st?.numberReady ?? 0) > 0 && st?.numberReady === st?.desiredNumberScheduled
        : (st?.readyReplicas ?? 0) >= 1;
      return ready ? r.json : undefined;
    });
    const containers = (obj.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec
      .containers;
    assert.equal(containers[0].image, `${p.state.registry.address}/${proj.id}/splai-${image}:${tag}@${digests[image]}`);
  }
  const secrets = await p.kube(`/api/v1/namespaces/${namespace}/secrets?labelSelector=owner%3Dhelm,name%3D${release}`);
  const items = (secrets.json.items as { metadata: { labels: Record<string, string> } }[]).map(
    (i) => i.metadata.labels,
  );
  assert.ok(
    items.some((l) => l.status === "deployed"),
    JSON.stringify(items),
  );
}

/** The verification found the release's workloads and passed (fake nodes: rollout and images checked, HTTP skipped). */
export function assertVerified(out: OutputMap): void {
  const result = out.verification.value as { status: string; checks: string[] };
  assert.ok(["passed", "skipped"].includes(result.status), JSON.stringify(result));
  const rollout = result.checks.find((c) => c.startsWith("ok   rollout: ")) ?? "";
  for (const w of [
    "Deployment splai-splai-api-gateway",
    "Deployment splai-splai-planner",
    "Deployment splai-splai-scheduler",
    "DaemonSet splai-splai-worker",
  ])
    assert.ok(rollout.includes(w), `${w} in: ${result.checks.join("\n")}`);
  assert.ok(
    result.checks.some((c) => /^ok {3}\d+ pod\(s\) run the released images by digest/.test(c)),
    result.checks.join("\n"),
  );
}

/** The GitHub release names every image and the install command, and its 19 assets are the released files. */
export async function assertGithubRelease(
  p: Platform,
  proj: ReleaseProject,
  out: OutputMap,
  prerelease: boolean,
): Promise<void> {
  const v = out.versions.value as Versions;
  const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v${v.app}`);
  assert.equal(r.status, 200);
  const rel = (await r.json()) as { body: string; prerelease: boolean; id: number };
  assert.equal(rel.prerelease, prerelease);
  for (const ref of Object.values(out.imageRefs.value as Record<string, string>))
    assert.ok(rel.body.includes(ref), ref);
  assert.ok(rel.body.includes(out.installCommand.value as string));
  const assets = (await (
    await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/${rel.id}/assets?per_page=100`)
  ).json()) as {
    name: string;
    browser_download_url: string;
  }[];
  assert.equal(assets.length, 19);
  for (const a of assets) {
    const bytes = Buffer.from(await (await fetch(a.browser_download_url)).arrayBuffer());
    assert.equal(createHash("sha256").update(bytes).digest("hex"), sha256(join(proj.dist, a.name)), a.name);
  }
}
