// `npm run platform -- up [--node fake|real]|down|status|env|stop <service>`: the local release platform (TLS registry, BuildKit, Kubernetes with kwok or a real node, GitHub emulator).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { run, tryCapture, which } from "../lib/exec";
import { fetchLocal } from "../lib/local-http";
import { ensurePki, type Pki } from "./certs";
import { elapsed, info, runMain, UserError } from "../lib/log";
import { repoRoot, toolBinDir } from "../lib/paths";
import { pushSbomScanner } from "./images";
import {
  initState,
  platformEnv,
  readState,
  registrySettingsBuilder,
  requirePlatform,
  writeState,
  type NodeMode,
  type PlatformState,
} from "./state";
import { assertPortFree, isOurs, startDetached, stop, waitReady, type ProcRecord } from "./procs";
import {
  cleanupNode,
  containerdReady,
  deleteNodes,
  drain,
  kubeletReady,
  nodeDir,
  nodeIp,
  startContainerd,
  startKubelet,
} from "./real-node";
import { toolEnv } from "../lib/toolenv";

function bin(name: string): string {
  const p = join(toolBinDir, name);
  if (existsSync(p)) return p;
  const onPath = which(name);
  if (onPath) return onPath;
  throw new UserError(`${name} is not installed; run: npm run toolchain`);
}

interface Service {
  name: string;
  /** Ports that must be free before start. */
  ports: (s: PlatformState) => [number, string][];
  start: (s: PlatformState, pki: Pki) => Promise<ProcRecord>;
  ready: (s: PlatformState, pki: Pki) => Promise<boolean>;
  timeoutMs: number;
  describe: (s: PlatformState) => string;
  /** Runs only in this node mode; default: always. */
  node?: NodeMode;
  /** Stops the service (default: SIGTERM to its process group, then SIGKILL). */
  stop?: (s: PlatformState, pki: Pki, rec: ProcRecord) => Promise<void>;
}

const enabled = (svc: Service, s: PlatformState): boolean =>
  svc.node === undefined || svc.node === (s.node?.mode ?? "fake");

const logOf = (s: PlatformState, name: string): string => join(s.dir, "logs", `${name}.log`);
const data = (s: PlatformState, name: string): string => {
  const d = join(s.dir, "data", name);
  mkdirSync(d, { recursive: true });
  return d;
};

