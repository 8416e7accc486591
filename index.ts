// splai-release: wires the release components for one stack and exports what was released.
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { ChartPublish } from "./components/chart/ChartPublish";
import { GitHubRelease } from "./components/github/GitHubRelease";
import { GoBinaries } from "./components/binaries/GoBinaries";
import { PromotedBinaries } from "./components/binaries/PromotedBinaries";
import { PromotedImages } from "./components/images/PromotedImages";
import { ReleaseGuard } from "./components/deploy/ReleaseGuard";
import { ServiceImages } from "./components/images/ServiceImages";
import { SplaiDeployment } from "./components/deploy/SplaiDeployment";
import { Verification } from "./components/deploy/Verification";
import { loadConfig, refuseConfig } from "./config/load";
import { builderEndpoint, buildxConfigDir, ensureRemoteBuilder } from "./components/images/buildx";
import { chartValueKeys, parseTarget } from "./shared/layout";
import { helmCommand, releaseNotes } from "./components/github/notes";
import { helmStatus } from "./components/deploy/helm-status";
import { promotionVerdict, REFUSED_SOURCE, type DevStackOutputs } from "./components/promotion/promotion";
import { ownsRelease, releaseDescription, releaseNameProblem } from "./components/deploy/rollback";

const cfg = loadConfig();
const { settings: s, versions: v, ref } = cfg;
const valuesKeys = chartValueKeys(s.mains);
const registryUsername = s.registryUsername;
const builder = s.builderEndpoints.length > 0 && s.promoteFrom === undefined ? ensureRemoteBuilder(`splai-${cfg.stack}`, s.builderEndpoints) : s.builder;
// SBOM and provenance need BuildKit itself (buildctl): on by default wherever the builder's BuildKit address is known.
const buildkitAddr = s.builderEndpoints[0] ?? (builder === undefined ? undefined : builderEndpoint(builder));
// A promotion builds nothing: it copies dev's attestations instead (PromotedImages).
if (s.attestations === true && buildkitAddr === undefined && s.promoteFrom === undefined) {
  refuseConfig([
    `attestations is true but the BuildKit address of builder '${builder ?? "(default)"}' is unknown (no buildx instance file in ${buildxConfigDir()}); set splai-release:builderEndpoints or attestations auto/false`,
  ]);
}
// Layer and config times are the commit's, so two builds of one commit give the same digests.
const sourceDateEpoch = s.sourceDateEpoch ?? ref.commitTime ?? 0;
const attest = s.attestations !== false && buildkitAddr !== undefined ? { buildkitAddr, sbomGenerator: s.sbomGenerator } : undefined;

// Promotion (prod, `promoteFrom`): the dev stack's outputs are read and checked first. Resource inputs take dev's build
// from `promotion`, which never fails; the verdict gates every resource instead (below).
const devStack = s.promoteFrom === undefined ? undefined : new pulumi.StackReference("promote-from", { name: s.promoteFrom });
const verdict = devStack
  ? pulumi
      .all(["versions", "releaseImages", "releaseBinaries", "binaryChecksums"].map((k) => devStack.getOutput(k)))
      .apply(([versions, releaseImages, releaseBinaries, binaryChecksums]: unknown[]) =>
        promotionVerdict(
          { versions: versions as DevStackOutputs["versions"], releaseImages, releaseBinaries, binaryChecksums },
          {
            stack: s.promoteFrom!,
            tag: v.releaseTag,
            sha: ref.sha,
            registry: s.registry,
            images: s.mains.filter((m) => m.image).map((m) => m.image!),
          },
        ),
      )
  : undefined;
const promotion = verdict?.apply((x) => x.source ?? REFUSED_SOURCE);
// Checks that must pass before anything is built or pushed. Every resource from here on, children included, waits for
// them before it reads any input: a refusal registers nothing, changes nothing, and is reported once, as it is.
const gates: pulumi.Output<pulumi.Resource>[] = [];
if (verdict) {
  gates.push(
    verdict.apply((x) => {
      // Shown as the message alone, like a config error: the problem is the dev stack, not this program.
      if (x.refusal !== undefined) throw new pulumi.RunError(x.refusal);
      return devStack!;
    }),
  );
}
// The Helm release name must be free in the namespace, or this stack's own: its last update's outputs (Pulumi's record
// of what it deployed, read through a reference to itself) say so. A shared dev cluster is the normal case.
const stackName = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
if (s.deploy) {
  const record = new pulumi.StackReference("release-record", { name: stackName });
  gates.push(
    pulumi.all([record.getOutput("helmRelease"), record.getOutput("helmRevision")]).apply(([rec, revision]) => {
      const live = helmStatus({ kubeconfig: s.kubeconfig, context: s.kubeContext }, s.namespace, s.releaseName);
      const problem = releaseNameProblem(live, ownsRelease(live, stackName, rec, revision, s.namespace, s.releaseName), stackName);
      if (problem !== undefined) throw new pulumi.RunError(problem);
      return record;
    }),
  );
}
if (gates.length > 0) {
  pulumi.runtime.registerStackTransformation((r) => ({ props: r.props, opts: pulumi.mergeOptions(r.opts, { dependsOn: gates }) }));
}

