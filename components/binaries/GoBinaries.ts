// GoBinaries: every SPLAI main for every target with `go build`, then SHA256SUMS; rebuilt only when its sources or flags change.
import type * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { join } from "node:path";
import { binaryFile, type MainSpec, type Target } from "../../shared/layout";
import { localPackagesOf, sourceHasher, type LocalPackage } from "./sourcehash";
import { localCommand } from "../../shared/step/command";
import { binaryChildren, type BuiltBinary, GO_BINARIES_TYPE, type ReleaseBinaries } from "./contract";

export type { BuiltBinary } from "./contract";

export interface GoBinariesArgs {
  /** Root of the Go module (the SPLAI checkout). */
  readonly source: string;
  /** Mains to build. Plain: it decides how many resources exist. */
  readonly mains: readonly MainSpec[];
  /** GOOS/GOARCH pairs. Plain. Default in config: linux/amd64, linux/arm64, darwin/arm64. */
  readonly targets: readonly Target[];
  /** Directory the binaries and SHA256SUMS are written to. */
  readonly outDir: string;
  /** Injected as `-X main.version=<version>` into every main (ignored by Go where the variable is missing). */
  readonly version: string;
  /**
   * The module's own packages each main imports (what its build trigger hashes). Default: `localPackagesOf`, which
   * asks `go list`; unit tests pass a fake so they need no Go toolchain.
   */
  readonly packagesOf?: (source: string, mains: readonly string[]) => Map<string, LocalPackage[]>;
}

/** One binary as planned: everything but its checksum is known before the build. */
export interface BinaryBuild extends Omit<BuiltBinary, "sha256"> {
  readonly sha256: pulumi.Output<string>;
}

export class GoBinaries extends pulumi.ComponentResource implements ReleaseBinaries {
  /** Every binary with its checksum. */
  public readonly binaries: pulumi.Output<BuiltBinary[]>;
  /**
   * The same binaries one by one, names and paths plain: a consumer that waits on its own binaries only (an image on
   * its service's) stays unchanged in a preview when other services are rebuilt.
   */
  public readonly builds: readonly BinaryBuild[];
  /** Contents of SHA256SUMS (sha256sum format). */
  public readonly checksums: pulumi.Output<string>;
  public readonly checksumsPath: string;
  public readonly outDir: string;

  constructor(name: string, args: GoBinariesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(GO_BINARIES_TYPE, name, {}, opts);
    const ldflags = `-s -w -X main.version=${args.version}`;
    const child = binaryChildren(name);
    const builds: BinaryBuild[] = [];
    const packages = (args.packagesOf ?? localPackagesOf)(
      args.source,
      args.mains.map((m) => m.pkg),
    );
    // Per target, the main with the most packages of the module builds first and the others wait for it: on an empty
    // Go build cache, 18 concurrent builds would each compile the standard library and shared packages for their
    // target again. Waiting adds no trigger, so a main whose inputs are unchanged is still never rebuilt.
    const primer = [...args.mains].sort(
      (a, b) => (packages.get(b.pkg)?.length ?? 0) - (packages.get(a.pkg)?.length ?? 0),
    )[0];
    const primed = new Map<string, command.local.Command>();
    const byFile = new Map<string, BinaryBuild>();
    for (const main of primer ? [primer, ...args.mains.filter((m) => m !== primer)] : []) {
      const sources = sourceHasher(args.source, packages.get(main.pkg) ?? []);
      for (const t of args.targets) {
        const file = binaryFile(main.binary, t);
        const path = join(args.outDir, file);
        const flags = `-trimpath -buildvcs=false -ldflags '${ldflags}'`;
        const inputs = sources.withExtra([t.goos, t.goarch, flags]);
        const first = primed.get(`${t.goos}/${t.goarch}`);
        const cmd = localCommand(
          child.build(file),
          {
            dir: args.source,
            // The build prints only the checksum, which becomes this resource's output.
            create: `set -e; mkdir -p '${args.outDir}'; go build ${flags} -o '${path}.tmp' '${main.pkg}'; mv '${path}.tmp' '${path}'; sha256sum '${path}' | cut -d' ' -f1`,
            environment: {
              GOOS: t.goos,
              GOARCH: t.goarch,
              CGO_ENABLED: "0",
              GOFLAGS: "-mod=mod",
            },
            triggers: [inputs],
          },
          { parent: this, dependsOn: first === undefined ? [] : [first] },
        );
        if (first === undefined) primed.set(`${t.goos}/${t.goarch}`, cmd);
        byFile.set(file, {
          name: file,
          binary: main.binary,
          goos: t.goos,
          goarch: t.goarch,
          path,
          sha256: cmd.stdout.apply((out) => out.trim()),
        });
      }
    }
    // In the order of the mains and targets given, whichever built first.
    for (const main of args.mains) for (const t of args.targets) builds.push(byFile.get(binaryFile(main.binary, t))!);
    this.builds = builds;
    this.binaries = pulumi.all(builds.map((b) => b.sha256.apply((sha256): BuiltBinary => ({ ...b, sha256 }))));
    this.outDir = args.outDir;
    this.checksumsPath = join(args.outDir, "SHA256SUMS");
    const sums = this.binaries.apply((bs) =>
      [...bs]
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((b) => `${b.sha256}  ${b.name}\n`)
        .join(""),
    );
    const checksumsFile = localCommand(
      child.sums,
      {
        // The file is written from the recorded checksums, then verified against the binaries on disk.
        create: pulumi.interpolate`set -e; cd '${args.outDir}'; printf '%s' "$SUMS" > SHA256SUMS; sha256sum --check --quiet SHA256SUMS; cat SHA256SUMS`,
        environment: { SUMS: sums },
        triggers: [sums],
      },
      { parent: this },
    );
    this.checksums = checksumsFile.stdout.apply((s) => `${s.trim()}\n`);
    this.registerOutputs({ binaries: this.binaries, checksums: this.checksums, checksumsPath: this.checksumsPath });
  }
}
