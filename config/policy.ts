// What a release of this kind means, decided in one place: a tag release is atomic, immutable, announced and guarded.
import type { Versions } from "../shared/versioning";
import type { Settings } from "./validate";

export interface ReleasePolicy {
  /** A `vX.Y.Z` tag release (as opposed to a branch build). */
  readonly tagRelease: boolean;
  /** Roll a failed upgrade or a failed verification back to the previous revision. */
  readonly atomic: boolean;
  /** Released image tags and chart versions are never overwritten with other content. */
  readonly immutable: boolean;
  /** Helm values may only pin immutable tags by digest (never `latest`). */
  readonly forbidMovingTags: boolean;
  /** Refuse to deploy a version lower than the deployed one unless `allowRollback` (checked before anything is pushed). */
  readonly rollbackGuard: boolean;
  /** Publish a GitHub release (a branch build's is a prerelease). */
  readonly githubRelease: boolean;
  /** Keep the GitHub release when the stack is destroyed: a published release is never taken back. */
  readonly retainGithubRelease: boolean;
  readonly releaseTitle: string;
  /** Verify the deployment after Helm applied it (the verification then waits and rolls back, not Helm). */
  readonly verify: boolean;
  /** The verification fails, instead of skipping its HTTP checks, when pods sit on fake nodes. */
  readonly requireRealNode: boolean;
  /** Helm itself waits for readiness (and rolls back when atomic): only when nothing verifies. */
  readonly helmWaits: boolean;
}

export type PolicySettings = Pick<Settings, "deploy" | "atomic" | "verify" | "githubRelease">;

export function releasePolicy(s: PolicySettings, v: Pick<Versions, "mode" | "app">): ReleasePolicy {
  const tagRelease = v.mode === "tag";
  const verify = s.deploy && s.verify !== false;
  return {
    tagRelease,
    atomic: s.atomic ?? tagRelease,
    immutable: tagRelease,
    forbidMovingTags: tagRelease,
    rollbackGuard: tagRelease && s.deploy,
    githubRelease: s.githubRelease ?? tagRelease,
    retainGithubRelease: tagRelease,
    releaseTitle: tagRelease ? `SPLAI ${v.app}` : `SPLAI ${v.app} (prerelease)`,
    verify,
    requireRealNode: s.verify === true,
    helmWaits: !verify,
  };
}
