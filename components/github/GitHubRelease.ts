// GitHubRelease: the GitHub release for a tag (or a branch prerelease) with generated notes, and the binaries and SHA256SUMS attached.
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { stepCommand } from "../../shared/step/command";
import { GITHUB_RELEASE_TYPE, githubChildren, PUBLISH_RELEASE, type ReleaseAsset, SYNC_ASSETS } from "./contract";

export type { ReleaseAsset } from "./contract";

export interface GitHubReleaseArgs {
  readonly owner: string;
  readonly repository: string;
  /** API base URL; default https://api.github.com/. */
  readonly baseUrl?: string;
  readonly token: pulumi.Input<string>;
  /** Git tag of the release (created at `commit` when missing). */
  readonly tag: string;
  readonly commit: string;
  readonly title: string;
  readonly notes: pulumi.Input<string>;
  readonly prerelease: boolean;
  /** Files to attach (binaries and SHA256SUMS). */
  readonly assets: pulumi.Input<string[]>;
  /** Checksums of the assets, so uploads rerun exactly when a file changes. */
  readonly assetChecksums: pulumi.Input<string>;
  /** Keep the release on GitHub when the stack is destroyed (published releases are never taken back). Default: false. */
  readonly retainOnDelete?: boolean;
}

export class GitHubRelease extends pulumi.ComponentResource {
  public readonly url: pulumi.Output<string>;
  public readonly releaseId: pulumi.Output<string>;
  public readonly assets: pulumi.Output<ReleaseAsset[]>;

  constructor(name: string, args: GitHubReleaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GITHUB_RELEASE_TYPE, name, {}, opts);
    const child = githubChildren(name);
    // One API for the release and its assets (the provider alone would read GITHUB_BASE_URL when unset).
    const baseUrl = args.baseUrl ?? "https://api.github.com/";
    const provider = new github.Provider(
      child.provider,
      { owner: args.owner, token: args.token, baseUrl },
      { parent: this },
    );
    const release = new github.Release(
      child.release,
      {
        repository: args.repository,
        tagName: args.tag,
        targetCommitish: args.commit,
        name: args.title,
        body: args.notes,
        // Created as a draft: its assets are attached and checked, and only then is it published (the publish step).
        // A published release is never turned back into a draft: `draft` is left alone after creation.
        draft: true,
        prerelease: args.prerelease,
      },
      // After creation the publish step owns draft, title, notes and prerelease: the provider's update sends every field,
      // draft included from its state, and would turn the published release back into a draft.
      {
        parent: this,
        provider,
        retainOnDelete: args.retainOnDelete,
        ignoreChanges: ["draft", "name", "body", "prerelease"],
      },
    );
    this.releaseId = release.releaseId.apply(String);
    const upload = stepCommand(
      SYNC_ASSETS,
      child.assets,
      {
        env: {
          GITHUB_BASE_URL: baseUrl,
          GITHUB_TOKEN: args.token,
          GITHUB_OWNER: args.owner,
          GITHUB_REPO: args.repository,
          RELEASE_ID: this.releaseId,
          ASSET_FILES: pulumi.output(args.assets).apply((a) => a.join("\n")),
        },
        triggers: [this.releaseId, args.assetChecksums],
      },
      { parent: this },
    );
    const publish = stepCommand(
      PUBLISH_RELEASE,
      child.publish,
      {
        env: {
          GITHUB_BASE_URL: baseUrl,
          GITHUB_TOKEN: args.token,
          GITHUB_OWNER: args.owner,
          GITHUB_REPO: args.repository,
          RELEASE_ID: this.releaseId,
          TITLE: args.title,
          NOTES: args.notes,
          PRERELEASE: args.prerelease,
        },
        // A new release is published anew; a change of notes or title updates this one in place.
        triggers: [this.releaseId],
      },
      { parent: this, dependsOn: [upload.command] },
    );
    // The published release's page and download URLs (a draft's name no tag).
    this.url = publish.output.apply((o) => o.url);
    this.assets = pulumi
      .all([upload.output, publish.output])
      .apply(([assets, published]) => assets.map((a) => ({ ...a, url: published.downloads[a.name] ?? a.url })));
    this.registerOutputs({ url: this.url, releaseId: this.releaseId, assets: this.assets });
  }
}