const binaries: GoBinaries | PromotedBinaries = promotion
  ? new PromotedBinaries("binaries", {
      stack: s.promoteFrom!,
      binaries: promotion.binaries,
      checksums: promotion.checksums,
      outDir: s.distDir,
      sourceDir: s.promoteBinariesDir,
    })
  : new GoBinaries("binaries", {
      source: s.source,
      mains: s.mains,
      targets: s.binaryTargets.map(parseTarget),
      outDir: s.distDir,
      version: v.app,
    });

// A tag release first checks that it would not silently roll the deployment back to an older version.
const guard =
  v.mode === "tag" && s.deploy
    ? new ReleaseGuard("guard", {
        chartVersion: v.chart,
        namespace: s.namespace,
        releaseName: s.releaseName,
        kubeconfig: s.kubeconfig,
        context: s.kubeContext,
        allowRollback: s.allowRollback,
      })
    : undefined;

const images: ServiceImages | PromotedImages = promotion
  ? new PromotedImages("images", {
      mains: s.mains,
      sources: promotion.images,
      registry: s.registry,
      owner: s.owner,
      tags: v.imageTags,
      registryUsername,
      registryPassword: cfg.registryPassword,
      attestations: s.attestations === true ? "required" : s.attestations !== false,
      // The binaries are checked before any tag is pushed: a promotion that cannot release dev's files pushes nothing.
      after: [...(guard?.checks ?? []), binaries],
    })
  : new ServiceImages("images", {
      mains: s.mains,
      binaries: (binaries as GoBinaries).builds,
      registry: s.registry,
      owner: s.owner,
      tags: v.imageTags,
      platforms: s.platforms,
      baseImage: s.baseImage,
      dockerfiles: s.dockerfiles,
      source: s.source,
      stagingDir: join(s.distDir, "..", "images"),
      builder,
      registryUsername,
      registryPassword: cfg.registryPassword,
      labels: {
        "org.opencontainers.image.source": `https://github.com/${s.githubOwner}/${s.githubRepo}`,
        "org.opencontainers.image.revision": ref.sha,
        "org.opencontainers.image.version": v.app,
        "org.opencontainers.image.licenses": "Apache-2.0",
      },
      sourceDateEpoch,
      attest,
      immutableTags: v.mode === "tag",
      after: guard?.checks,
    });

// The chart goes out only once the images it will point at are pushed.
const chart = new ChartPublish(
  "chart",
  {
    chartPath: s.chartPath,
    version: v.chart,
    appVersion: v.app,
    registry: s.registry,
    owner: s.owner,
    registryUsername,
    registryPassword: cfg.registryPassword,
    immutable: v.mode === "tag",
  },
  { dependsOn: [images] },
);

const atomic = s.atomic ?? v.mode === "tag";
const verifying = s.deploy && s.verify !== false;
const deployment = s.deploy
  ? new SplaiDeployment("splai", {
      chart: chart.chart,
      images: images.images,
      valuesKeys,
      namespace: s.namespace,
      releaseName: s.releaseName,
      description: releaseDescription(stackName),
      kubeconfig: s.kubeconfig,
      context: s.kubeContext,
      extraValues: s.helmValues,
      atomic,
      forbidMovingTags: v.mode === "tag",
      timeout: s.helmTimeout,
      helmWaits: !verifying,
      registryUsername,
      registryPassword: cfg.registryPassword,
    })
  : undefined;

