// Build once, promote: a dev build of a commit, then prod releases its tag with promoteFrom — same digests, same binaries, nothing built; another commit is refused.
import type { OutputMap, Stack } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { previewPlan } from "../../tools/plan/engine";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

interface StateResource {
  urn: string;
  type: string;
  inputs?: Record<string, unknown>;
}

describe("promotion from dev to prod (build once)", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let prod: Stack;
  let prodOwner: string;
  let prodNs: string;
  let prodDist: string;
  let devStackName: string;
  let dev: OutputMap;
  let released: OutputMap;
  const log = (s: string): boolean => process.stderr.write(s);
  const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");
  const resources = async (st: Stack): Promise<StateResource[]> =>
    ((await st.exportStack()).deployment as { resources: StateResource[] }).resources;
  const prodDigests = async (tag: string): Promise<Record<string, string | undefined>> =>
    Object.fromEntries(
      await Promise.all(
        IMAGES.map(async (i) => [i, (await p.registry.getManifest(`${prodOwner}/splai-${i}`, tag))?.digest] as const),
      ),
    );
  const githubRelease = async (tag: string): Promise<Response> =>
    p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/${tag}`);

  before(async () => {
    p = platform();
    // dev: a branch build, neither deployed nor announced here (its images and binaries are what prod promotes).
    proj = await releaseProject(p, {
      config: { "splai-release:githubRelease": { value: "false" }, "splai-release:deploy": { value: "false" } },
    });
    await p.forgetReleases(["v0.3.0", "v0.3.1"]);
    devStackName = `organization/splai-release/${proj.id}`;
    prodOwner = `${proj.id}p`;
    prodNs = `splai-${proj.id}p`;
    prodDist = join(proj.dir, "dist-prod", "release");
    prod = await proj.addStack(`${proj.id}p`, {
      "splai-release:mode": { value: "tag" },
      "splai-release:promoteFrom": { value: devStackName },
      // Another registry namespace than dev's: the promotion crosses repositories.
      "splai-release:owner": { value: prodOwner },
      "splai-release:namespace": { value: prodNs },
      "splai-release:distDir": { value: prodDist },
      "splai-release:githubRelease": { value: "auto" },
      // As in CI: dev's binaries arrive as an artifact in another directory than the one dev's outputs name.
      "splai-release:promoteBinariesDir": { value: join(proj.dir, "dev-artifact") },
    });
  });

  after(async () => {
    await proj?.cleanup();
  });

  it("dev builds the commit: binaries, images and the outputs prod promotes from", async () => {
    const up = await proj.stack.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    dev = up.outputs;
    assert.equal((dev.versions.value as { mode: string }).mode, "branch");
    const images = dev.releaseImages.value as Record<string, { repository: string; digest: string }>;
    assert.deepEqual(Object.keys(images).sort(), IMAGES);
    const bins = dev.releaseBinaries.value as { dir: string; files: { name: string; path: string; sha256: string }[] };
    assert.equal(bins.files.length, 18);
    assert.equal(bins.dir, proj.dist);
  });

  it("prod releases the tag of the same commit with dev's very digests and binaries, building nothing", async () => {
    proj.git("tag", "v0.3.0");
    // The CI hand-over: dev's dist directory is gone from where dev wrote it; its files are in the artifact directory.
    renameSync(proj.dist, join(proj.dir, "dev-artifact"));
    // The release plan first (what `npm run plan -- --stack prod` shows a reviewer): the promotion, dev's digests, dev's binaries.
    const { plan } = await previewPlan(prod);
    const started = Date.now();
    const up = await prod.up({ onOutput: log });
    process.stderr.write(`promoting prod up: ${Math.round((Date.now() - started) / 1000)}s\n`);
    assert.equal(up.summary.result, "succeeded");
    released = up.outputs;
    const devDigests = dev.imageDigests.value as Record<string, string>;
    const devSha = (dev.versions.value as { commit: string }).commit;
    const devApp = (dev.versions.value as { app: string }).app;

    // Images: the prod outputs, the registry's 0.3.0 tags and the deployed workloads all carry dev's digests.
    assert.deepEqual(released.imageDigests.value, devDigests, "prod digests are dev's");
    const inRegistry = await prodDigests("0.3.0");
    assert.deepEqual(inRegistry, devDigests, "the registry's 0.3.0 tags resolve to exactly dev's digests");
    process.stderr.write(`digest evidence (image: dev digest == ${prodOwner}/splai-<image>:0.3.0):\n`);
    for (const i of IMAGES) process.stderr.write(`  ${i}: ${devDigests[i]} == ${inRegistry[i]}\n`);
    const devRepo = (i: string): string => `${proj.id}/splai-${i}`;
    const sha7 = devSha.slice(0, 7);
    for (const i of IMAGES)
      assert.equal(
        (await p.registry.getManifest(devRepo(i), `sha-${sha7}`))?.digest,
        devDigests[i],
        `dev's ${i} tag unchanged`,
      );
    assert.deepEqual(released.promotedFrom.value, {
      stack: devStackName,
      version: devApp,
      sha: devSha,
      digests: devDigests,
    });
    const helm = await p.helmRelease(prodNs, "deployed");
    assert.equal(helm.length, 1);
    assert.equal(helm[0].chart.metadata.version, "0.3.0", "the chart is packaged with the prod version");
    const values = helm[0].config as Record<string, { image?: { tag?: string } }>;
    assert.equal(values.planner.image?.tag, `0.3.0@${devDigests.planner}`);

    // The plan said exactly this: the promotion, each image's dev digest under 0.3.0, the 18 binaries copied, the creates.
    assert.deepEqual(plan.promotedFrom, { stack: devStackName, version: devApp, sha: devSha });
    assert.deepEqual(
      Object.fromEntries(plan.images.map((i) => [i.name, i.digest])),
      devDigests,
      "the plan's image digests are dev's",
    );
    for (const i of plan.images) {
      assert.deepEqual(i.tags, ["0.3.0"]);
      assert.equal(i.promotedFrom, `${p.state.registry.address}/${devRepo(i.name)}@${devDigests[i.name]}`);
    }
    assert.equal(plan.binaries.length, 18);
    assert.equal(plan.counts.create, up.summary.resourceChanges?.create, "the plan counted the creates the up made");
    assert.equal(plan.chart?.version, "0.3.0");

    // Supply chain: dev's SBOM and provenance referrers were copied byte for byte into the release repositories, where
    // a consumer of prodOwner/splai-<image>:0.3.0 finds them, and the release notes list them.
    const devAtts = dev.imageAttestations.value as Record<
      string,
      { platform: string; manifest: string; attestation: string; sbom: string }[]
    >;
    const prodAtts = released.imageAttestations.value as typeof devAtts;
    for (const i of IMAGES) {
      assert.equal(devAtts[i].length, 2, `dev attested ${i} for both platforms`);
      assert.deepEqual(prodAtts[i], devAtts[i], `${i}: prod lists dev's attestations`);
      for (const a of prodAtts[i]) {
        const listed = await p.registry.referrers(
          `${prodOwner}/splai-${i}`,
          a.manifest,
          "application/vnd.in-toto+json",
        );
        assert.ok(
          listed.some((r) => r.digest === a.attestation),
          `${i} ${a.platform}: ${a.attestation} is a referrer in ${prodOwner}/splai-${i}`,
        );
        assert.ok((await p.registry.getManifest(`${prodOwner}/splai-${i}`, a.attestation)) !== undefined);
      }
    }

    // Nothing built: no docker-build Image, no GoBinaries, no `go build` anywhere in the prod state.
    const state = await resources(prod);
    assert.equal(state.filter((r) => r.type === "docker-build:index:Image").length, 0, "no image built");
    assert.equal(
      state.filter((r) => r.urn.includes("splai:build:")).length,
      0,
      "no build component (GoBinaries, ServiceImages)",
    );
    assert.ok(!JSON.stringify(state.map((r) => r.inputs ?? {})).includes("go build"), "no go build command");
    assert.equal(
      state.filter((r) => r.type === "docker-build:index:Index").length,
      IMAGES.length,
      "one Index per image",
    );
    // Two reads of stacks: dev's outputs (promote-from) and prod's own last record (the release-name pre-flight).
    assert.deepEqual(
      state
        .filter((r) => r.type === "pulumi:pulumi:StackReference")
        .map((r) => r.urn.split("::").pop())
        .sort(),
      ["promote-from", "release-record"],
    );

    // Binaries: prod's binary checksums are dev's, its files hash to them, prod's SHA256SUMS lists them with prod's
    // archives and packages (named by 0.3.0), and the GitHub release carries exactly those files.
    const devSums = dev.binaryChecksums.value as string;
    const want0 = new Set(
      devSums
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/)[1]),
    );
    assert.equal(released.binaryChecksums.value, devSums);
    const prodSums = readFileSync(join(prodDist, "SHA256SUMS"), "utf8");
    assert.equal(prodSums, released.releaseChecksums.value);
    for (const line of devSums.trim().split("\n")) assert.ok(prodSums.split("\n").includes(line), line);
    const released030 = prodSums
      .trim()
      .split("\n")
      .map((l) => l.split(/\s+/)[1])
      .filter((n) => !want0.has(n));
    assert.ok(released030.length > 0 && released030.every((n) => n.includes("0.3.0")), released030.join(" "));
    const want = new Map(
      devSums
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/).reverse() as [string, string]),
    );
    assert.equal(want.size, 18);
    for (const [name, sum] of want) assert.equal(sha256(join(prodDist, name)), sum, name);
    assert.ok(!existsSync(proj.dist), "read from the artifact directory, not from dev's paths");
    const rel = (await (await githubRelease("v0.3.0")).json()) as { id: number; body: string; prerelease: boolean };
    assert.equal(rel.prerelease, false);
    assert.ok(rel.body.includes(`Promoted from \`${devStackName}\` build \`${devApp}\``), rel.body.slice(0, 600));
    for (const a of prodAtts.planner)
      assert.ok(
        rel.body.includes(`${p.state.registry.address}/${prodOwner}/splai-planner@${a.attestation}`),
        "notes list the copied attestation",
      );
    const assets = (await (
      await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/${rel.id}/assets?per_page=100`)
    ).json()) as {
      name: string;
      digest: string;
    }[];
    const all = new Map(
      prodSums
        .trim()
        .split("\n")
        .map((l) => l.split(/\s+/).reverse() as [string, string]),
    );
    assert.deepEqual(assets.map((a) => a.name).sort(), [...all.keys(), "SHA256SUMS"].sort());
    for (const a of assets.filter((x) => x.name !== "SHA256SUMS"))
      assert.equal(a.digest, `sha256:${all.get(a.name)}`, a.name);
  });

  it("a second prod up changes nothing", async () => {
    const up = await prod.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    const changes = Object.entries(up.summary.resourceChanges ?? {}).filter(([op]) => op !== "same" && op !== "read");
    assert.deepEqual(changes, [], "no create, update, replace or delete");
    assert.deepEqual(await prodDigests("0.3.0"), dev.imageDigests.value);
  });

  it("a release tag that already holds other content is refused: released tags never move", async () => {
    // 0.3.2 of the planner already holds something else: one of its platform manifests.
    const repo = `${prodOwner}/splai-planner`;
    const child = (await p.registry.getManifest(repo, "0.3.0"))!.json.manifests![0];
    const other = (await p.registry.getManifest(repo, child.digest))!;
    await p.registry.putManifest(repo, "0.3.2", other);
    proj.git("tag", "v0.3.2");
    await prod.setConfig("splai-release:ref", { value: "v0.3.2" });
    try {
      const refused = await prod.up({ onOutput: log }).then(
        () => assert.fail("a moved release tag went through"),
        (e: unknown) => String(e),
      );
      assert.match(
        refused,
        new RegExp(
          `${repo}:0\\.3\\.2 is already released \\(digest ${other.digest}\\) from other content; released tags are immutable`,
        ),
      );
    } finally {
      await prod.removeConfig("splai-release:ref");
    }
    assert.equal(
      (await p.registry.getManifest(repo, "0.3.2"))?.digest,
      other.digest,
      "the planner's 0.3.2 tag did not move",
    );
    const pushed = Object.entries(await prodDigests("0.3.2")).filter(([i, d]) => i !== "planner" && d !== undefined);
    assert.deepEqual(pushed, [], "no other image was pushed as 0.3.2");
    assert.equal(await p.registry.getManifest(`${prodOwner}/charts/splai`, "0.3.2"), undefined, "no 0.3.2 chart");
    assert.equal((await githubRelease("v0.3.2")).status, 404, "no GitHub release");
    assert.deepEqual(
      (await p.helmRelease(prodNs, "deployed")).map((r) => r.chart.metadata.version),
      ["0.3.0"],
      "deployment unchanged",
    );
  });

  it("a tag of another commit than dev built is refused, and nothing changes", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner 0.3.1 store=%s"'),
    );
    proj.git("commit", "-qam", "planner change");
    proj.git("tag", "v0.3.1");
    const newSha = proj.git("rev-parse", "HEAD");
    const devSha = (dev.versions.value as { commit: string }).commit;
    const urns = async (): Promise<string[]> => (await resources(prod)).map((r) => r.urn).sort();
    const [urnsBefore, outputsBefore, helmBefore, sumsBefore] = [
      await urns(),
      await prod.outputs(),
      (await p.helmRelease(prodNs)).map((r) => r.version),
      readFileSync(join(prodDist, "SHA256SUMS"), "utf8"),
    ];
    const esc = (x: string): string => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    const refused = await prod.up({ onOutput: log }).then(
      () => assert.fail("the promotion of another commit went through"),
      (e: unknown) => String(e),
    );
    assert.match(
      refused,
      new RegExp(
        `promotion from stack '${esc(devStackName)}' was refused; nothing was changed:\\n\\s+- stack '${esc(devStackName)}' built commit ${devSha} .*but v0\\.3\\.1 is commit ${newSha}; only the build of the release commit can be promoted`,
      ),
    );
    assert.doesNotMatch(
      refused,
      /error serializing property|unhandled exception/,
      "the refusal is reported as it is, once",
    );
    assert.deepEqual(await urns(), urnsBefore, "no resource added or removed");
    assert.deepEqual(await prod.outputs(), outputsBefore, "stack outputs unchanged");
    assert.deepEqual(
      await prodDigests("0.3.1"),
      Object.fromEntries(IMAGES.map((i) => [i, undefined])),
      "no 0.3.1 image tag",
    );
    assert.deepEqual(await prodDigests("0.3.0"), dev.imageDigests.value, "0.3.0 untouched");
    assert.equal(await p.registry.getManifest(`${prodOwner}/charts/splai`, "0.3.1"), undefined, "no 0.3.1 chart");
    assert.deepEqual(
      (await p.helmRelease(prodNs)).map((r) => r.version),
      helmBefore,
      "deployment unchanged",
    );
    assert.equal((await githubRelease("v0.3.1")).status, 404, "no GitHub release");
    assert.equal(readFileSync(join(prodDist, "SHA256SUMS"), "utf8"), sumsBefore, "released binaries unchanged");
  });
});
