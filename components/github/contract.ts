// The contract of GitHubRelease and its step: the asset upload, the asset record, and the names of its resources.
import { flag, secret, stepContract, text } from "../../shared/step/contract";

export interface ReleaseAsset {
  readonly name: string;
  readonly id: number;
  readonly size: number;
  readonly sha256: string;
  readonly url: string;
}

/** Makes a release's assets match the files by name and SHA-256: uploads what is missing or changed, leaves the rest. */
export const SYNC_ASSETS = stepContract<ReleaseAsset[]>()("github-assets", {
  GITHUB_BASE_URL: text,
  GITHUB_TOKEN: secret,
  GITHUB_OWNER: text,
  GITHUB_REPO: text,
  RELEASE_ID: text,
  /** Paths of the files to attach, one per line. */
  ASSET_FILES: text,
});

/** The published release: its page, and each asset's download URL (a draft's name no tag, so they change on publishing). */
export interface PublishedRelease {
  readonly url: string;
  readonly downloads: Readonly<Record<string, string>>;
}

/**
 * Publishes the draft once its assets are complete (a reader never downloads a half-uploaded release), and keeps its
 * title, notes and prerelease flag as the program says: the provider's own update would send `draft` from its state
 * and turn a published release back into a draft, so after creation these are the step's alone.
 */
export const PUBLISH_RELEASE = stepContract<PublishedRelease>()("github-publish", {
  GITHUB_BASE_URL: text,
  GITHUB_TOKEN: secret,
  GITHUB_OWNER: text,
  GITHUB_REPO: text,
  RELEASE_ID: text,
  TITLE: text,
  NOTES: text,
  PRERELEASE: flag,
});

/** Child resource names under a GitHubRelease named `name`. */
export const githubChildren = (name: string) => ({
  provider: `${name}-github`,
  release: `${name}-release`,
  assets: `${name}-assets`,
  publish: `${name}-publish`,
});

/** Type tokens of the components (stable: they are part of every URN). */
export const GITHUB_RELEASE_TYPE = "splai:release:GitHubRelease";
