// The contract of ReleasePackages and its step: archives, Linux packages and the release's SHA256SUMS.
import type * as pulumi from "@pulumi/pulumi";
import { integer, json, stepContract, text } from "../../shared/step/contract";
import type { BuiltBinary } from "../binaries/contract";

/** A file the release attaches besides the raw binaries. */
export interface ReleaseFile {
  readonly name: string;
  readonly path: string;
  readonly sha256: string;
  readonly kind: "archive" | "deb" | "rpm" | "apk";
  readonly goos: string;
  readonly goarch: string;
}

/** One Linux package: a binary installed as /usr/bin/<name>, optionally run by a systemd unit. */
export interface LinuxPackage {
  readonly name: string;
  /** Release binary name (`splai-worker`); the package takes its linux builds. */
  readonly binary: string;
  readonly description: string;
  /** A systemd unit installed as /lib/systemd/system/<name>.service. */
  readonly unit?: string;
}

export interface PackageMeta {
  readonly maintainer: string;
  readonly license: string;
  readonly vendor: string;
  readonly homepage: string;
}

export interface PackagedRelease {
  readonly archives: ReleaseFile[];
  readonly packages: ReleaseFile[];
  /** The release's SHA256SUMS: every binary, archive and package. */
  readonly checksums: string;
}

/** Builds the archives and packages of a release's binaries and writes SHA256SUMS over everything released. */
export const PACKAGE_RELEASE = stepContract<PackagedRelease>()("package-release", {
  VERSION: text,
  SOURCE_DATE_EPOCH: integer,
  /** Where the binaries are and the archives, packages and SHA256SUMS go. */
  OUT_DIR: text,
  /** The source tree, whose LICENSE and README.md go into every archive (those that exist). */
  SOURCE_DIR: text,
  BINARIES: json<BuiltBinary[]>(),
  /** nfpm packagers: deb, rpm, apk (none: no packages). */
  FORMATS: json<string[]>(),
  PACKAGES: json<LinuxPackage[]>(),
  META: json<PackageMeta>(),
});

/** Child resource names under a ReleasePackages named `name`. */
export const packageChildren = (name: string) => ({ build: `${name}-build` });

/** Type token of the component (stable: it is part of every URN). */
export const RELEASE_PACKAGES_TYPE = "splai:release:ReleasePackages";

/** `splai_<version>_<os>_<arch>.tar.gz`, as GoReleaser names archives. */
export const archiveName = (version: string, goos: string, goarch: string): string =>
  `splai_${version}_${goos}_${goarch}.tar.gz`;

/** nfpm's name of a package file, spelled the way each distribution names them. */
export function packageFileName(pkg: string, version: string, goarch: string, format: string): string {
  if (format === "deb") return `${pkg}_${version}_${goarch}.deb`;
  if (format === "rpm") return `${pkg}-${version}.${goarch === "amd64" ? "x86_64" : "aarch64"}.rpm`;
  return `${pkg}_${version}_${goarch === "amd64" ? "x86_64" : "aarch64"}.apk`;
}

/**
 * The names of the files a release offers besides its binaries, known before anything is built: an archive per target,
 * and each package in each format for each linux target (the plan lists them at preview).
 */
export function downloadNames(
  version: string,
  targets: readonly { goos: string; goarch: string }[],
  formats: readonly string[],
  packages: readonly Pick<LinuxPackage, "name">[],
): string[] {
  const distinct = [...new Map(targets.map((t) => [`${t.goos}/${t.goarch}`, t])).values()];
  return [
    ...distinct.map((t) => archiveName(version, t.goos, t.goarch)),
    ...distinct
      .filter((t) => t.goos === "linux")
      .flatMap((t) => packages.flatMap((p) => formats.map((f) => packageFileName(p.name, version, t.goarch, f)))),
  ].sort();
}

/** What a release offers for download, besides SHA256SUMS: the artifacts of ReleasePackages and the raw binaries. */
export interface ReleaseDownloads {
  readonly files: pulumi.Output<ReleaseFile[]>;
  readonly checksums: pulumi.Output<string>;
}

/** Type token of the Homebrew tap component. */
export const HOMEBREW_TAP_TYPE = "splai:release:HomebrewTap";

/** Child resource names under a HomebrewTap named `name`. */
export const tapChildren = (name: string) => ({ provider: `${name}-github`, file: `${name}-formula` });
