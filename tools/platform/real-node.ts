// The local platform's optional real node: a CNI bridge, containerd with a locally built pause image, and a kubelet registered with the API server.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Pki } from "./certs";
import { run, tryCapture, which } from "../lib/exec";
import { fetchLocal } from "../lib/local-http";
import { info, UserError } from "../lib/log";
import { repoRoot, toolBinDir } from "../lib/paths";
import type { PlatformState } from "./state";
import { pushLocalImage } from "./images";
import { sleep, startDetached, type ProcRecord } from "./procs";

/** Why the real node cannot start here; the platform then falls back to fake nodes and says why. */
export class RealNodeUnavailable extends UserError {}

/** Debian's runc, containerd and CNI plugins, and the kubelet from the toolchain. */
const RUNC = "/usr/sbin/runc";
const CNI_BIN = "/usr/lib/cni";
const PAUSE_TAG = "platform/pause:3.10";

export const nodeDir = (s: PlatformState): string => join(s.dir, "node");
const containerdSocket = (s: PlatformState): string => join(nodeDir(s), "containerd.sock");
/** The bridge's address, which is also the node's InternalIP: the kubelet refuses a loopback node IP. */
export const nodeIp = (s: PlatformState): string => s.node.real.subnet.replace(/0\/24$/, "1");
export const pauseImage = (s: PlatformState): string => `${s.registry.address}/${PAUSE_TAG}`;

function kubeletBin(): string | undefined {
  const p = join(toolBinDir, "kubelet");
  return existsSync(p) ? p : which("kubelet");
}

/** Everything the real node needs on this machine, or the reason it cannot run and the command that fixes it. */
export function checkPrerequisites(): void {
  const missing: string[] = [];
  if (process.getuid?.() !== 0)
    throw new RealNodeUnavailable("the real node needs root (network bridge, cgroups, mounts)");
  if (!kubeletBin()) missing.push("kubelet");
  for (const b of ["containerd", "containerd-shim-runc-v2", "ctr"])
    if (!which(b, `/usr/bin:/usr/sbin:${process.env.PATH ?? ""}`)) missing.push(b);
  if (!existsSync(RUNC)) missing.push("runc");
  for (const p of ["bridge", "host-local", "loopback"])
    if (!existsSync(join(CNI_BIN, p))) missing.push(`CNI plugin ${p}`);
  if (!which("go")) missing.push("go (builds the pause image)");
  if (missing.length)
    throw new RealNodeUnavailable(`missing ${missing.join(", ")}; install them with: npm run toolchain -- --real-node`);
  if (!existsSync("/sys/fs/cgroup/memory") && !existsSync("/sys/fs/cgroup/cgroup.controllers")) {
    throw new RealNodeUnavailable("no cgroup file system under /sys/fs/cgroup");
  }
}

/** cgroup v1 hierarchies (or the single v2 one) under which the node's cgroup root must exist. */
function cgroupMounts(): string[] {
  if (existsSync("/sys/fs/cgroup/cgroup.controllers")) return ["/sys/fs/cgroup"];
  return readdirSync("/sys/fs/cgroup")
    .filter((h) => h !== "unified")
    .map((h) => join("/sys/fs/cgroup", h))
    .filter((h) => existsSync(join(h, "cgroup.procs")));
}

async function ip(args: string[]): Promise<string> {
  return run("ip", args, { timeoutMs: 15_000 });
}

