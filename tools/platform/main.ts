// `npm run platform -- up [--node fake|real] [--state file|s3] [--fleet|--no-fleet]|down|status|env|stop <service>`: the local release platform (TLS registry, BuildKit, Kubernetes with kwok or a real node, GitHub emulator, optionally an S3 store for Pulumi state and a BuildKit fleet).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { run } from "../lib/exec";
import { ensurePki, type Pki } from "./certs";
import { elapsed, info, runMain, UserError } from "../lib/log";
import { pushSbomScanner } from "./images";
import {
  fleetEndpoints,
  fleetNodes,
  initState,
  requestedFleet,
  platformEnv,
  readState,
  requirePlatform,
  withStateMode,
  writeState,
  type NodeMode,
  type PlatformState,
  type StateMode,
} from "./state";
import { isOurs } from "./procs";
import { cleanupNode, nodeDir } from "./real-node";
import { bin, enabled, startService, stopService, type Service } from "./service";
import { buildkitd } from "./services/buildkitd";
import { buildkitdAmd64, buildkitdArm64 } from "./services/buildkitd-fleet";
import { containerd } from "./services/containerd";
import { etcd } from "./services/etcd";
import { githubEmulator } from "./services/github-emulator";
import { kubeApiserver } from "./services/kube-apiserver";
import { kubeControllerManager } from "./services/kube-controller-manager";
import { kubeScheduler } from "./services/kube-scheduler";
import { kubelet } from "./services/kubelet";
import { kwok } from "./services/kwok";
import { registry } from "./services/registry";
import { versitygw } from "./services/versitygw";
import { toolEnv } from "../lib/toolenv";

// In start order (etcd before the API server, the API server before what talks to it); `down` stops them in reverse.
const services: Service[] = [
  registry,
  buildkitd,
  buildkitdAmd64,
  buildkitdArm64,
  etcd,
  kubeApiserver,
  kubeControllerManager,
  kubeScheduler,
  containerd,
  kubelet,
  kwok,
  githubEmulator,
  versitygw,
];

function writeKubeconfig(s: PlatformState, pki: Pki): void {
  const b64 = (f: string): string => readFileSync(f).toString("base64");
  writeFileSync(
    s.kubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters:",
      "- name: splai-local",
      "  cluster:",
      `    server: https://127.0.0.1:${s.ports.apiserver}`,
      `    certificate-authority-data: ${b64(pki.ca)}`,
      "users:",
      "- name: splai-admin",
      "  user:",
      `    client-certificate-data: ${b64(pki.adminCert)}`,
      `    client-key-data: ${b64(pki.adminKey)}`,
      "contexts:",
      "- name: splai-local",
      "  context: { cluster: splai-local, user: splai-admin }",
      "current-context: splai-local",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}

/**
 * Trusts the local CA system-wide (root only), so Go and Node clients such as helm and the providers accept the registry.
 * Each platform directory has a CA of its own and a trust file of its own: with one shared file name, the checkout that
 * started its platform last would untrust every other checkout's registry.
 */
async function trustCa(pki: Pki, dir: string): Promise<void> {
  const target = `/usr/local/share/ca-certificates/splai-release-local-${createHash("sha256").update(dir).digest("hex").slice(0, 12)}.crt`;
  const ca = readFileSync(pki.ca, "utf8");
  if (existsSync(target) && readFileSync(target, "utf8") === ca) return;
  if (process.getuid?.() !== 0) {
    info(
      "platform",
      `not root: add ${pki.ca} to the system trust store yourself (sudo cp ${pki.ca} ${target} && sudo update-ca-certificates)`,
    );
    return;
  }
  copyFileSync(pki.ca, target);
  await run("update-ca-certificates", [], { timeoutMs: 60_000 });
}

/** The local stack's cosign key pair, made once (a new platform state directory makes a new one). */
async function ensureSigningKey(s: PlatformState): Promise<void> {
  if (s.signing === undefined || existsSync(s.signing.key)) return;
  const dir = dirname(s.signing.key);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await run(bin("cosign"), ["generate-key-pair"], {
    cwd: dir,
    env: toolEnv({ COSIGN_PASSWORD: s.signing.password }),
    timeoutMs: 60_000,
  });
  info("signing", `made the local stack's cosign key pair: ${s.signing.key}, public key ${s.signing.publicKey}`);
}

async function helmLogin(s: PlatformState): Promise<void> {
  await run(
    bin("helm"),
    ["registry", "login", s.registry.address, "--username", s.registry.username, "--password-stdin"],
    {
      input: s.registry.password,
      env: toolEnv(),
      timeoutMs: 30_000,
    },
  );
}

/** `--node real|fake`, else SPLAI_NODE, else fake: a plain `up` always gives the fast fake nodes. */
function requestedNode(args: string[]): NodeMode {
  const i = args.indexOf("--node");
  const raw =
    i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith("--node="))?.slice(7) ?? process.env.SPLAI_NODE ?? "fake");
  if (raw !== "fake" && raw !== "real")
    throw new UserError(`--node ${raw ?? "(missing)"} is not accepted; use --node fake (kwok, default) or --node real`);
  return raw;
}

