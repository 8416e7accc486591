// The release's binaries and images: built from the source tree, or promoted from the dev stack's build (`promoteFrom`).
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { ReleaseConfig } from "../config/load";
import { refuseConfig } from "../config/load";
import type { ReleasePolicy } from "../config/policy";
import { parseTarget } from "../shared/layout";
import { GoBinaries } from "./binaries/GoBinaries";
import { PromotedBinaries } from "./binaries/PromotedBinaries";
import type { ReleaseBinaries } from "./binaries/contract";
import { builderEndpoint, buildxConfigDir, ensureRemoteBuilder } from "./images/buildx";
import type { ReleaseImages } from "./images/contract";
import { PromotedImages } from "./images/PromotedImages";
import { ServiceImages } from "./images/ServiceImages";
import { ReleasePackages } from "./packages/ReleasePackages";
import { linuxPackages } from "./packages/units";
import type { PromotionSource } from "./promotion/promotion";
import type { TrustPolicy } from "./signing/cosign";

export interface ReleaseArtifacts {
  readonly binaries: ReleaseBinaries;
  readonly images: ReleaseImages & pulumi.Resource;
  /** Archives, Linux packages and the release's SHA256SUMS. */
  readonly downloads: ReleasePackages;
}

/** Dev's build, published by digest and copied (checked against its SHA256SUMS): nothing is built. */
function promote(
  cfg: ReleaseConfig,
  source: PromotionSource,
  after: pulumi.Resource[],
  trust: pulumi.Output<TrustPolicy> | undefined,
): Omit<ReleaseArtifacts, "downloads"> {
  const { settings: s, versions: v } = cfg;
  const binaries = new PromotedBinaries("binaries", {
    stack: source.stack,
    binaries: source.binaries,
    checksums: source.checksums,
    outDir: s.distDir,
    sourceDir: s.promoteBinariesDir,
  });
  const images = new PromotedImages("images", {
    mains: s.mains,
    sources: source.images,
    registry: s.registry,
    owner: s.owner,
    tags: v.imageTags,
    registryUsername: s.registryUsername,
    registryPassword: cfg.registryPassword,
    attestations: s.attestations === true ? "required" : s.attestations !== false,
    // Dev's signatures are verified before anything is pushed, and copied with the digests.
    trust,
    // The binaries are checked before any tag is pushed: a promotion that cannot release dev's files pushes nothing.
    after: [...after, binaries],
  });
  return { binaries, images };
}

/** Go binaries for every target, then ko-style images of the linux ones, with SBOM and provenance where BuildKit is known. */
function build(
  cfg: ReleaseConfig,
  policy: ReleasePolicy,
  after: pulumi.Resource[],
): Omit<ReleaseArtifacts, "downloads"> {
  const { settings: s, versions: v, ref } = cfg;
  const builder =
    s.builderEndpoints.length > 0 ? ensureRemoteBuilder(`splai-${cfg.stack}`, s.builderEndpoints) : s.builder;
  // SBOM and provenance need BuildKit itself (buildctl): on by default wherever the builder's BuildKit address is known.
  const buildkitAddr = s.builderEndpoints[0] ?? (builder === undefined ? undefined : builderEndpoint(builder));
  if (s.attestations === true && buildkitAddr === undefined) {
    refuseConfig([
      `attestations is true but the BuildKit address of builder '${builder ?? "(default)"}' is unknown (no buildx instance file in ${buildxConfigDir()}); set splai-release:builderEndpoints or attestations auto/false`,
    ]);
  }
  const binaries = new GoBinaries("binaries", {
    source: s.source,
    mains: s.mains,
    targets: s.binaryTargets.map(parseTarget),
    outDir: s.distDir,
    version: v.app,
  });
  const images = new ServiceImages("images", {
    mains: s.mains,
    binaries: binaries.builds,
    registry: s.registry,
    owner: s.owner,
    tags: v.imageTags,
    platforms: s.platforms,
    baseImage: s.baseImage,
    dockerfiles: s.dockerfiles,
    source: s.source,
    stagingDir: join(s.distDir, "..", "images"),
    builder,
    // A fleet: each platform built on its own node, the index made by imagetools (see ServiceImagesArgs).
    splitPlatforms: s.builderEndpoints.length > 1,
    registryUsername: s.registryUsername,
    registryPassword: cfg.registryPassword,
    labels: {
      "org.opencontainers.image.source": `https://github.com/${s.githubOwner}/${s.githubRepo}`,
      "org.opencontainers.image.revision": ref.sha,
      "org.opencontainers.image.version": v.app,
      "org.opencontainers.image.licenses": "Apache-2.0",
    },
    sourceDateEpoch: sourceDateEpoch(cfg),
    attest:
      s.attestations !== false && buildkitAddr !== undefined
        ? { buildkitAddr, sbomGenerator: s.sbomGenerator }
        : undefined,
    immutableTags: policy.immutable,
    after,
  });
  return { binaries, images };
}

/** Layer and config times are the commit's, so two builds of one commit give the same digests. */
export const sourceDateEpoch = (cfg: ReleaseConfig): number => cfg.settings.sourceDateEpoch ?? cfg.ref.commitTime ?? 0;

/** Archives and Linux packages of the binaries (built or promoted), named by this release's version. */
function downloads(cfg: ReleaseConfig, binaries: ReleaseBinaries): ReleasePackages {
  const { settings: s, versions: v } = cfg;
  return new ReleasePackages("packages", {
    binaries: binaries.binaries,
    version: v.app,
    sourceDateEpoch: sourceDateEpoch(cfg),
    outDir: s.distDir,
    source: s.source,
    formats: s.linuxPackages,
    packages: linuxPackages(s.workerEnvironment),
    meta: {
      maintainer: s.packageMaintainer,
      license: s.packageLicense,
      vendor: s.githubOwner,
      homepage: `https://github.com/${s.githubOwner}/${s.githubRepo}`,
    },
  });
}

/** Builds, or promotes `source` when the stack promotes; every push waits for `after` (the pre-push checks). */
export function releaseArtifacts(
  cfg: ReleaseConfig,
  policy: ReleasePolicy,
  source: PromotionSource | undefined,
  after: pulumi.Resource[],
  trust?: pulumi.Output<TrustPolicy>,
): ReleaseArtifacts {
  const made = source === undefined ? build(cfg, policy, after) : promote(cfg, source, after, trust);
  return { ...made, downloads: downloads(cfg, made.binaries) };
}

/** What a GitHub release attaches: every binary, archive and package, SHA256SUMS over them, and `extra` (its bundle). */
export function releaseAssets(a: ReleaseArtifacts, extra: readonly string[] = []): pulumi.Output<string[]> {
  return pulumi
    .all([a.binaries.binaries, a.downloads.files])
    .apply(([bs, fs]) => [...[...bs, ...fs].map((f) => f.path).sort(), a.downloads.checksumsPath, ...extra]);
}