/** The pod bridge with the node address; refuses a subnet some other interface already uses. */
async function ensureBridge(s: PlatformState): Promise<void> {
  const { bridge, subnet } = s.node.real;
  const prefix = subnet.replace(/0\/24$/, "");
  const addrs = JSON.parse(await ip(["-j", "-4", "addr", "show"])) as {
    ifname: string;
    addr_info: { local: string }[];
  }[];
  const clash = addrs.find((i) => i.ifname !== bridge && i.addr_info.some((a) => a.local.startsWith(prefix)));
  if (clash) {
    throw new RealNodeUnavailable(
      `pod subnet ${subnet} is already used by interface ${clash.ifname}; pick another with SPLAI_NODE_SUBNET=<a.b.c.0/24>`,
    );
  }
  if (!addrs.some((i) => i.ifname === bridge) && tryCapture("ip", ["link", "show", bridge]) === undefined) {
    await ip(["link", "add", bridge, "type", "bridge"]);
  }
  const own = addrs.find((i) => i.ifname === bridge);
  if (!own?.addr_info.some((a) => a.local === nodeIp(s))) await ip(["addr", "add", `${nodeIp(s)}/24`, "dev", bridge]);
  await ip(["link", "set", bridge, "up"]);
}

/** Builds the pause program and pushes it as an image to the platform registry, so no sandbox image comes from outside. */
async function pushPauseImage(s: PlatformState): Promise<void> {
  const work = join(nodeDir(s), "pause");
  mkdirSync(work, { recursive: true });
  await run("go", ["build", "-trimpath", "-ldflags", "-s -w", "-o", join(work, "pause"), "."], {
    cwd: join(repoRoot, "tools", "platform", "pause"),
    env: { ...process.env, CGO_ENABLED: "0", GOOS: "linux", GOARCH: "amd64", GOFLAGS: "-mod=mod" },
    timeoutMs: 300_000,
  });
  await pushLocalImage(s, {
    work,
    ref: pauseImage(s),
    platform: "linux/amd64",
    dockerfile: 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n',
  });
}