/** `--state file|s3`, else SPLAI_STATE, else what the platform used last (a plain `up` never moves the local stack). */
function requestedState(args: string[], current: StateMode): StateMode {
  const i = args.indexOf("--state");
  const raw =
    i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith("--state="))?.slice(8) ?? process.env.SPLAI_STATE ?? current);
  if (raw !== "file" && raw !== "s3")
    throw new UserError(
      `--state ${raw ?? "(missing)"} is not accepted; use --state file (a file backend in the platform directory) or --state s3 (versitygw)`,
    );
  return raw;
}

async function up(args: string[]): Promise<void> {
  const t0 = Date.now();
  const initial = initState();
  const s = withStateMode(initial, requestedState(args, initial.pulumi.mode));
  const fleetWas = s.fleet?.enabled === true;
  s.fleet = { enabled: requestedFleet(args, fleetWas), nodes: fleetNodes(s.dir) };
  if (fleetWas && s.fleet.enabled && !args.includes("--fleet"))
    info("platform", "keeping the BuildKit fleet the last up started (npm run platform -- up --no-fleet stops it)");
  const requested = requestedNode(args);
  s.node = { ...s.node, mode: requested, requested, fallbackReason: undefined };
  mkdirSync(join(s.dir, "logs"), { recursive: true });
  mkdirSync(join(s.dir, "pki"), { recursive: true });
  mkdirSync(join(s.dir, "pulumi"), { recursive: true });
  writeState(s);
  const pki = await ensurePki(join(s.dir, "pki"));
  await trustCa(pki, s.dir);
  writeKubeconfig(s, pki);
  // Switching node mode: stop the other mode's services first.
  for (const svc of [...services].reverse()) if (!enabled(svc, s)) await stopService(svc, s, pki);
  for (const svc of services) {
    if (!enabled(svc, s)) continue;
    try {
      await startService(svc, s, pki);
    } catch (err) {
      if (svc.node !== "real") throw err;
      // The real node is optional: anything that keeps it from starting leaves the platform on fake nodes, and says so.
      const reason = (err as Error).message;
      info("platform", `the real node could not start: ${reason}`);
      info("platform", "falling back to fake nodes (kwok); pods will be marked Ready without running");
      s.node = { ...s.node, mode: "fake", fallbackReason: reason.split("\n")[0] };
      writeState(s);
      for (const real of [...services].reverse()) if (real.node === "real") await stopService(real, s, pki);
      if (existsSync(nodeDir(s))) await cleanupNode(s);
    }
  }
  await helmLogin(s);
  await ensureSigningKey(s);
  const tScanner = Date.now();
  await pushSbomScanner(s, s.sbomGenerator);
  info("sbom-scanner", `pushed in ${elapsed(tScanner)}: ${s.sbomGenerator} (BuildKit SBOM generator)`);
  const nodes = s.node.mode === "real" ? `real node ${s.node.real.name}` : `fake nodes ${s.nodes.join(", ")}`;
  info(
    "platform",
    `up in ${elapsed(t0)} with ${nodes}; state in ${s.dir}. For a shell: eval "$(npm run -s platform -- env)"`,
  );
  info("platform", `Pulumi backend of the platform's stacks: ${s.pulumi.backend}`);
  if (s.fleet.enabled)
    info(
      "platform",
      `BuildKit fleet: ${s.fleet.nodes.map((n) => `${n.platform} unix://${n.socket}`).join(", ")} (SPLAI_BUILDER_ENDPOINTS in env)`,
    );
  if (s.node.fallbackReason)
    info("platform", `NOTE: --node real was asked for but the platform runs fake nodes: ${s.node.fallbackReason}`);
}

