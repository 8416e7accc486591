// The stack's outputs: what was released (versions, images by digest, chart, binaries, deployment, GitHub release),
// what a promoting prod stack reads from this one, and this stack's record of the Helm release it owns.
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseConfig } from "../config/load";
import { sourceDateEpoch, type ReleaseArtifacts } from "./artifacts";
import type { ChartPublish } from "./chart/ChartPublish";
import type { SplaiDeployment } from "./deploy/SplaiDeployment";
import type { Verification } from "./deploy/Verification";
import type { GitHubRelease } from "./github/GitHubRelease";
import type { HomebrewTap } from "./packages/HomebrewTap";
import { helmCommand, type NotesInput } from "./github/notes";
import type { PromotionSource } from "./promotion/promotion";
import type { ReleasedBefore } from "./preflight";
import type { ReleaseSignatures } from "./signing/release";
import type { SignatureGate } from "./signing/SignatureGate";

export interface Released {
  readonly cfg: ReleaseConfig;
  readonly artifacts: ReleaseArtifacts;
  readonly chart: ChartPublish;
  readonly notes: pulumi.Output<NotesInput>;
  readonly promotion?: PromotionSource;
  readonly deployment?: SplaiDeployment;
  readonly verifier?: Verification;
  readonly release?: GitHubRelease;
  readonly releasedBefore?: ReleasedBefore;
  readonly tap?: HomebrewTap;
  readonly signatures?: ReleaseSignatures;
  readonly signatureGate?: SignatureGate;
}

const byImage = <T>(
  images: ReleaseArtifacts["images"],
  f: (i: import("./images/contract").PublishedImage) => T,
): pulumi.Output<Record<string, T>> =>
  images.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, f(i)])));

export function stackOutputs(r: Released): Record<string, unknown> {
  const { settings: s, versions: v, ref } = r.cfg;
  const { binaries, images } = r.artifacts;
  const notDeployed = "not deployed (splai-release:deploy is false)";
  return {
    versions: {
      mode: v.mode,
      ref: ref.ref,
      commit: ref.sha,
      app: v.app,
      chart: v.chart,
      imageTags: v.imageTags,
      sourceDateEpoch: sourceDateEpoch(r.cfg),
    },
    imageRefs: byImage(images, (i) => i.ref),
    imageDigests: byImage(images, (i) => i.digest),
    /** SBOM and provenance referrers per image and platform (empty when attestations are off). */
    imageAttestations: byImage(images, (i) => i.attestations),
    chartRef: pulumi.interpolate`${r.chart.chart.ref}:${r.chart.chart.version}`,
    chartDigest: r.chart.chart.digest,
    binaryChecksums: binaries.checksums,
    // What a prod stack promotes from this one (`promoteFrom`): every image by digest, every binary with its path and checksum.
    releaseImages: byImage(images, (i) => ({ repository: i.repository, digest: i.digest, tags: i.tags })),
    releaseBinaries: binaries.binaries.apply((bs) => ({
      dir: s.distDir,
      checksumsPath: binaries.checksumsPath,
      files: bs,
    })),
    // From the checked dev outputs alone, so a preview (the release plan) knows it too.
    promotedFrom: r.promotion
      ? {
          stack: r.promotion.stack,
          version: r.promotion.version,
          sha: r.promotion.sha,
          digests: Object.fromEntries(Object.entries(r.promotion.images).map(([k, i]) => [k, i.digest])),
        }
      : "not promoted (splai-release:promoteFrom is not set): built from source",
    releaseStatus: r.deployment?.status ?? notDeployed,
    helmRevision: r.deployment?.revision,
    // Which Helm release this stack deploys: its record that the release is its own (read back by the next update's check).
    helmRelease: r.deployment ? { namespace: s.namespace, name: s.releaseName } : undefined,
    verification: r.verifier?.result ?? (s.deploy ? "not verified (splai-release:verify is false)" : notDeployed),
    releaseUrl:
      r.release?.url ??
      (r.releasedBefore
        ? `${r.releasedBefore.url} (published before, not by this update: left as released)`
        : "no GitHub release for this stack"),
    releaseAssets:
      r.release?.assets.apply((as) => as.map((a) => `${a.name} sha256:${a.sha256}`)) ??
      r.releasedBefore?.assets.map((a) => `${a.name} sha256:${a.sha256}`) ??
      [],
    installCommand: r.notes.apply((n) => helmCommand("install", n)),
    /** Archives and Linux packages with their checksums; SHA256SUMS covers them and the binaries. */
    downloads: r.artifacts.downloads.files.apply((fs) => fs.map((f) => `${f.name} sha256:${f.sha256}`)),
    releaseChecksums: r.artifacts.downloads.checksums,
    /** cosign's `.sig` tags of every image and platform image and of the chart, and SHA256SUMS' bundle. */
    signatures: r.signatures
      ? pulumi.all(r.signatures.all.map((x) => x.signatures)).apply((xs) => xs.flat())
      : "not signed (splai-release:signing is none)",
    /** What the deploy gate verified before the Helm release was upgraded, and by which key. */
    signatureVerification:
      r.signatureGate?.verified ?? (s.deploy ? "not verified (no signing and no trustedKeys)" : notDeployed),
    homebrewFormula: r.tap?.formula ?? "no Homebrew formula for this stack (tag releases with a tap only)",
  };
}
