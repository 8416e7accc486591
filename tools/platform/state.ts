// The local platform's state file: ports, credentials, endpoints and pids, shared by the platform script, release:local and tests.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileBackendUrl } from "../lib/backend";
import { s3BackendUrl } from "../lib/s3";
import { UserError } from "../lib/log";
import { platformDir } from "../lib/paths";
import type { ProcRecord } from "./procs";
import { loadToolchain } from "../toolchain/versions";
import { toolEnv } from "../lib/toolenv";

export const LOCAL_PASSPHRASE = "splai-local-platform";

export type NodeMode = "fake" | "real";

/** Where the platform keeps Pulumi state: a file backend in its directory, or its S3 server (versitygw). */
export type StateMode = "file" | "s3";

/** The platform's S3-compatible object store (versitygw over a posix directory), run with `up --state s3`. */
export interface ObjectStoreSettings {
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** The optional real node: containerd + kubelet + a CNI bridge, all named so two checkouts' nodes never meet. */
export interface RealNodeSettings {
  /** Node name in the API. */
  name: string;
  /** CNI bridge interface (at most 15 characters). */
  bridge: string;
  /** Pod subnet, a /24 whose .1 is the bridge's (and the node's) address. */
  subnet: string;
  /** cgroup (every v1 hierarchy) under which the kubelet puts its pods. */
  cgroupRoot: string;
}

/** One daemon of the BuildKit fleet (`up --fleet`): a buildkitd whose only worker builds one platform. */
export interface FleetNode {
  /** `os/arch`, the only platform its oci worker accepts. */
  platform: string;
  /** Service name (`buildkitd-amd64`), also its log's and data directory's name. */
  name: string;
  /** Its unix socket, under the state directory. */
  socket: string;
}

/** The platforms of the fleet, one daemon each. */
export const FLEET_PLATFORMS = ["linux/amd64", "linux/arm64"] as const;

/** The fleet's daemons, in FLEET_PLATFORMS order. */
export const fleetNodes = (dir: string): FleetNode[] =>
  FLEET_PLATFORMS.map((platform) => {
    const arch = platform.split("/")[1];
    return { platform, name: `buildkitd-${arch}`, socket: join(dir, `buildkitd-${arch}.sock`) };
  });

/** The fleet's BuildKit addresses, as builderEndpoints and SPLAI_BUILDER_ENDPOINTS take them; empty without the fleet. */
export const fleetEndpoints = (s: PlatformState): string[] =>
  s.fleet?.enabled === true ? s.fleet.nodes.map((n) => `unix://${n.socket}`) : [];

/** `--fleet` or `--no-fleet`, else SPLAI_FLEET (1/0), else what the platform used last (a plain `up` keeps the fleet). */
export function requestedFleet(args: readonly string[], current: boolean, env = process.env): boolean {
  if (args.includes("--fleet")) return true;
  if (args.includes("--no-fleet")) return false;
  const raw = env.SPLAI_FLEET;
  if (raw === undefined || raw === "") return current;
  if (raw === "1" || raw === "true") return true;
  if (raw === "0" || raw === "false") return false;
  throw new UserError(`SPLAI_FLEET=${raw} is not accepted; use 1 (start the BuildKit fleet) or 0 (stop it)`);
}

export interface PlatformState {
  dir: string;
  ports: {
    registry: number;
    etcdClient: number;
    etcdPeer: number;
    apiserver: number;
    github: number;
    kubelet: number;
    s3: number;
  };
  /** Which nodes run pods: kwok's fake nodes (default) or the real node. `requested` is what `up` was asked for. */
  node: { mode: NodeMode; requested: NodeMode; real: RealNodeSettings; fallbackReason?: string };
  registry: { address: string; username: string; password: string };
  github: { url: string; token: string; owner: string; repo: string };
  kubeconfig: string;
  buildkit: { socket: string; builder: string };
  /**
   * The BuildKit fleet beside the platform's own buildkitd: one single-platform daemon per FLEET_PLATFORMS entry.
   * `up --fleet` turns it on, `up --no-fleet` off; a plain `up` keeps what the last one chose.
   */
  fleet?: { enabled: boolean; nodes: FleetNode[] };
  /** BuildKit SBOM generator image in the platform registry (the toolchain's splai-sbom-scanner), pushed by `up`. */
  sbomGenerator: string;
  /** The backend of the platform's own stacks (`local`): `mode` picks the file backend or the object store. */
  pulumi: { backend: string; passphrase: string; mode: StateMode };
  s3: ObjectStoreSettings;
  /**
   * The local stack's cosign key pair (`cosign generate-key-pair` by `up`): key and public key files, and the key's
   * password. Throwaway, like the registry's credentials; exported as SPLAI_SIGNING_KEY / SPLAI_SIGNING_PASSWORD.
   */
  signing?: { key: string; publicKey: string; password: string };
  ca: string;
  nodes: string[];
  procs: Record<string, ProcRecord>;
}

function port(envVar: string, fallback: number): number {
  const raw = process.env[envVar];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UserError(`${envVar}=${raw} is not a TCP port (1-65535)`);
  return n;
}

export const stateFile = (dir = platformDir): string => join(dir, "platform.json");

export function readState(dir = platformDir): PlatformState | undefined {
  const f = stateFile(dir);
  return existsSync(f) ? (JSON.parse(readFileSync(f, "utf8")) as PlatformState) : undefined;
}

export function writeState(s: PlatformState): void {
  const f = stateFile(s.dir);
  writeFileSync(`${f}.tmp`, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${f}.tmp`, f);
}

/** The existing state, or a new one with generated credentials; ports come from SPLAI_PORT_* and the buildx builder name from SPLAI_BUILDER, or the defaults. */
export function initState(dir = platformDir): PlatformState {
  const old = readState(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const secret = (): string => randomBytes(18).toString("base64url");
  const ports = {
    registry: port("SPLAI_PORT_REGISTRY", 5443),
    etcdClient: port("SPLAI_PORT_ETCD", 12379),
    etcdPeer: port("SPLAI_PORT_ETCD_PEER", 12380),
    apiserver: port("SPLAI_PORT_APISERVER", 16443),
    github: port("SPLAI_PORT_GITHUB", 18080),
    kubelet: port("SPLAI_PORT_KUBELET", 10250),
    s3: port("SPLAI_PORT_S3", 19000),
  };
  const bridge = process.env.SPLAI_NODE_BRIDGE ?? "splai-cni0";
  if (!/^[a-zA-Z0-9_-]{1,15}$/.test(bridge))
    throw new UserError(`SPLAI_NODE_BRIDGE=${bridge} is not an interface name (1-15 letters, digits, '-' or '_')`);
  const subnet = process.env.SPLAI_NODE_SUBNET ?? "10.88.0.0/24";
  if (!/^(\d{1,3}\.){3}0\/24$/.test(subnet))
    throw new UserError(`SPLAI_NODE_SUBNET=${subnet} is not accepted; give a /24 such as 10.88.0.0/24`);
  const state: PlatformState = {
    dir,
    ports,
    registry: {
      address: `127.0.0.1:${ports.registry}`,
      username: "splai",
      password: old?.registry.password ?? secret(),
    },
    github: {
      url: `http://127.0.0.1:${ports.github}/`,
      token: old?.github.token ?? `ghp_${secret()}`,
      owner: "splai",
      repo: "splai",
    },
    kubeconfig: join(dir, "kubeconfig"),
    buildkit: { socket: join(dir, "buildkitd.sock"), builder: process.env.SPLAI_BUILDER ?? "splai-local" },
    fleet: { enabled: old?.fleet?.enabled ?? false, nodes: fleetNodes(dir) },
    sbomGenerator: `127.0.0.1:${ports.registry}/platform/sbom-scanner:${toolVersion("sbom-scanner")}`,
    // A fixed, documented passphrase: Pulumi.local.yaml carries the salt derived from it, so every clone can use the
    // local stack. It guards only the local file backend, whose secrets are the platform's own throwaway credentials.
    pulumi: { backend: fileBackendUrl(join(dir, "pulumi")), passphrase: LOCAL_PASSPHRASE, mode: "file" },
    s3: {
      endpoint: `http://127.0.0.1:${ports.s3}`,
      bucket: "splai-state",
      region: "us-east-1",
      accessKeyId: old?.s3?.accessKeyId ?? `splai${randomBytes(6).toString("hex")}`,
      secretAccessKey: old?.s3?.secretAccessKey ?? secret(),
    },
    signing: {
      key: join(dir, "signing", "cosign.key"),
      publicKey: join(dir, "signing", "cosign.pub"),
      password: old?.signing?.password ?? secret(),
    },
    ca: join(dir, "pki", "ca.pem"),
    nodes: old?.nodes ?? ["kwok-node-0", "kwok-node-1"],
    node: {
      mode: old?.node?.mode ?? "fake",
      requested: old?.node?.requested ?? "fake",
      real: { name: "splai-node-0", bridge, subnet, cgroupRoot: `/splai-node-${bridge}` },
    },
    procs: old?.procs ?? {},
  };
  // A plain `up` keeps the backend the platform's stacks live in; `up --state file|s3` switches it.
  return withStateMode(state, old?.pulumi?.mode ?? "file");
}

