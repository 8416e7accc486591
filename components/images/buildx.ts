// Registers a buildx "remote" builder for given BuildKit endpoints, so a team can build on remote or native-arm64 nodes.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function buildxConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.BUILDX_CONFIG ?? join(env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "buildx");
}

/** A platform as buildx's store and BuildKit's API spell it. */
export interface OciPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** A buildx builder instance as buildx stores it (`<BUILDX_CONFIG>/instances/<name>`). */
export interface BuildxInstance {
  Name: string;
  Driver: string;
  Nodes: {
    Name: string;
    Endpoint: string;
    Platforms: OciPlatform[] | null;
    DriverOpts: Record<string, string>;
    Flags: string[] | null;
    Files: Record<string, string> | null;
  }[];
  Dynamic: boolean;
}

/**
 * The builder instance `name`: one node per endpoint, in order. A node whose platform is known (`platforms[i]`, its
 * daemon's default platform) is pinned to it, so buildx sends each platform of a multi-platform build to the node
 * built for it (a native arm64 daemon builds arm64, not the first node through emulation); a node with `undefined`
 * is left to buildx, which asks the daemon what it supports.
 */
export function remoteBuilderInstance(
  name: string,
  endpoints: readonly string[],
  platforms: readonly (OciPlatform | undefined)[] = [],
): BuildxInstance {
  return {
    Name: name,
    Driver: "remote",
    Nodes: endpoints.map((e, i) => {
      const p = platforms[i];
      return {
        Name: `${name}${i}`,
        Endpoint: e,
        Platforms: p === undefined ? null : [{ ...p }],
        DriverOpts: {},
        Flags: null,
        Files: null,
      };
    }),
    Dynamic: false,
  };
}

/** `debug workers --format '{{json .}}'` output: each worker's platforms, the one it was configured for first. */
interface WorkerInfo {
  platforms?: OciPlatform[];
}

/**
 * The default platform of the BuildKit daemon at `endpoint`: the first platform of its first worker, which is the
 * worker's configured platform (`[worker.oci] platforms`) or else the host's own. BuildKit appends what the host can
 * also run (amd64 hosts: 386, amd64/v2…; with QEMU: arm64), so the rest of the list says nothing about what the node
 * is for. Undefined when buildctl or the daemon does not answer (a preview without the fleet, for example).
 */
export function daemonPlatform(endpoint: string, env: NodeJS.ProcessEnv = process.env): OciPlatform | undefined {
  let out: string;
  try {
    out = execFileSync(
      "buildctl",
      ["--addr", endpoint, "--timeout", "5", "debug", "workers", "--format", "{{json .}}"],
      {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
        timeout: 15_000,
      },
    );
  } catch {
    return undefined;
  }
  return parseDaemonPlatform(out);
}

/** The default platform in `buildctl debug workers --format '{{json .}}'` output (see daemonPlatform). */
export function parseDaemonPlatform(out: string): OciPlatform | undefined {
  let workers: WorkerInfo[];
  try {
    workers = JSON.parse(out) as WorkerInfo[];
  } catch {
    return undefined;
  }
  const p = Array.isArray(workers) ? workers[0]?.platforms?.[0] : undefined;
  if (p === undefined || typeof p.os !== "string" || typeof p.architecture !== "string") return undefined;
  return p.variant
    ? { os: p.os, architecture: p.architecture, variant: p.variant }
    : { os: p.os, architecture: p.architecture };
}

/**
 * Writes (only when different) the builder instance `name` with one node per endpoint, each pinned to its daemon's
 * default platform when the daemon answers (`platformOf`, by default daemonPlatform); returns the builder name.
 */
export function ensureRemoteBuilder(
  name: string,
  endpoints: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  platformOf: (endpoint: string) => OciPlatform | undefined = (e) => daemonPlatform(e, env),
): string {
  const dir = join(buildxConfigDir(env), "instances");
  const file = join(dir, name);
  const text = JSON.stringify(remoteBuilderInstance(name, endpoints, endpoints.map(platformOf)));
  let current = "";
  try {
    current = readFileSync(file, "utf8");
  } catch {
    /* first time */
  }
  if (current !== text) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, text, { mode: 0o600 });
  }
  return name;
}

/** The BuildKit address of a buildx builder's first node (as buildctl takes it), or undefined when the builder is unknown. */
export function builderEndpoint(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const group = JSON.parse(readFileSync(join(buildxConfigDir(env), "instances", name), "utf8")) as {
      Nodes?: { Endpoint?: string }[];
    };
    const endpoint = group.Nodes?.[0]?.Endpoint;
    return endpoint === undefined || endpoint === "" ? undefined : endpoint;
  } catch {
    return undefined;
  }
}
