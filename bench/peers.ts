// The tools a Go team would pick instead, on the same tree, machine and registry as the program: GoReleaser (binaries,
// archives, SHA256SUMS, images through its `kos` builder, which is ko inside) and ko alone for the images; and the
// program doing the same work (bench/same-work.ts).
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import * as YAML from "yaml";
import { SPLAI_MAINS, type MainSpec } from "../shared/layout";
import { info, UserError } from "../tools/lib/log";
import type { Platform } from "../tools/lib/platform-client";
import { releaseProject } from "../tools/lib/release-project";
import { round, timed, type Timed } from "./measure";
import { BENCH_CONFIG, fixtureCopy, setStructuredConfig } from "./scenarios";

const IMAGE_PLATFORMS = ["linux/amd64", "linux/arm64"];
const LDFLAGS = "-s -w -X main.version={{.Version}}";
const imageMains = (mains: readonly MainSpec[]): MainSpec[] => mains.filter((m) => m.image !== undefined);

/** One sample: seconds and the machine's 1-minute load average when it started. */
export interface Sample {
  seconds: number;
  load: number;
}

/**
 * The `.goreleaser.yaml` a Go team would write for SPLAI: the six mains for the three targets with the program's
 * flags, one tar.gz per target, SHA256SUMS, and the five images for linux/amd64 and linux/arm64 pushed with `kos` on
 * the same base as the program's images (scratch, CA certificates, non-root user). No SBOM (the program's stack runs
 * without attestations), no GitHub release, no changelog.
 */
export function goreleaserConfig(registry: string, owner: string, base: string): string {
  const builds = SPLAI_MAINS.map((m) => ({
    id: m.binary,
    main: m.pkg,
    binary: m.binary,
    env: ["CGO_ENABLED=0", "GOFLAGS=-mod=mod"],
    flags: ["-trimpath", "-buildvcs=false"],
    ldflags: [LDFLAGS],
    // linux/amd64, linux/arm64 and darwin/arm64: the program's default targets.
    goos: ["linux", "darwin"],
    goarch: ["amd64", "arm64"],
    ignore: [{ goos: "darwin", goarch: "amd64" }],
  }));
  return YAML.stringify({
    version: 2,
    project_name: "splai",
    dist: ".goreleaser-dist",
    builds,
    archives: [
      {
        id: "splai",
        ids: builds.map((b) => b.id),
        formats: ["tar.gz"],
        name_template: "splai_{{ .Version }}_{{ .Os }}_{{ .Arch }}",
      },
    ],
    checksum: { name_template: "SHA256SUMS", algorithm: "sha256" },
    kos: imageMains(SPLAI_MAINS).map((m) => ({
      id: m.image,
      build: m.binary,
      main: m.pkg,
      base_image: base,
      repositories: [`${registry}/${owner}/goreleaser-splai-${m.image}`],
      platforms: IMAGE_PLATFORMS,
      tags: ["{{ .Version }}", "latest"],
      bare: true,
      sbom: "none",
      user: "65532:65532",
      creation_time: "{{ .CommitTimestamp }}",
    })),
    release: { disable: true },
    changelog: { disable: true },
  });
}

/** ko's own config for the same five images: the builds' flags and ldflags, the same base, two platforms. */
export function koConfig(base: string, version: string): string {
  return YAML.stringify({
    defaultBaseImage: base,
    defaultPlatforms: IMAGE_PLATFORMS,
    builds: imageMains(SPLAI_MAINS).map((m) => ({
      id: m.image,
      main: m.pkg,
      env: ["CGO_ENABLED=0", "GOFLAGS=-mod=mod"],
      flags: ["-trimpath", "-buildvcs=false"],
      ldflags: [LDFLAGS.replace("{{.Version}}", version)],
    })),
  });
}

/** Runs a tool in `cwd`, timed; its output is kept for the error only. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const load = loadavg()[0];
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const seconds = (Date.now() - t0) / 1000;
  if (r.error)
    throw new UserError(`${cmd} could not start: ${r.error.message}; build it with npm run toolchain -- --bench`);
  if (r.status !== 0)
    throw new UserError(`${cmd} ${args.join(" ")} failed (exit ${r.status}) in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return { seconds, load };
}

/** Docker credentials for the platform's registry, as GoReleaser and ko read them (DOCKER_CONFIG). */
function dockerConfig(p: Platform, dir: string): string {
  const d = join(dir, "docker");
  mkdirSync(d, { recursive: true });
  const auth = Buffer.from(`${p.state.registry.username}:${p.state.registry.password}`).toString("base64");
  writeFileSync(join(d, "config.json"), JSON.stringify({ auths: { [p.state.registry.address]: { auth } } }));
  return d;
}

/**
 * The base both peers build on, equal to the program's default: scratch with CA certificates and /etc/passwd (root,
 * nonroot 65532), for both platforms, pushed once with BuildKit. Returns its reference.
 */