/** Points the platform's stacks at the file backend or the object store (whose bucket `up` creates). */
export function withStateMode(s: PlatformState, mode: StateMode): PlatformState {
  const backend =
    mode === "s3"
      ? s3BackendUrl({ endpoint: s.s3.endpoint, bucket: s.s3.bucket, prefix: "", region: s.s3.region })
      : fileBackendUrl(join(s.dir, "pulumi"));
  return { ...s, pulumi: { ...s.pulumi, backend, mode } };
}

/** The AWS variables the Pulumi CLI (gocloud's s3blob) and tools/lib/s3.ts read for the platform's object store. */
export const objectStoreEnv = (s: PlatformState): Record<string, string> => ({
  AWS_ACCESS_KEY_ID: s.s3.accessKeyId,
  AWS_SECRET_ACCESS_KEY: s.s3.secretAccessKey,
  AWS_REGION: s.s3.region,
});

function toolVersion(name: string): string {
  const tool = loadToolchain().tools.find((t) => t.name === name);
  if (!tool) throw new UserError(`package.json toolchain.tools has no '${name}'`);
  return tool.version;
}

/** Reads the state of a platform that `up` started, or explains how to start one. */
export function requirePlatform(dir = platformDir): PlatformState {
  const s = readState(dir);
  if (!s) throw new UserError(`no local platform in ${dir}; start it with: npm run platform -- up`);
  return s;
}

