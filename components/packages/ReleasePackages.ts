// ReleasePackages: what users download besides raw binaries — an archive per target, Linux packages of splaictl and the
// worker agent — and the release's SHA256SUMS over all of it. Made again exactly when a binary or the version changes.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stepCommand } from "../../shared/step/command";
import type { BuiltBinary } from "../binaries/contract";
import {
  PACKAGE_RELEASE,
  packageChildren,
  RELEASE_PACKAGES_TYPE,
  type LinuxPackage,
  type PackageMeta,
  type ReleaseDownloads,
  type ReleaseFile,
} from "./contract";

export interface ReleasePackagesArgs {
  /** The release's binaries with their checksums (built or promoted). */
  readonly binaries: pulumi.Input<BuiltBinary[]>;
  /** The version in file names and package metadata. */
  readonly version: string;
  /** SOURCE_DATE_EPOCH: the time of every file in the archives and packages. */
  readonly sourceDateEpoch: number;
  /** Where the binaries are; archives, packages and SHA256SUMS are written beside them. */
  readonly outDir: string;
  /** The source tree: its LICENSE and README.md go into each archive. */
  readonly source: string;
  /** nfpm packagers to build (deb, rpm, apk); default: all three. Empty: archives only. */
  readonly formats?: readonly string[];
  /** The Linux packages; default: none. */
  readonly packages?: readonly LinuxPackage[];
  readonly meta: PackageMeta;
}

/** The hash of the tree's documentation files the archives carry, so an edit of them packs again. */
function docsHash(source: string): string {
  const h = createHash("sha256");
  for (const f of ["LICENSE", "README.md"])
    if (existsSync(join(source, f))) h.update(f).update(readFileSync(join(source, f)));
  return h.digest("hex");
}

export class ReleasePackages extends pulumi.ComponentResource implements ReleaseDownloads {
  /** Archives and packages with their checksums. */
  public readonly files: pulumi.Output<ReleaseFile[]>;
  /** The release's SHA256SUMS: every binary, archive and package. */
  public readonly checksums: pulumi.Output<string>;
  public readonly checksumsPath: string;

  constructor(name: string, args: ReleasePackagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RELEASE_PACKAGES_TYPE, name, {}, opts);
    const formats = [...(args.formats ?? ["deb", "rpm", "apk"])];
    const packages = [...(args.packages ?? [])];
    const sums = pulumi.output(args.binaries).apply((bs) =>
      bs
        .map((b) => `${b.sha256}  ${b.name}`)
        .sort()
        .join("\n"),
    );
    const build = stepCommand(
      PACKAGE_RELEASE,
      packageChildren(name).build,
      {
        env: {
          VERSION: args.version,
          SOURCE_DATE_EPOCH: args.sourceDateEpoch,
          OUT_DIR: args.outDir,
          SOURCE_DIR: args.source,
          BINARIES: args.binaries,
          FORMATS: formats,
          PACKAGES: packages,
          META: args.meta,
        },
        triggers: [
          sums,
          args.version,
          args.sourceDateEpoch,
          JSON.stringify([formats, packages, args.meta]),
          docsHash(args.source),
        ],
      },
      { parent: this },
    );
    this.files = build.output.apply((o) => [...o.archives, ...o.packages]);
    this.checksums = build.output.apply((o) => o.checksums);
    this.checksumsPath = join(args.outDir, "SHA256SUMS");
    this.registerOutputs({ files: this.files, checksums: this.checksums, checksumsPath: this.checksumsPath });
  }
}
