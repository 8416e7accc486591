// PromotedBinaries: a dev build's release binaries and SHA256SUMS, checked and copied into this release's dist directory — built once, never rebuilt.
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import type { DevBinary } from "../promotion/promotion";
import type { BuiltBinary } from "./GoBinaries";
import { stepCommand } from "../../shared/step/command";
import { binaryChildren, PROMOTE_BINARIES, PROMOTED_BINARIES_TYPE, type ReleaseBinaries } from "./contract";

export interface PromotedBinariesArgs {
  /** Stack the binaries come from (named in errors). */
  readonly stack: string;
  /** The dev build's binaries with their paths and checksums; every file must be readable from this machine. */
  readonly binaries: pulumi.Input<readonly DevBinary[]>;
  /** The dev build's SHA256SUMS; each binary is checked against it before anything is copied. */
  readonly checksums: pulumi.Input<string>;
  /** Directory the binaries and SHA256SUMS are copied to. */
  readonly outDir: string;
  /** Where dev's binaries are, by file name, when not at dev's recorded paths (a CI artifact). Default: dev's paths. */
  readonly sourceDir?: string;
}

/** The same public shape as GoBinaries, so the deployment check and the GitHub release take either. */
export class PromotedBinaries extends pulumi.ComponentResource implements ReleaseBinaries {
  /** Every binary with its checksum, at its path in `outDir`. */
  public readonly binaries: pulumi.Output<BuiltBinary[]>;
  /** Contents of SHA256SUMS (the dev build's, unchanged). */
  public readonly checksums: pulumi.Output<string>;
  public readonly checksumsPath: string;
  public readonly outDir: string;

  constructor(name: string, args: PromotedBinariesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PROMOTED_BINARIES_TYPE, name, {}, opts);
    const copy = stepCommand(
      PROMOTE_BINARIES,
      binaryChildren(name).copy,
      {
        env: {
          DEV_STACK: args.stack,
          DEV_DIR: args.sourceDir,
          OUT_DIR: args.outDir,
          CHECKSUMS: args.checksums,
          FILES: args.binaries as pulumi.Input<DevBinary[]>,
        },
        // Copied again exactly when dev's build (its checksums) or the destination changes.
        triggers: [args.checksums, args.outDir],
      },
      { parent: this },
    );
    this.binaries = copy.output;
    this.checksums = pulumi.all([copy.output, args.checksums]).apply(([, sums]) => sums);
    this.outDir = args.outDir;
    this.checksumsPath = join(args.outDir, "SHA256SUMS");
    this.registerOutputs({ binaries: this.binaries, checksums: this.checksums, checksumsPath: this.checksumsPath });
  }
}