export function pushPeerBase(p: Platform, owner: string, dir: string, docker: string): string {
  const ctx = join(dir, "base");
  mkdirSync(ctx, { recursive: true });
  cpSync("/etc/ssl/certs/ca-certificates.crt", join(ctx, "ca-certificates.crt"));
  writeFileSync(
    join(ctx, "passwd"),
    "root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n",
  );
  writeFileSync(
    join(ctx, "Dockerfile"),
    [
      "FROM scratch",
      "COPY --chmod=0644 ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
      "COPY --chmod=0644 passwd /etc/passwd",
      "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
      "",
    ].join("\n"),
  );
  const ref = `${p.state.registry.address}/${owner}/peer-base:scratch`;
  run(
    "buildctl",
    [
      "--addr",
      `unix://${p.state.buildkit.socket}`,
      "build",
      "--progress=quiet",
      "--frontend",
      "dockerfile.v0",
      "--local",
      `context=${ctx}`,
      "--local",
      `dockerfile=${ctx}`,
      "--opt",
      `platform=${IMAGE_PLATFORMS.join(",")}`,
      "--output",
      `type=image,name=${ref},push=true`,
    ],
    ctx,
    { ...process.env, DOCKER_CONFIG: docker },
  );
  return ref;
}

export interface PeerSamples {
  goreleaserCold: Sample[];
  goreleaserWarm: Sample[];
  ko: Sample[];
  sameWorkCold: Timed[];
  sameWorkNoop: Timed[];
  /** Load average at the start of each same-work sample. */
  sameWorkLoad: { cold: number[]; noop: number[] };
}

export const emptyPeerSamples = (): PeerSamples => ({
  goreleaserCold: [],
  goreleaserWarm: [],
  ko: [],
  sameWorkCold: [],
  sameWorkNoop: [],
  sameWorkLoad: { cold: [], noop: [] },
});

/**
 * One run of every peer on a fresh copy of the fixture: GoReleaser cold (empty Go build cache) and warm (a rerun on
 * the unchanged tree), ko alone (warm Go cache, its own repositories), and the program's same-work stack cold (its
 * own empty Go build cache) and no-op.
 */
export async function peerRun(p: Platform, index: number, out: PeerSamples): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "splai-peers-"));
  try {
    const owner = `peers${Date.now().toString(36)}`;
    const docker = dockerConfig(p, work);
    const base = pushPeerBase(p, owner, work, docker);
    const tree = fixtureCopy(0);
    try {
      const version = `0.1.${index}`;
      tree.git("tag", `v${version}`);
      // GoReleaser reads the remote to name the project's repository; nothing is fetched or pushed.
      tree.git("remote", "add", "origin", "https://github.com/splai/splai.git");
      const config = join(work, "goreleaser.yaml");
      writeFileSync(config, goreleaserConfig(p.state.registry.address, owner, base));
      writeFileSync(join(tree.dir, ".ko.yaml"), koConfig(base, version));
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DOCKER_CONFIG: docker,
        GOCACHE: join(work, "gocache-goreleaser"),
        // Not used (no GitHub release): GoReleaser only wants one set.
        GITHUB_TOKEN: "unused",
      };
      const goreleaser = ["release", "--clean", "--config", config, "--skip=validate,announce"];
      info("bench", `run ${index + 1}: GoReleaser, cold (empty Go build cache)`);
      out.goreleaserCold.push(run("goreleaser", goreleaser, tree.dir, env));
      info("bench", `run ${index + 1}: GoReleaser, warm (unchanged tree)`);
      out.goreleaserWarm.push(run("goreleaser", goreleaser, tree.dir, env));
      info("bench", `run ${index + 1}: ko alone, five images, two platforms (warm Go cache)`);
      const koArgs = [
        "build",
        "--base-import-paths",
        "--sbom=none",
        `--tags=${version}`,
        "--platform",
        IMAGE_PLATFORMS.join(","),
      ];
      out.ko.push(
        run("ko", [...koArgs, ...imageMains(SPLAI_MAINS).map((m) => m.pkg)], tree.dir, {
          ...env,
          KO_DOCKER_REPO: `${p.state.registry.address}/${owner}/ko`,
        }),
      );
      info(
        "bench",
        `  GoReleaser cold ${round(out.goreleaserCold[index].seconds)}s, warm ${round(out.goreleaserWarm[index].seconds)}s, ko ${round(out.ko[index].seconds)}s`,
      );
    } finally {
      rmSync(tree.dir, { recursive: true, force: true });
    }

    const proj = await releaseProject(p, {
      entry: "bench/same-work.ts",
      config: {
        ...BENCH_CONFIG,
        "splai-release:deploy": { value: "false" },
      },
      env: { GOCACHE: join(work, "gocache-ours") },
    });
    try {
      // GoReleaser's config builds no Linux packages: neither does this stack (archives and SHA256SUMS only).
      setStructuredConfig(proj, "splai-release:linuxPackages", []);
      info("bench", `run ${index + 1}: splai-release, same work, cold (empty Go build cache)`);
      out.sameWorkLoad.cold.push(loadavg()[0]);
      out.sameWorkCold.push(await timed(proj.stack, "up"));
      info("bench", `run ${index + 1}: splai-release, same work, no-op`);
      out.sameWorkLoad.noop.push(loadavg()[0]);
      out.sameWorkNoop.push(await timed(proj.stack, "up"));
      info(
        "bench",
        `  ours cold ${round(out.sameWorkCold[index].seconds)}s, no-op ${round(out.sameWorkNoop[index].seconds)}s`,
      );
    } finally {
      await proj.cleanup();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