async function down(): Promise<void> {
  const s = readState();
  if (!s) {
    info("platform", "nothing to stop (no state file)");
    return;
  }
  const pki = await ensurePki(join(s.dir, "pki"));
  for (const svc of [...services].reverse()) await stopService(svc, s, pki);
  if (existsSync(join(s.dir, "node"))) await cleanupNode(s);
  info("platform", "down");
}

/** Stops one service (to rehearse an outage); `up` starts it again. */
async function stopOne(name: string | undefined): Promise<void> {
  const svc = services.find((x) => x.name === name);
  if (!svc) throw new UserError(`unknown service '${name ?? ""}'; services: ${services.map((x) => x.name).join(", ")}`);
  const s = requirePlatform();
  const rec = s.procs[svc.name];
  if (!isOurs(rec)) {
    info(svc.name, "not running");
    return;
  }
  info(svc.name, "'npm run platform -- up' starts it again");
  // The real node's services clean up after themselves (drain, shims, mounts): the same stop as `down`.
  await stopService(svc, s, await ensurePki(join(s.dir, "pki")));
}

async function status(): Promise<void> {
  const s = requirePlatform();
  const pki = await ensurePki(join(s.dir, "pki"));
  let allUp = true;
  for (const svc of services) {
    if (!enabled(svc, s)) continue;
    const rec = s.procs[svc.name];
    const running = isOurs(rec);
    const healthy = running && (await svc.ready(s, pki).catch(() => false));
    allUp &&= healthy;
    const state = healthy ? "running" : running ? "unhealthy" : rec ? "stopped (stale pid)" : "stopped";
    process.stdout.write(
      `${svc.name.padEnd(24)} ${state.padEnd(20)} ${running ? `pid ${rec.pid}`.padEnd(10) : "".padEnd(10)} ${svc.describe(s)}\n`,
    );
  }
  const fallback = s.node?.fallbackReason ? ` (real node asked for, unavailable: ${s.node.fallbackReason})` : "";
  const fleet = fleetEndpoints(s);
  process.stdout.write(
    `nodes: ${s.node?.mode ?? "fake"}${fallback}\nBuildKit fleet: ${fleet.length > 0 ? fleet.join(", ") : "off (up --fleet starts it)"}\nstate dir ${s.dir}; Pulumi backend ${s.pulumi.backend}\n`,
  );
  if (!allUp) process.exitCode = 3;
}

function env(): void {
  const s = requirePlatform();
  const e = platformEnv(s);
  const keys = [
    "PATH",
    "PULUMI_HOME",
    "PULUMI_BACKEND_URL",
    "PULUMI_CONFIG_PASSPHRASE",
    "PULUMI_SKIP_UPDATE_CHECK",
    "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION",
    "KUBECONFIG",
    "SPLAI_REGISTRY_USERNAME",
    "SPLAI_REGISTRY_PASSWORD",
    "GITHUB_TOKEN",
    "SPLAI_SBOM_GENERATOR",
    "SPLAI_SIGNING_KEY",
    "SPLAI_SIGNING_PASSWORD",
    "BUILDX_CONFIG",
    "BUILDX_BUILDER",
    // With --state s3: the object store's credentials, which the Pulumi CLI reads for the s3:// backend.
    ...(s.pulumi.mode === "s3" ? ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"] : []),
  ];
  for (const k of keys) process.stdout.write(`export ${k}='${(e[k] ?? "").replace(/'/g, "'\\''")}'\n`);
  // With the fleet: the release's builderEndpoints (config/load.ts reads them from here when the stack sets none).
  const fleet = fleetEndpoints(s);
  if (fleet.length > 0) process.stdout.write(`export SPLAI_BUILDER_ENDPOINTS='${fleet.join(",")}'\n`);
}

runMain(async () => {
  const cmd = process.argv[2];
  switch (cmd) {
    case "up":
      return up(process.argv.slice(3));
    case "down":
      return down();
    case "status":
      return status();
    case "stop":
      return stopOne(process.argv[3]);
    case "env":
      return env();
    default:
      throw new UserError(
        `unknown command '${cmd ?? ""}'; use: npm run platform -- up [--node fake|real] [--state file|s3] [--fleet|--no-fleet]|down|status|env|stop <service>`,
      );
  }
});