// The released splaictl that runs on this machine checks the deployed control plane.
const hostTarget = { goos: process.platform === "win32" ? "windows" : process.platform, goarch: process.arch === "x64" ? "amd64" : process.arch };
const verifier =
  deployment && verifying
    ? new Verification(
        "verify",
        {
          kubeconfig: s.kubeconfig,
          context: s.kubeContext,
          namespace: deployment.namespace,
          releaseName: deployment.releaseName,
          revision: deployment.revision,
          images: images.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, `${i.repository}:${i.pinnedTag}`]))),
          splaictl: binaries.binaries.apply(
            (bs) => bs.find((b) => b.binary === "splaictl" && b.goos === hostTarget.goos && b.goarch === hostTarget.goarch)?.path,
          ),
          timeout: s.helmTimeout,
          rollbackOnFailure: atomic,
          requireRealNode: s.verify === true,
        },
        { dependsOn: [deployment] },
      )
    : undefined;

const imageList = images.images.apply((m) => Object.values(m));
const promotedNote = promotion?.apply((p) => ({ stack: p.stack, version: p.version, sha: p.sha })) ?? pulumi.output(undefined);
const notesData = pulumi.all([imageList, chart.chart, binaries.checksums, promotedNote]).apply(([imgs, c, checksums, p]) => ({
  version: v.app,
  mode: v.mode,
  sha: ref.sha,
  images: imgs,
  chart: c,
  namespace: s.namespace,
  valuesKeys,
  breakingChanges: s.breakingChanges,
  checksums,
  promotedFrom: p,
}));

const wantRelease = s.githubRelease ?? v.mode === "tag";
const release = wantRelease
  ? new GitHubRelease(
      "github",
      {
        owner: s.githubOwner,
        repository: s.githubRepo,
        baseUrl: s.githubBaseUrl,
        token: cfg.githubToken!,
        tag: v.releaseTag,
        commit: ref.sha,
        title: v.mode === "tag" ? `SPLAI ${v.app}` : `SPLAI ${v.app} (prerelease)`,
        notes: notesData.apply(releaseNotes),
        prerelease: v.prerelease,
        assets: binaries.binaries.apply((bs) => [...bs.map((b) => b.path).sort(), binaries.checksumsPath]),
        assetChecksums: binaries.checksums,
        // A published release stays when the stack is destroyed; branch prereleases go with their stack.
        retainOnDelete: v.mode === "tag",
      },
      // Published only once the deployment rolled out and passed verification: a release whose rollout or verification
      // failed (and was rolled back) is not announced.
      { dependsOn: [deployment, verifier].filter((r): r is NonNullable<typeof r> => r !== undefined) },
    )
  : undefined;

export const versions = {
  mode: v.mode,
  ref: ref.ref,
  commit: ref.sha,
  app: v.app,
  chart: v.chart,
  imageTags: v.imageTags,
  sourceDateEpoch,
};
export const imageRefs = images.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, i.ref])));
export const imageDigests = images.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, i.digest])));
/** SBOM and provenance referrers per image and platform (empty when attestations are off). */
export const imageAttestations = images.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, i.attestations])));
export const chartRef = pulumi.interpolate`${chart.chart.ref}:${chart.chart.version}`;
export const chartDigest = chart.chart.digest;
export const binaryChecksums = binaries.checksums;
// What a prod stack promotes from this one (`promoteFrom`): every image by digest, every binary with its path and checksum.
export const releaseImages = images.images.apply((m) =>
  Object.fromEntries(Object.entries(m).map(([k, i]) => [k, { repository: i.repository, digest: i.digest, tags: i.tags }])),
);
export const releaseBinaries = binaries.binaries.apply((bs) => ({ dir: s.distDir, checksumsPath: binaries.checksumsPath, files: bs }));
// From the checked dev outputs alone, so a preview (the release plan) knows it too; PromotedImages fails the update if a
// pushed tag does not resolve to these digests.
export const promotedFrom = promotion
  ? promotion.apply((p) => ({
      stack: p.stack,
      version: p.version,
      sha: p.sha,
      digests: Object.fromEntries(Object.entries(p.images).map(([k, i]) => [k, i.digest])),
    }))
  : "not promoted (splai-release:promoteFrom is not set): built from source";
export const releaseStatus = deployment?.status ?? "not deployed (splai-release:deploy is false)";
export const helmRevision = deployment?.revision;
/** Which Helm release this stack deploys: its record that the release is its own (read back by the next update's check). */
export const helmRelease = deployment ? { namespace: s.namespace, name: s.releaseName } : undefined;
export const verification = verifier?.result ?? (s.deploy ? "not verified (splai-release:verify is false)" : "not deployed (splai-release:deploy is false)");
export const releaseUrl = release?.url ?? "no GitHub release for this stack";
export const releaseAssets = release?.assets.apply((as) => as.map((a) => `${a.name} sha256:${a.sha256}`)) ?? [];
export const installCommand = notesData.apply((n) => helmCommand("install", n));
