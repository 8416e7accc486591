// What every real release must show, artifact by artifact: shared by the fixture's and SPLAI's real tree's release tests.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
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

/**
 * 18 binaries with the right headers, `main.version` embedded exactly where a main declares it; SHA256SUMS verifies and
 * lists every binary with the checksum the stack reports (besides the archives and packages, see assertDownloads).
 */
export function assertBinaries(proj: ReleaseProject, out: OutputMap, declaresVersion: readonly string[]): void {
  const v = out.versions.value as Versions;
  const expected = SPLAI_MAINS.flatMap((m) => TARGETS.map((t) => `${m.binary}-${t}`)).sort();
  const binaries = readdirSync(proj.dist).filter((f) => TARGETS.some((t) => f.endsWith(`-${t}`)));
  assert.deepEqual(binaries.sort(), expected);
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
  const sums = readFileSync(join(proj.dist, "SHA256SUMS"), "utf8");
  const binaryLines = (out.binaryChecksums.value as string).trim().split("\n");
  assert.equal(binaryLines.length, 18);
  for (const line of binaryLines) assert.ok(sums.split("\n").includes(line), `SHA256SUMS lists ${line}`);
  assert.equal(sums, out.releaseChecksums.value, "dist/SHA256SUMS is the release's checksums output");
}

/** A file's listing in a tar.gz. */
const tarList = (f: string): string[] => execFileSync("tar", ["-tzf", f], { encoding: "utf8" }).trim().split("\n");

/**
 * What users download: one archive per target with the six binaries and the tree's LICENSE and README.md; deb, rpm and apk of
 * splaictl and splai-worker for each linux target, each read by its own tool and naming the release's version; the
 * deb's splaictl runs and prints it where splaictl declares main.version; SHA256SUMS covers all of it.
 */
export function assertDownloads(proj: ReleaseProject, out: OutputMap, splaictlPrintsVersion: boolean): void {
  const v = out.versions.value as Versions;
  const listed = new Map((out.downloads.value as string[]).map((l) => l.split(" sha256:") as [string, string]));
  const sums = new Map(
    (out.releaseChecksums.value as string)
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/).reverse() as [string, string]),
  );
  for (const [name, sum] of listed) {
    assert.equal(sha256(join(proj.dist, name)), sum, name);
    assert.equal(sums.get(name), sum, `SHA256SUMS lists ${name}`);
  }
  const archives = [...listed.keys()].filter((n) => n.endsWith(".tar.gz") && n.startsWith("splai_"));
  assert.deepEqual(archives.sort(), TARGETS.map((t) => `splai_${v.app}_${t.replace("-", "_")}.tar.gz`).sort());
  // The tree's LICENSE and README.md, those it has (SPLAI's tree at 759767f has no LICENSE).
  const docs = ["LICENSE", "README.md"].filter((f) => existsSync(join(proj.source, f)));
  for (const a of archives)
    assert.deepEqual(tarList(join(proj.dist, a)).sort(), [...SPLAI_MAINS.map((m) => m.binary), ...docs].sort(), a);
  for (const pkg of ["splaictl", "splai-worker"]) {
    for (const arch of ["amd64", "arm64"]) {
      const deb = join(proj.dist, `${pkg}_${v.app}_${arch}.deb`);
      const info = execFileSync("dpkg-deb", ["--field", deb, "Package", "Version", "Architecture"], {
        encoding: "utf8",
      });
      // Debian spells a prerelease's `-` as `~` (sorts before the release), as nfpm writes it.
      const debVersion = v.app.replace("-", "~").replace(/[.+~]/g, "\\$&");
      assert.match(info, new RegExp(`Package: ${pkg}\\nVersion: ${debVersion}\\n`), deb);
      assert.match(info, new RegExp(`Architecture: ${arch}`), deb);
      const rpmArch = arch === "amd64" ? "x86_64" : "aarch64";
      const rpm = join(proj.dist, `${pkg}-${v.app}.${rpmArch}.rpm`);
      const q = execFileSync("rpm", ["-qp", "--queryformat", "%{NAME} %{ARCH} %{VERSION}-%{RELEASE}\n", rpm], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      });
      assert.match(q, new RegExp(`^${pkg} ${rpmArch} `), rpm);
      const apk = join(proj.dist, `${pkg}_${v.app}_${rpmArch}.apk`);
      const apkFiles = tarList(apk);
      assert.ok(apkFiles.includes(".PKGINFO") && apkFiles.includes(`usr/bin/${pkg}`), `${apk}: ${apkFiles.join(" ")}`);
      for (const f of [deb, rpm, apk]) assert.ok(listed.has(basename(f)), `${basename(f)} is a download`);
    }
  }
  // The worker's packages carry its systemd unit.
  const workerDeb = join(proj.dist, `splai-worker_${v.app}_amd64.deb`);
  assert.match(
    execFileSync("dpkg-deb", ["--contents", workerDeb], { encoding: "utf8" }),
    /lib\/systemd\/system\/splai-worker\.service/,
  );
  // The amd64 deb's splaictl runs.
  const root = mkdtempSync(join(tmpdir(), "splaictl-deb-"));
  try {
    execFileSync("dpkg-deb", ["-x", join(proj.dist, `splaictl_${v.app}_amd64.deb`), root]);
    const splaictl = join(root, "usr/bin/splaictl");
    if (splaictlPrintsVersion) {
      const printed = execFileSync(splaictl, ["--version"], { encoding: "utf8" });
      assert.match(printed, new RegExp(v.app.replace(/[.+]/g, "\\$&")));
    } else {
      // SPLAI's real splaictl (759767f) has no --version: run a command it has and read its result.
      const token = execFileSync(splaictl, ["worker", "token", "create", "--length", "16"], { encoding: "utf8" });
      assert.match(
        token.trim(),
        /^[A-Za-z0-9_-]{22}$/,
        `splaictl worker token create printed ${JSON.stringify(token)}`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
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

/**
 * The GitHub release is published, names every image and the install command, and its assets are exactly the released
 * files (binaries, archives, packages, SHA256SUMS), byte for byte.
 */
export async function assertGithubRelease(
  p: Platform,
  proj: ReleaseProject,
  out: OutputMap,
  prerelease: boolean,
): Promise<void> {
  const v = out.versions.value as Versions;
  const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v${v.app}`);
  assert.equal(r.status, 200);
  const rel = (await r.json()) as { body: string; prerelease: boolean; id: number; draft: boolean };
  assert.equal(rel.prerelease, prerelease);
  assert.equal(rel.draft, false, "published");
  for (const ref of Object.values(out.imageRefs.value as Record<string, string>))
    assert.ok(rel.body.includes(ref), ref);
  assert.ok(rel.body.includes(out.installCommand.value as string));
  const assets = (await (
    await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/${rel.id}/assets?per_page=100`)
  ).json()) as {
    name: string;
    browser_download_url: string;
  }[];
  const released = [
    ...(out.releaseChecksums.value as string)
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[1]),
    "SHA256SUMS",
  ].sort();
  assert.deepEqual(assets.map((a) => a.name).sort(), released);
  assert.deepEqual((out.releaseAssets.value as string[]).map((l) => l.split(" ")[0]).sort(), released);
  for (const a of assets) {
    const bytes = Buffer.from(await (await fetch(a.browser_download_url)).arrayBuffer());
    assert.equal(createHash("sha256").update(bytes).digest("hex"), sha256(join(proj.dist, a.name)), a.name);
  }
}