const services: Service[] = [
  {
    name: "registry",
    ports: (s) => [[s.ports.registry, "SPLAI_PORT_REGISTRY"]],
    async start(s, pki) {
      const htpasswd = join(s.dir, "registry.htpasswd");
      const hash = await run("htpasswd", ["-nbB", s.registry.username, s.registry.password], { timeoutMs: 30_000 });
      writeFileSync(htpasswd, hash.trim() + "\n", { mode: 0o600 });
      const config = join(s.dir, "registry.yml");
      writeFileSync(
        config,
        [
          "version: 0.1",
          "log: { level: info }",
          "storage:",
          `  filesystem: { rootdirectory: ${data(s, "registry")} }`,
          "  delete: { enabled: true }",
          "http:",
          `  addr: ${s.registry.address}`,
          `  secret: ${s.registry.password}`,
          `  tls: { certificate: ${pki.registryCert}, key: ${pki.registryKey} }`,
          "auth:",
          `  htpasswd: { realm: splai-local, path: ${htpasswd} }`,
          "",
        ].join("\n"),
        { mode: 0o600 },
      );
      return startDetached(bin("registry"), ["serve", config], logOf(s, "registry"), process.env);
    },
    ready: async (s, pki) => (await fetchLocal(`https://${s.registry.address}/v2/`, { pki })).status === 401,
    timeoutMs: 30_000,
    describe: (s) => `https://${s.registry.address} (user ${s.registry.username}, htpasswd)`,
  },
  {
    name: "buildkitd",
    ports: () => [],
    async start(s, pki) {
      const config = join(s.dir, "buildkitd.toml");
      writeFileSync(
        config,
        [
          `root = "${data(s, "buildkit")}"`,
          "[grpc]",
          `  address = ["unix://${s.buildkit.socket}"]`,
          "[worker.oci]",
          "  enabled = true",
          '  snapshotter = "native"',
          "  gc = true",
          "  gckeepstorage = 10000000000",
          "[worker.containerd]",
          "  enabled = false",
          `[registry."${s.registry.address}"]`,
          // BuildKit would otherwise try plain HTTP first for a loopback registry.
          "  http = false",
          "  insecure = false",
          `  ca = ["${pki.ca}"]`,
          "",
        ].join("\n"),
      );
      rmSync(s.buildkit.socket, { force: true });
      // buildkitd looks up runc on PATH; Debian's runc lives in /usr/sbin.
      const env = { ...process.env, PATH: `${toolBinDir}:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` };
      const rec = startDetached(bin("buildkitd"), ["--config", config], logOf(s, "buildkitd"), env);
      registerBuildxBuilder(s, pki.ca);
      return rec;
    },
    ready: async (s) =>
      tryCapture(bin("buildctl"), ["--addr", `unix://${s.buildkit.socket}`, "debug", "workers"]) !== undefined,
    timeoutMs: 60_000,
    describe: (s) => `unix://${s.buildkit.socket} (buildx builder '${s.buildkit.builder}')`,
  },
  {
    name: "etcd",
    ports: (s) => [
      [s.ports.etcdClient, "SPLAI_PORT_ETCD"],
      [s.ports.etcdPeer, "SPLAI_PORT_ETCD_PEER"],
    ],
    start: async (s) =>
      startDetached(
        bin("etcd"),
        [
          "--name=splai",
          `--data-dir=${data(s, "etcd")}`,
          `--listen-client-urls=http://127.0.0.1:${s.ports.etcdClient}`,
          `--advertise-client-urls=http://127.0.0.1:${s.ports.etcdClient}`,
          `--listen-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
          `--initial-cluster=splai=http://127.0.0.1:${s.ports.etcdPeer}`,
          "--quota-backend-bytes=2147483648",
          "--log-level=warn",
        ],
        logOf(s, "etcd"),
        process.env,
      ),
    ready: async (s) =>
      (await fetchLocal(`http://127.0.0.1:${s.ports.etcdClient}/health`)).body.includes('"health":"true"'),
    timeoutMs: 30_000,
    describe: (s) => `http://127.0.0.1:${s.ports.etcdClient}`,
  },
  {
    name: "kube-apiserver",
    ports: (s) => [[s.ports.apiserver, "SPLAI_PORT_APISERVER"]],
    start: async (s, pki) =>
      startDetached(
        bin("kube-apiserver"),
        [
          `--etcd-servers=http://127.0.0.1:${s.ports.etcdClient}`,
          "--bind-address=127.0.0.1",
          "--advertise-address=127.0.0.1",
          `--secure-port=${s.ports.apiserver}`,
          `--cert-dir=${data(s, "apiserver")}`,
          `--tls-cert-file=${pki.apiserverCert}`,
          `--tls-private-key-file=${pki.apiserverKey}`,
          `--client-ca-file=${pki.ca}`,
          `--service-account-key-file=${pki.saPub}`,
          `--service-account-signing-key-file=${pki.saKey}`,
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          "--service-cluster-ip-range=10.96.0.0/16",
          "--authorization-mode=RBAC",
          "--endpoint-reconciler-type=none",
          "--allow-privileged=true",
          "--enable-priority-and-fairness=false",
          // Logs and exec on the real node: the kubelet trusts the platform CA's admin certificate.
          `--kubelet-client-certificate=${pki.adminCert}`,
          `--kubelet-client-key=${pki.adminKey}`,
          "--kubelet-preferred-address-types=InternalIP",
        ],
        logOf(s, "kube-apiserver"),
        process.env,
      ),
    ready: async (s, pki) =>
      (await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/readyz`, { pki })).status === 200,
    timeoutMs: 120_000,
    describe: (s) => `https://127.0.0.1:${s.ports.apiserver} (kubeconfig ${s.kubeconfig})`,
  },
  {
    name: "kube-controller-manager",
    ports: () => [],
    start: async (s, pki) =>
      startDetached(
        bin("kube-controller-manager"),
        [
          `--kubeconfig=${s.kubeconfig}`,
          `--authentication-kubeconfig=${s.kubeconfig}`,
          `--authorization-kubeconfig=${s.kubeconfig}`,
          "--leader-elect=false",
          "--bind-address=127.0.0.1",
          "--secure-port=0",
          `--service-account-private-key-file=${pki.saKey}`,
          `--root-ca-file=${pki.ca}`,
          `--cluster-signing-cert-file=${pki.ca}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          "--controllers=*,-nodeipam,-route,-service,-cloud-node-lifecycle",
          "--use-service-account-credentials=false",
        ],
        logOf(s, "kube-controller-manager"),
        process.env,
      ),
    // Ready once the service-account controller has created the default ServiceAccount, which pods need.
    ready: async (s, pki) =>
      (
        await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/api/v1/namespaces/default/serviceaccounts/default`, {
          pki,
        })
      ).status === 200,
    timeoutMs: 60_000,
    describe: () => "leader election off",
  },
  {
    name: "kube-scheduler",
    ports: () => [],
    start: async (s) =>
      startDetached(
        bin("kube-scheduler"),
        [
          `--kubeconfig=${s.kubeconfig}`,
          `--authentication-kubeconfig=${s.kubeconfig}`,
          `--authorization-kubeconfig=${s.kubeconfig}`,
          "--leader-elect=false",
          "--secure-port=0",
        ],
        logOf(s, "kube-scheduler"),
        process.env,
      ),
    ready: async () => true,
    timeoutMs: 10_000,
    describe: () => "leader election off",
  },
  {
    name: "containerd",
    node: "real",
    ports: () => [],
    start: async (s, pki) => startContainerd(s, pki, logOf(s, "containerd")),
    ready: async (s) => containerdReady(s),
    timeoutMs: 60_000,
    describe: (s) =>
      `unix://${join(nodeDir(s), "containerd.sock")} (bridge ${s.node.real.bridge} ${s.node.real.subnet}, cgroup ${s.node.real.cgroupRoot})`,
    async stop(s, _pki, rec) {
      await stop(rec);
      await cleanupNode(s);
    },
  },
  {
    name: "kubelet",
    node: "real",
    ports: (s) => [[s.ports.kubelet, "SPLAI_PORT_KUBELET"]],
    async start(s, pki) {
      // Pods must land on the node that runs them: the fake nodes leave (their pods are collected and recreated here).
      await deleteNodes(s, pki, s.nodes);
      return startKubelet(s, pki, logOf(s, "kubelet"));
    },
    ready: kubeletReady,
    timeoutMs: 120_000,
    describe: (s) => `node ${s.node.real.name} at ${nodeIp(s)}:${s.ports.kubelet}`,
    async stop(s, pki, rec) {
      await drain(s, pki).catch(() => undefined);
      await stop(rec);
      await deleteNodes(s, pki, [s.node.real.name]).catch(() => undefined);
    },
  },
  {
    name: "kwok",
    node: "fake",
    ports: () => [],
    async start(s, pki) {
      await deleteNodes(s, pki, [s.node.real.name]);
      const rec = startDetached(
        bin("kwok"),
        [
          `--kubeconfig=${s.kubeconfig}`,
          "--manage-all-nodes=false",
          "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
          "--manage-nodes-with-label-selector=",
          // kwok 0.8 has no built-in behaviour: the toolchain ships its default stages next to the binary.
          `--config=${join(dirname(realpathSync(bin("kwok"))), "kwok-stages.yaml")}`,
          "--cidr=10.0.0.1/24",
          "--node-ip=10.0.0.1",
          "--node-lease-duration-seconds=40",
        ],
        logOf(s, "kwok"),
        process.env,
      );
      for (const node of s.nodes) await ensureFakeNode(s, pki, node);
      return rec;
    },
    async ready(s, pki) {
      for (const node of s.nodes) {
        const r = await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/api/v1/nodes/${node}`, { pki });
        if (r.status !== 200) return false;
        const conds =
          (JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ??
          [];
        if (!conds.some((c) => c.type === "Ready" && c.status === "True")) return false;
      }
      return true;
    },
    timeoutMs: 60_000,
    describe: (s) => `fake nodes ${s.nodes.join(", ")}`,
  },
  {
    name: "github-emulator",
    ports: (s) => [[s.ports.github, "SPLAI_PORT_GITHUB"]],
    start: async (s) =>
      startDetached(
        process.execPath,
        [
          "--import",
          "tsx",
          join(repoRoot, "tools", "platform", "github-emulator.ts"),
          "--port",
          String(s.ports.github),
          "--state",
          data(s, "github"),
          "--repo",
          `${s.github.owner}/${s.github.repo}`,
        ],
        logOf(s, "github-emulator"),
        { ...process.env, GITHUB_EMULATOR_TOKEN: s.github.token },
        repoRoot,
      ),
    ready: async (s) => (await fetchLocal(`${s.github.url}_emulator/health`)).status === 200,
    timeoutMs: 30_000,
    describe: (s) => `${s.github.url}api/v3/ (repo ${s.github.owner}/${s.github.repo})`,
  },
];

async function ensureFakeNode(s: PlatformState, pki: Pki, name: string): Promise<void> {
  const url = `https://127.0.0.1:${s.ports.apiserver}/api/v1/nodes`;
  if ((await fetchLocal(`${url}/${name}`, { pki })).status === 200) return;
  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
      capacity: { cpu: "32", memory: "256Gi", pods: "110" },
      nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake", kubeProxyVersion: "fake" },
    },
  };
  const r = await fetchLocal(url, { pki, method: "POST", body: JSON.stringify(node) });
  if (r.status !== 201 && r.status !== 409)
    throw new UserError(`could not create fake node ${name}: HTTP ${r.status} ${r.body}`);
}

/**
 * A buildx "remote" builder pointing at our buildkitd, so @pulumi/docker-build needs no Docker daemon; and beside it
 * `<builder>-registry`, which only carries registry settings for buildx's `imagetools` (docker-build's Index runs
 * `imagetools create` with the builder in BUILDX_BUILDER, see platformEnv): containerd's resolver would otherwise use
 * plain HTTP for a 127.0.0.1 registry. The remote driver refuses config files, so the settings need their own entry,
 * which is never used to build.
 */
function registerBuildxBuilder(s: PlatformState, ca: string): void {
  const dir = join(
    process.env.BUILDX_CONFIG ?? join(process.env.DOCKER_CONFIG ?? join(homedir(), ".docker"), "buildx"),
    "instances",
  );
  mkdirSync(dir, { recursive: true });
  const node = (name: string, files: Record<string, string> | null): Record<string, unknown> => ({
    Name: `${name}0`,
    Endpoint: `unix://${s.buildkit.socket}`,
    Platforms: null,
    DriverOpts: {},
    Flags: null,
    Files: files,
  });
  const builder = {
    Name: s.buildkit.builder,
    Driver: "remote",
    Nodes: [node(s.buildkit.builder, null)],
    Dynamic: false,
  };
  writeFileSync(join(dir, s.buildkit.builder), JSON.stringify(builder), { mode: 0o600 });
  const toml = [
    `[registry."${s.registry.address}"]`,
    "  http = false",
    "  insecure = false",
    '  ca = ["/etc/buildkit/ca.pem"]',
    "",
  ].join("\n");
  const files = {
    "buildkitd.toml": Buffer.from(toml).toString("base64"),
    "ca.pem": readFileSync(ca).toString("base64"),
  };
  const settings = {
    Name: registrySettingsBuilder(s),
    Driver: "docker-container",
    Nodes: [node(registrySettingsBuilder(s), files)],
    Dynamic: false,
  };
  writeFileSync(join(dir, settings.Name), JSON.stringify(settings), { mode: 0o600 });
}

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

async function stopService(svc: Service, s: PlatformState, pki: Pki): Promise<void> {
  const rec = s.procs[svc.name];
  if (!rec) return;
  if (isOurs(rec)) {
    info(svc.name, `stopping pid ${rec.pid}`);
    await (svc.stop ? svc.stop(s, pki, rec) : stop(rec));
  } else {
    info(svc.name, `pid ${rec.pid} is not running (stale record removed)`);
    if (svc.stop) await svc.stop(s, pki, rec);
  }
  delete s.procs[svc.name];
  writeState(s);
}

async function startService(svc: Service, s: PlatformState, pki: Pki): Promise<void> {
  const rec = s.procs[svc.name];
  if (isOurs(rec)) {
    if (await svc.ready(s, pki).catch(() => false)) {
      info(svc.name, `already running (pid ${rec.pid})`);
      return;
    }
    info(svc.name, `pid ${rec.pid} is not healthy; restarting it`);
    await (svc.stop ? svc.stop(s, pki, rec) : stop(rec));
  } else if (rec) {
    info(svc.name, `stale pid ${rec.pid} (process gone); starting anew`);
  }
  for (const [p, envVar] of svc.ports(s)) await assertPortFree(p, svc.name, envVar);
  const t = Date.now();
  const started = await svc.start(s, pki);
  s.procs[svc.name] = started;
  writeState(s);
  await waitReady(svc.name, started, () => svc.ready(s, pki), svc.timeoutMs);
  info(svc.name, `ready in ${elapsed(t)}: ${svc.describe(s)}`);
}

async function up(args: string[]): Promise<void> {
  const t0 = Date.now();
  const s = initState();
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
  const tScanner = Date.now();
  await pushSbomScanner(s, s.sbomGenerator);
  info("sbom-scanner", `pushed in ${elapsed(tScanner)}: ${s.sbomGenerator} (BuildKit SBOM generator)`);
  const nodes = s.node.mode === "real" ? `real node ${s.node.real.name}` : `fake nodes ${s.nodes.join(", ")}`;
  info(
    "platform",
    `up in ${elapsed(t0)} with ${nodes}; state in ${s.dir}. For a shell: eval "$(npm run -s platform -- env)"`,
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
  process.stdout.write(
    `nodes: ${s.node?.mode ?? "fake"}${fallback}\nstate dir ${s.dir}; Pulumi backend ${s.pulumi.backend}\n`,
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
  ];
  for (const k of keys) process.stdout.write(`export ${k}='${(e[k] ?? "").replace(/'/g, "'\\''")}'\n`);
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
        `unknown command '${cmd ?? ""}'; use: npm run platform -- up [--node fake|real]|down|status|env|stop <service>`,
      );
  }
});
