// Supply chain: BuildKit's SBOM and provenance on every image, commit-time SOURCE_DATE_EPOCH, and two builds of one commit giving the same bits.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ATTESTATION_ARTIFACT_TYPE, SPDX_PREDICATE } from "../../components/supplychain/attest";
import { SPLAI_MAINS } from "../../shared/layout";
import { toolBinDir } from "../../tools/lib/paths";
import { platformImages } from "../support/artifacts";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = SPLAI_MAINS.filter((m) => m.image).map((m) => m.image!);

interface Statement {
  predicateType: string;
  predicate: Record<string, unknown>;
}

describe("supply chain: attestations and reproducible builds", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let first: ReleaseProject;
  let second: ReleaseProject | undefined;
  let out: OutputMap;
  let commitTime: number;
  const goCache = mkdtempSync(join(tmpdir(), "splai-gocache-"));

  before(async () => {
    p = platform();
    first = await releaseProject(p);
    commitTime = Number(first.git("show", "-s", "--format=%ct", "HEAD"));
  });
  after(async () => {
    await first?.cleanup();
    await second?.cleanup();
    rmSync(goCache, { recursive: true, force: true });
  });

  it("releases with SOURCE_DATE_EPOCH = the commit time", async () => {
    const r = await first.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(r.summary.result, "succeeded");
    out = r.outputs;
    assert.equal((out.versions.value as { sourceDateEpoch: number }).sourceDateEpoch, commitTime);
    const created = new Date(commitTime * 1000).toISOString().replace(/\.000Z$/, "Z");
    for (const image of IMAGES) {
      const ref = (out.imageRefs.value as Record<string, string>)[image];
      const [repo, digest] = ref.slice(p.state.registry.address.length + 1).split("@");
      for (const pi of await platformImages(p.registry, repo, digest)) {
        assert.equal((pi.config as { created?: string }).created, created, `${image} ${pi.arch}: image config time`);
      }
    }
  });

  it("every platform image has BuildKit's SPDX SBOM and SLSA provenance as a referrer", async () => {
    const attestations = out.imageAttestations.value as Record<
      string,
      { platform: string; manifest: string; attestation: string; sbom: string; provenance: string }[]
    >;
    for (const image of IMAGES) {
      const ref = (out.imageRefs.value as Record<string, string>)[image];
      const [repo, digest] = ref.slice(p.state.registry.address.length + 1).split("@");
      const platforms = await platformImages(p.registry, repo, digest);
      assert.deepEqual(
        platforms.map((x) => x.arch),
        ["amd64", "arm64"],
      );
      for (const pi of platforms) {
        const listed = attestations[image].find((a) => a.manifest === pi.digest);
        assert.ok(listed, `${image} ${pi.arch}: attestation in the stack output`);
        // What a consumer sees: the registry's referrers of the platform image.
        const referrers = await p.registry.referrers(repo, pi.digest, ATTESTATION_ARTIFACT_TYPE);
        assert.ok(
          referrers.some((d) => d.digest === listed.attestation),
          `${image} ${pi.arch}: ${listed.attestation} among the referrers ${JSON.stringify(referrers)}`,
        );
        const manifest = await p.registry.getManifest(repo, listed.attestation);
        assert.equal((manifest!.json as { subject?: { digest: string } }).subject?.digest, pi.digest);

        const sbom = JSON.parse((await p.registry.getBlob(repo, listed.sbom)).toString("utf8")) as Statement;
        assert.equal(sbom.predicateType, SPDX_PREDICATE);
        const packages = (sbom.predicate.packages as { name: string; versionInfo?: string }[]).map(
          (x) => `${x.name}@${x.versionInfo ?? ""}`,
        );
        const goVersion = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
        assert.ok(
          packages.includes(`stdlib@${goVersion}`),
          `${image} ${pi.arch}: SBOM lists the Go standard library ${goVersion}: ${packages.join(", ")}`,
        );
        assert.ok(
          packages.some((x) => x.startsWith("github.com/example/splai@")),
          `${image} ${pi.arch}: SBOM lists the SPLAI module: ${packages.join(", ")}`,
        );

        const prov = JSON.parse((await p.registry.getBlob(repo, listed.provenance)).toString("utf8")) as Statement;
        assert.match(prov.predicateType, /^https:\/\/slsa\.dev\/provenance\//);
        const args =
          (prov.predicate.buildDefinition as { externalParameters: { request: { args: Record<string, string> } } })
            .externalParameters.request.args ?? {};
        assert.equal(
          args["build-arg:SOURCE_DATE_EPOCH"],
          String(commitTime),
          `${image}: provenance records the build's SOURCE_DATE_EPOCH`,
        );
        assert.equal(
          args["label:org.opencontainers.image.revision"],
          first.git("rev-parse", "HEAD"),
          `${image}: provenance records the commit`,
        );
      }
    }
  });

  it("lists the SBOMs in the release notes", async () => {
    const tag = (out.versions.value as { app: string }).app;
    const res = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v${tag}`);
    assert.equal(res.status, 200);
    const body = ((await res.json()) as { body: string }).body;
    assert.match(body, /### SBOMs and provenance/);
    const attestations = out.imageAttestations.value as Record<string, { attestation: string; sbom: string }[]>;
    for (const image of IMAGES)
      for (const a of attestations[image])
        assert.ok(body.includes(a.attestation) && body.includes(a.sbom), `${image}: ${a.attestation}`);
  });

  it("a second build of the same commit, from cold caches, gives the same binary checksums and image digests", async () => {
    // Cold BuildKit and Go caches: nothing of the first build is reused.
    execFileSync(join(toolBinDir, "buildctl"), ["--addr", `unix://${p.state.buildkit.socket}`, "prune", "--all"], {
      stdio: "ignore",
    });
    second = await releaseProject(p, {
      cloneFrom: first.source,
      env: { GOCACHE: goCache },
      config: {
        "splai-release:deploy": { value: "false" },
        "splai-release:githubRelease": { value: "false" },
        "splai-release:attestations": { value: "false" },
      },
    });
    assert.equal(second.git("rev-parse", "HEAD"), first.git("rev-parse", "HEAD"));
    const r = await second.stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(r.summary.result, "succeeded");
    assert.equal(r.outputs.binaryChecksums.value, out.binaryChecksums.value);
    const firstDigests = out.imageDigests.value as Record<string, string>;
    const secondDigests = r.outputs.imageDigests.value as Record<string, string>;
    assert.deepEqual(secondDigests, firstDigests);
    // Different repositories (each stack has its own owner), same bits.
    assert.notEqual(
      (r.outputs.imageRefs.value as Record<string, string>).planner,
      (out.imageRefs.value as Record<string, string>).planner,
    );
  });
});