/** The local signing key and its password for `signing: key` (the key's contents: config takes the PEM, not a path). */
function signingEnv(s: PlatformState): NodeJS.ProcessEnv {
  if (s.signing === undefined || !existsSync(s.signing.key)) return {};
  return { SPLAI_SIGNING_KEY: readFileSync(s.signing.key, "utf8"), SPLAI_SIGNING_PASSWORD: s.signing.password };
}

/** Environment for pulumi, helm and tests against the local platform. Secrets stay in the environment, never in argv. */
/** The platform's own buildx configuration (its builders), handed to every tool as BUILDX_CONFIG. */
export const platformBuildxConfig = (s: PlatformState): string => join(s.dir, "buildx");

/** The buildx entry with the platform registry's settings for `imagetools` (tools/platform/services/buildkitd.ts). */
export const registrySettingsBuilder = (s: PlatformState): string => `${s.buildkit.builder}-registry`;

export function platformEnv(s: PlatformState, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return toolEnv({
    PULUMI_BACKEND_URL: s.pulumi.backend,
    PULUMI_CONFIG_PASSPHRASE: s.pulumi.passphrase,
    KUBECONFIG: s.kubeconfig,
    SPLAI_REGISTRY_USERNAME: s.registry.username,
    SPLAI_REGISTRY_PASSWORD: s.registry.password,
    GITHUB_TOKEN: s.github.token,
    ...(s.sbomGenerator ? { SPLAI_SBOM_GENERATOR: s.sbomGenerator } : {}),
    ...signingEnv(s),
    // buildx commands without an explicit builder (docker-build's Index runs `imagetools create`) take the platform's
    // registry settings from here; every image build names its builder.
    BUILDX_BUILDER: registrySettingsBuilder(s),
    BUILDX_CONFIG: platformBuildxConfig(s),
    ...(s.pulumi.mode === "s3" ? objectStoreEnv(s) : {}),
    ...extra,
  });
}
