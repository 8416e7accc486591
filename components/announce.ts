// Announcing a release: the GitHub release (a draft until its assets are attached), and for a tag release the
// Homebrew formula in the tap — both only after the deployment rolled out and passed its verification.
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseConfig } from "../config/load";
import type { ReleasePolicy } from "../config/policy";
import { releaseAssets, type ReleaseArtifacts } from "./artifacts";
import { GitHubRelease } from "./github/GitHubRelease";
import { releaseNotes, type NotesInput } from "./github/notes";
import { HomebrewTap } from "./packages/HomebrewTap";
import type { ReleasedBefore } from "./preflight";
import type { ReleaseSignatures } from "./signing/release";

export interface Announced {
  readonly release?: GitHubRelease;
  /** This tag's GitHub release, published before and not this stack's: left as it was released. */
  readonly releasedBefore?: ReleasedBefore;
  readonly tap?: HomebrewTap;
}

export function announce(
  cfg: ReleaseConfig,
  policy: ReleasePolicy,
  artifacts: ReleaseArtifacts,
  notes: pulumi.Output<NotesInput>,
  after: pulumi.Resource[],
  releasedBefore?: ReleasedBefore,
  signatures?: ReleaseSignatures,
): Announced {
  const { settings: s, versions: v, ref } = cfg;
  if (!policy.githubRelease) return {};
  if (releasedBefore !== undefined)
    void pulumi.log.warn(
      `GitHub release ${v.releaseTag} was published before and is not this stack's (${releasedBefore.url}): ` +
        "it is left exactly as released, notes and assets; the Homebrew formula points at its assets",
    );
  const release =
    releasedBefore !== undefined
      ? undefined
      : new GitHubRelease(
          "github",
          {
            owner: s.githubOwner,
            repository: s.githubRepo,
            baseUrl: s.githubBaseUrl,
            token: cfg.githubToken!,
            tag: v.releaseTag,
            commit: ref.sha,
            title: policy.releaseTitle,
            notes: notes.apply(releaseNotes),
            prerelease: v.prerelease,
            // SHA256SUMS' signature bundle is an asset too; a new signature (a new key) uploads it again.
            assets: releaseAssets(artifacts, signatures ? [signatures.bundlePath] : []),
            assetChecksums: signatures
              ? pulumi.interpolate`${artifacts.downloads.checksums}bundle ${signatures.bundleSha256}\n`
              : artifacts.downloads.checksums,
            retainOnDelete: policy.retainGithubRelease,
          },
          // Published only once the deployment rolled out and passed verification: a rolled-back release is not announced.
          { dependsOn: [...after, ...(signatures?.all ?? [])] },
        );
  // Homebrew installs releases, not branch builds' prereleases.
  const tap =
    policy.tagRelease && s.homebrewTap !== undefined
      ? new HomebrewTap(
          "homebrew",
          {
            tap: s.homebrewTap,
            token: cfg.githubToken!,
            baseUrl: s.githubBaseUrl,
            version: v.app,
            homepage: `https://github.com/${s.githubOwner}/${s.githubRepo}`,
            license: s.packageLicense,
            archives: artifacts.downloads.files,
            assets: release?.assets ?? releasedBefore!.assets,
          },
          { dependsOn: [...(release ? [release] : after)] },
        )
      : undefined;
  return { release, releasedBefore, tap };
}