/** Prepares the node (bridge, cgroups, pause image, configs) and starts containerd. */
export async function startContainerd(s: PlatformState, pki: Pki, log: string): Promise<ProcRecord> {
  checkPrerequisites();
  const dir = nodeDir(s);
  mkdirSync(join(dir, "cni", "net.d"), { recursive: true });
  await ensureBridge(s);
  for (const h of cgroupMounts()) mkdirSync(join(h, s.node.real.cgroupRoot), { recursive: true });
  await pushPauseImage(s);

  const hosts = join(dir, "certs.d", s.registry.address);
  mkdirSync(hosts, { recursive: true });
  writeFileSync(
    join(hosts, "hosts.toml"),
    [
      `server = "https://${s.registry.address}"`,
      `[host."https://${s.registry.address}"]`,
      '  capabilities = ["pull", "resolve"]',
      `  ca = "${pki.ca}"`,
      "",
    ].join("\n"),
  );
  writeFileSync(
    join(dir, "cni", "net.d", "10-splai.conflist"),
    JSON.stringify(
      {
        cniVersion: "1.0.0",
        name: `splai-${s.node.real.bridge}`,
        plugins: [
          {
            type: "bridge",
            bridge: s.node.real.bridge,
            // The bridge already carries the node address; isGateway would also switch on IP forwarding for the whole machine.
            // Without it pods have no default route: they reach the node and each other, nothing beyond.
            isGateway: false,
            ipMasq: false,
            ipam: {
              type: "host-local",
              ranges: [[{ subnet: s.node.real.subnet, rangeStart: nodeIp(s).replace(/1$/, "10") }]],
              dataDir: join(dir, "cni", "ipam"),
            },
          },
        ],
      },
      null,
      2,
    ),
  );
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  const config = join(dir, "containerd.toml");
  writeFileSync(
    config,
    [
      "version = 2",
      `root = "${join(dir, "containerd")}"`,
      `state = "${join(dir, "containerd-state")}"`,
      'disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]',
      "[grpc]",
      `  address = "${containerdSocket(s)}"`,
      "[ttrpc]",
      `  address = "${containerdSocket(s)}.ttrpc"`,
      "[debug]",
      '  address = ""',
      "[metrics]",
      '  address = ""',
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${join(dir, "opt")}"`,
      `[${cri}]`,
      `  sandbox_image = "${pauseImage(s)}"`,
      '  stream_server_address = "127.0.0.1"',
      '  stream_server_port = "0"',
      "  enable_selinux = false",
      // Root here may lack CAP_SYS_RESOURCE (as in this VM): the sandbox's oom_score_adj of -998 then fails runc's start.
      "  restrict_oom_score_adj = true",
      // Network namespaces under our state dir, not /var/run/netns, so `down` can find and remove exactly ours.
      "  netns_mounts_under_state_dir = true",
      `  [${cri}.containerd]`,
      '    snapshotter = "overlayfs"',
      '    default_runtime_name = "runc"',
      `    [${cri}.containerd.runtimes.runc]`,
      '      runtime_type = "io.containerd.runc.v2"',
      `      [${cri}.containerd.runtimes.runc.options]`,
      "        SystemdCgroup = false",
      `        BinaryName = "${RUNC}"`,
      `        Root = "${join(dir, "runc")}"`,
      `  [${cri}.cni]`,
      `    bin_dir = "${CNI_BIN}"`,
      `    conf_dir = "${join(dir, "cni", "net.d")}"`,
      `  [${cri}.registry]`,
      `    config_path = "${join(dir, "certs.d")}"`,
      // Node-level pull credentials, as a cloud node has for its own registry: the chart needs no imagePullSecret.
      `    [${cri}.registry.configs."${s.registry.address}".auth]`,
      `      username = "${s.registry.username}"`,
      `      password = "${s.registry.password}"`,
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
  rmSync(containerdSocket(s), { force: true });
  const env = { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` };
  return startDetached(which("containerd", env.PATH)!, ["--config", config], log, env);
}

export const containerdReady = async (s: PlatformState): Promise<boolean> =>
  existsSync(containerdSocket(s)) && tryCapture("ctr", ["--address", containerdSocket(s), "version"]) !== undefined;

export function startKubelet(s: PlatformState, pki: Pki, log: string): ProcRecord {
  const dir = nodeDir(s);
  mkdirSync(join(dir, "pod-logs"), { recursive: true });
  const config = join(dir, "kubelet.yaml");
  writeFileSync(
    config,
    [
      "apiVersion: kubelet.config.k8s.io/v1beta1",
      "kind: KubeletConfiguration",
      `address: ${nodeIp(s)}`,
      `port: ${s.ports.kubelet}`,
      "readOnlyPort: 0",
      "healthzPort: 0",
      "cgroupDriver: cgroupfs",
      // Its own cgroup root: a kubelet removes pod cgroups it does not know, so two nodes must never share /kubepods.
      `cgroupRoot: ${s.node.real.cgroupRoot}`,
      "failSwapOn: false",
      // Kubernetes 1.34 still runs on cgroup v1 (maintenance mode); this machine has no v2-only hierarchy.
      "failCgroupV1: false",
      `containerRuntimeEndpoint: unix://${containerdSocket(s)}`,
      `podLogsDir: ${join(dir, "pod-logs")}`,
      // No cluster DNS and no host resolver in pods: they talk to nothing outside this machine.
      'resolvConf: ""',
      "authentication:",
      "  anonymous: { enabled: false }",
      "  webhook: { enabled: false }",
      `  x509: { clientCAFile: ${pki.ca} }`,
      "authorization: { mode: AlwaysAllow }",
      // A shared development disk is often fuller than the defaults allow; evict only when it is truly full.
      'evictionHard: { memory.available: "100Mi", nodefs.available: "1%", imagefs.available: "1%", nodefs.inodesFree: "1%" }',
      "imageGCHighThresholdPercent: 99",
      "imageGCLowThresholdPercent: 98",
      "serializeImagePulls: false",
      "",
    ].join("\n"),
  );
  return startDetached(
    kubeletBin()!,
    [
      `--config=${config}`,
      `--kubeconfig=${s.kubeconfig}`,
      `--root-dir=${join(dir, "kubelet")}`,
      `--hostname-override=${s.node.real.name}`,
      `--node-ip=${nodeIp(s)}`,
      "--node-labels=splai.io/node=real",
      "--v=1",
    ],
    log,
    { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` },
  );
}

interface NodeJson {
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

export async function kubeletReady(s: PlatformState, pki: Pki): Promise<boolean> {
  const r = await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/api/v1/nodes/${s.node.real.name}`, { pki });
  if (r.status !== 200) return false;
  return ((JSON.parse(r.body) as NodeJson).status?.conditions ?? []).some(
    (c) => c.type === "Ready" && c.status === "True",
  );
}

const api = (s: PlatformState): string => `https://127.0.0.1:${s.ports.apiserver}`;

/** Deletes nodes by name (fake nodes when the real node takes over, the real node when it stops). */
export async function deleteNodes(s: PlatformState, pki: Pki, names: string[]): Promise<void> {
  for (const n of names)
    await fetchLocal(`${api(s)}/api/v1/nodes/${n}`, { pki, method: "DELETE" }).catch(() => undefined);
}

/**
 * Evicts every pod from the real node before it stops: a NoExecute taint makes the taint manager evict them (DaemonSet
 * pods included, and none come back), the kubelet stops their sandboxes, so no container, network namespace or mount is left.
 */
export async function drain(s: PlatformState, pki: Pki, timeoutMs = 60_000): Promise<void> {
  const node = `${api(s)}/api/v1/nodes/${s.node.real.name}`;
  const patch = { spec: { unschedulable: true, taints: [{ key: "splai.io/stopping", effect: "NoExecute" }] } };
  const r = await fetchLocal(node, {
    pki,
    method: "PATCH",
    body: JSON.stringify(patch),
    contentType: "application/merge-patch+json",
  }).catch(() => undefined);
  if (r?.status !== 200) return;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const pods = await fetchLocal(`${api(s)}/api/v1/pods?fieldSelector=spec.nodeName%3D${s.node.real.name}`, {
      pki,
    }).catch(() => undefined);
    if (pods?.status === 200 && (JSON.parse(pods.body) as { items: unknown[] }).items.length === 0) return;
    await sleep(1000);
  }
  info("kubelet", `pods still on ${s.node.real.name} after ${timeoutMs / 1000}s; stopping anyway`);
}

/** Our shims: containerd-shim-runc-v2 processes serving our containerd socket (they outlive containerd by design). */
function ourShims(s: PlatformState): number[] {
  const pids: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0");
      if (argv[0]?.endsWith("containerd-shim-runc-v2") && argv.includes(containerdSocket(s))) pids.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return pids;
}

function cgroupProcs(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const here = readFileSync(join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  const sub = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  return [...here, ...sub.flatMap((e) => cgroupProcs(join(dir, e.name)))];
}

function rmCgroupTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmCgroupTree(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    /* still busy; the next `down` retries */
  }
}

/**
 * After containerd stopped: kills what is still ours (shims found by our socket, processes in our cgroup root), unmounts
 * everything under the node dir, removes the bridge and the cgroups, and deletes the node's runtime state.
 */
export async function cleanupNode(s: PlatformState): Promise<void> {
  const kill = (pid: number): void => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  ourShims(s).forEach(kill);
  for (const h of cgroupMounts()) cgroupProcs(join(h, s.node.real.cgroupRoot)).forEach(kill);
  await sleep(500);
  const dir = nodeDir(s);
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((l) => l.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((m): m is string => m !== undefined && (m === dir || m.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const m of mounts) await run("umount", ["-l", m], { timeoutMs: 15_000 }).catch(() => undefined);
  // A cgroup of a process killed a moment ago stays busy until the kernel has reaped it (the v2 hierarchy of a hybrid
  // set-up takes longest): retry for up to 15 s. An empty leftover is harmless and reused by the next real node.
  for (let i = 0; i < 60; i++) {
    const left = cgroupMounts()
      .map((h) => join(h, s.node.real.cgroupRoot))
      .filter((d) => existsSync(d));
    if (left.length === 0) break;
    left.forEach(rmCgroupTree);
    await sleep(250);
  }
  if (tryCapture("ip", ["link", "show", s.node.real.bridge]) !== undefined)
    await ip(["link", "del", s.node.real.bridge]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}
