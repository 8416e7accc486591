// The contract of GoBinaries and PromotedBinaries: the binary record, the promotion copy step, and the names of their resources.
import type * as pulumi from "@pulumi/pulumi";
import { json, optionalText, stepContract, text } from "../../shared/step/contract";
import { hostTarget } from "../../shared/layout";

/** One released binary. */
export interface BuiltBinary {
  readonly name: string;
  readonly binary: string;
  readonly goos: string;
  readonly goarch: string;
  readonly path: string;
  readonly sha256: string;
}

/** Copies a dev build's binaries into this release's dist directory, each checked against dev's SHA256SUMS first. */
export const PROMOTE_BINARIES = stepContract<BuiltBinary[]>()("promote-binaries", {
  /** The dev stack (named in errors). */
  DEV_STACK: text,
  /** Dev's binaries by file name in another directory (a CI artifact), instead of the paths dev recorded. */
  DEV_DIR: optionalText,
  OUT_DIR: text,
  /** Dev's SHA256SUMS. */
  CHECKSUMS: text,
  FILES: json<BuiltBinary[]>(),
});

/** Child resource names under a GoBinaries (or PromotedBinaries) named `name`. */
export const binaryChildren = (name: string) => ({
  /** The build of one file (`splai-planner-linux-arm64`). */
  build: (file: string) => `${name}-${file}`,
  sums: `${name}-sha256sums`,
  copy: `${name}-copy`,
});

/** What the release takes from the binaries, built (GoBinaries) or promoted (PromotedBinaries). */
export interface ReleaseBinaries {
  /** Every binary with its checksum. */
  readonly binaries: pulumi.Output<BuiltBinary[]>;
  /** Contents of SHA256SUMS (sha256sum format). */
  readonly checksums: pulumi.Output<string>;
  readonly checksumsPath: string;
  readonly outDir: string;
}

/** The path of a released binary built for the machine this runs on (the released splaictl checks a deployment). */
export const hostBinaryPath = (r: ReleaseBinaries, binary: string): pulumi.Output<string | undefined> => {
  const host = hostTarget();
  return r.binaries.apply(
    (bs) => bs.find((b) => b.binary === binary && b.goos === host.goos && b.goarch === host.goarch)?.path,
  );
};

/** Type tokens of the components (stable: they are part of every URN). */
export const GO_BINARIES_TYPE = "splai:build:GoBinaries";
export const PROMOTED_BINARIES_TYPE = "splai:release:PromotedBinaries";
