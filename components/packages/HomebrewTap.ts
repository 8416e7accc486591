// HomebrewTap: a tag release commits Formula/splaictl.rb to the tap repository with @pulumi/github, in the same plan as
// the release, so the formula always names the released archives (and a rollback restores the older one).
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseAsset } from "../github/contract";
import { HOMEBREW_TAP_TYPE, tapChildren, type ReleaseFile } from "./contract";
import { splaictlFormula } from "./formula";

export interface HomebrewTapArgs {
  /** `owner/name` of the tap repository (for example `splai/homebrew-tap`). */
  readonly tap: string;
  readonly token: pulumi.Input<string>;
  /** API base URL; default https://api.github.com/. */
  readonly baseUrl?: string;
  readonly version: string;
  readonly homepage: string;
  readonly license: string;
  /** The release's archives (with their checksums) and its uploaded assets (with their download URLs). */
  readonly archives: pulumi.Input<ReleaseFile[]>;
  readonly assets: pulumi.Input<ReleaseAsset[]>;
  /** Branch the formula is committed to. Default: `main`. */
  readonly branch?: string;
}

export class HomebrewTap extends pulumi.ComponentResource {
  /** The formula as committed. */
  public readonly formula: pulumi.Output<string>;

  constructor(name: string, args: HomebrewTapArgs, opts?: pulumi.ComponentResourceOptions) {
    super(HOMEBREW_TAP_TYPE, name, {}, opts);
    const [owner, repository] = args.tap.split("/");
    const child = tapChildren(name);
    const provider = new github.Provider(
      child.provider,
      { owner, token: args.token, baseUrl: args.baseUrl ?? "https://api.github.com/" },
      { parent: this },
    );
    this.formula = pulumi.all([args.archives, args.assets]).apply(([files, assets]) =>
      splaictlFormula({
        version: args.version,
        homepage: args.homepage,
        license: args.license,
        description: "SPLAI command line: submit work, inspect and verify a control plane",
        archives: files
          .filter((f) => f.kind === "archive")
          .map((f) => {
            const asset = assets.find((a) => a.name === f.name);
            if (asset === undefined) throw new Error(`archive ${f.name} is not among the release's assets`);
            // The checksum of what the URL serves (the upload was checked against this build's file).
            return { goos: f.goos, goarch: f.goarch, url: asset.url, sha256: asset.sha256 || f.sha256 };
          }),
      }),
    );
    new github.RepositoryFile(
      child.file,
      {
        repository,
        file: "Formula/splaictl.rb",
        branch: args.branch ?? "main",
        content: this.formula,
        commitMessage: `splaictl ${args.version}`,
        overwriteOnCreate: true,
      },
      // Users install from it: destroying the stack leaves the released formula where it is.
      { parent: this, provider, retainOnDelete: true },
    );
    this.registerOutputs({ formula: this.formula });
  }
}
