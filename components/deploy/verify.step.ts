// Step: verifies a deployed Helm release: rollout of the released images, /healthz through the API server's service proxy, `splaictl verify`;
// on failure rolls the release back when atomic. Run by the Verification component; settings arrive in the environment.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  labelSelector,
  parseReleaseManifest,
  proxyPort,
  serviceForImage,
  type ManifestWorkload,
  type ReleaseManifest,
} from "./helm-manifest";
import {
  failureMessage,
  fatalPodProblem,
  foreignImages,
  rolloutPending,
  serviceProxyPath,
  type PodJson,
  type VerificationResult,
  type WorkloadJson,
} from "./verify-rules";
import { defineStep } from "../../shared/step/run";
import { VERIFY_RELEASE } from "./contract";

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

class CheckFailed extends Error {}

interface Settings {
  kubeconfig: string;
  context?: string;
  namespace: string;
  release: string;
  revision: number;
  components: string[];
  gateway: string;
  /** Released image reference per component (`api-gateway` → `<repository>:<tag>@sha256:…`). */
  images: Record<string, string>;
  splaictl?: string;
  timeoutMs: number;
  rollback: boolean;
  requireRealNode: boolean;
}

function kubeArgs(s: Settings): string[] {
  return ["--kubeconfig", s.kubeconfig, ...(s.context ? ["--context", s.context] : [])];
}

function kubectl(s: Settings, args: string[], timeoutMs = 60_000): { ok: boolean; out: string; err: string } {
  const r = spawnSync("kubectl", [...kubeArgs(s), "-n", s.namespace, ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
  if (r.error) throw new Error(`cannot run kubectl (install it or put it on PATH): ${r.error.message}`);
  return { ok: r.status === 0, out: r.stdout, err: r.stderr.trim() };
}

function kubectlJson<T>(s: Settings, args: string[]): T {
  const r = kubectl(s, [...args, "-o", "json"]);
  if (!r.ok) throw new CheckFailed(`kubectl ${args.join(" ")} failed: ${r.err}`);
  return JSON.parse(r.out) as T;
}

function helm(s: Settings, args: string[], timeoutMs: number): { ok: boolean; out: string } {
  const ctx = s.context ? ["--kube-context", s.context] : [];
  const r = spawnSync("helm", [...args, "--namespace", s.namespace, "--kubeconfig", s.kubeconfig, ...ctx], {
    encoding: "utf8",
    timeout: timeoutMs,
  });
  if (r.error) throw new Error(`cannot run helm: ${r.error.message}`);
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
}

/** The release's objects as Helm recorded them for this revision: found by Helm's record, not by any label a chart may set. */
function releaseManifest(s: Settings): ReleaseManifest {
  const r = helm(s, ["get", "manifest", s.release, "--revision", String(s.revision)], 60_000);
  if (!r.ok) throw new CheckFailed(`helm get manifest ${s.release} --revision ${s.revision} failed: ${r.out}`);
  return parseReleaseManifest(r.out);
}

function workloadPods(s: Settings, w: ManifestWorkload): PodJson[] {
  return kubectlJson<{ items: PodJson[] }>(s, [
    "get",
    "pods",
    ...nsArgs(s, w),
    "-l",
    labelSelector(w.selector, `${w.kind} ${w.name}`),
  ]).items;
}

const nsArgs = (s: Settings, w: ManifestWorkload): string[] =>
  w.namespace && w.namespace !== s.namespace ? ["-n", w.namespace] : [];

function previousLogs(s: Settings, pod: string, container: string): string {
  const r = kubectl(s, ["logs", pod, "-c", container, "--previous", "--tail", "15"], 20_000);
  const text = (r.ok ? r.out : kubectl(s, ["logs", pod, "-c", container, "--tail", "15"], 20_000).out).trim();
  return text ? `\nlast log lines of ${pod}/${container}:\n${text.replace(/^/gm, "  | ")}` : "";
}

/** Waits until every Deployment, DaemonSet and StatefulSet of the release runs its new spec, failing at once on a crash loop. */
async function waitForRollout(s: Settings, m: ReleaseManifest, checks: string[]): Promise<PodJson[]> {
  if (m.workloads.length === 0) {
    throw new CheckFailed(
      `Helm's manifest of release ${s.release} revision ${s.revision} holds no Deployment, DaemonSet or StatefulSet to roll out`,
    );
  }
  const deadline = Date.now() + s.timeoutMs;
  let pending: string[] = [];
  while (Date.now() < deadline) {
    const live = m.workloads.map((w) => ({
      ...kubectlJson<WorkloadJson>(s, ["get", `${w.kind.toLowerCase()}/${w.name}`, ...nsArgs(s, w)]),
      kind: w.kind,
    }));
    const pods = m.workloads.flatMap((w) => workloadPods(s, w));
    const fatal = fatalPodProblem(pods);
    if (fatal)
      throw new CheckFailed(
        `pod ${fatal.pod}, container ${fatal.container}: ${fatal.message}${previousLogs(s, fatal.pod, fatal.container)}`,
      );
    pending = live.map(rolloutPending).filter((p): p is string => p !== undefined);
    if (pending.length === 0) {
      checks.push(`ok   rollout: ${m.workloads.map((w) => `${w.kind} ${w.name}`).join(", ")}`);
      return pods.filter((p) => !p.metadata.deletionTimestamp);
    }
    await sleep(2000);
  }
  throw new CheckFailed(`rollout not finished after ${s.timeoutMs / 1000}s: ${pending.join("; ")}`);
}

/** True when every pod sits on a kwok node, which marks pods Ready without running them. */
function onFakeNodes(s: Settings, pods: PodJson[]): boolean {
  const nodes = kubectlJson<{ items: { metadata: { name: string; annotations?: Record<string, string> } }[] }>(s, [
    "get",
    "nodes",
  ]).items;
  const fake = new Set(
    nodes.filter((n) => n.metadata.annotations?.["kwok.x-k8s.io/node"] !== undefined).map((n) => n.metadata.name),
  );
  return pods.length > 0 && pods.every((p) => p.spec.nodeName !== undefined && fake.has(p.spec.nodeName));
}

/** GET <service>/healthz through the API server's service proxy; endpoints may trail readiness by a moment, so it retries briefly. */
async function healthz(s: Settings, component: string, service: string, port: string): Promise<string> {
  const path = `${serviceProxyPath(s.namespace, service, port)}/healthz`;
  let last = "";
  for (let i = 0; i < 15; i++) {
    const r = spawnSync("kubectl", [...kubeArgs(s), "get", "--raw", path], { encoding: "utf8", timeout: 20_000 });
    if (r.status === 0) return `ok   GET ${component} /healthz through ${path}: 200 ${r.stdout.trim()}`;
    last = r.stderr.trim();
    await sleep(2000);
  }
  throw new CheckFailed(`GET ${path} did not answer 200: ${last}`);
}

/** Runs the released `splaictl verify` against the gateway through `kubectl proxy`, which carries the kubeconfig's credentials. */
async function splaictlVerify(s: Settings, service: string, port: string): Promise<string> {
  if (!s.splaictl)
    return "skip splaictl verify: no splaictl binary for this machine's platform among the release binaries";
  const proxy = spawn("kubectl", [...kubeArgs(s), "proxy", "--address=127.0.0.1", "--port=0"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const localPort = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("kubectl proxy did not start within 20s")), 20_000);
      let out = "";
      proxy.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /Starting to serve on 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      proxy.on("exit", (code) => reject(new Error(`kubectl proxy exited with ${code}`)));
    });
    const url = `http://127.0.0.1:${localPort}${serviceProxyPath(s.namespace, service, port)}`;
    const r = spawnSync(s.splaictl, ["verify", "--url", url], { encoding: "utf8", timeout: 60_000 });
    if (r.error) throw new CheckFailed(`cannot run ${s.splaictl}: ${r.error.message}`);
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.status !== 0)
      throw new CheckFailed(`splaictl verify --url ${url} exited with ${r.status}:\n${out.replace(/^/gm, "  | ")}`);
    return `ok   splaictl verify --url ${url}: ${out.split("\n").pop() ?? ""}`;
  } finally {
    proxy.kill();
  }
}

async function verify(s: Settings): Promise<VerificationResult> {
  const checks: string[] = [];
  const status = helm(s, ["status", s.release, "-o", "json"], 60_000);
  if (!status.ok) throw new CheckFailed(`helm status ${s.release} failed: ${status.out}`);
  const live = (JSON.parse(status.out) as { version: number }).version;
  if (live !== s.revision) {
    // Not a failure of this revision, so no rollback: the release already moved on (or back) without this program.
    throw new Error(
      `verification of Helm release ${s.release} (namespace ${s.namespace}): the release is at revision ${live}, not revision ${s.revision} that this update deployed (rolled back after an earlier failed verification?); run pulumi up --refresh to deploy it again`,
    );
  }
  const manifest = releaseManifest(s);
  const pods = await waitForRollout(s, manifest, checks);
  const foreign = foreignImages(pods, Object.values(s.images));
  if (foreign.length) throw new CheckFailed(`pods do not run the released images: ${foreign.join("; ")}`);
  checks.push(`ok   ${pods.length} pod(s) run the released images by digest`);
  if (onFakeNodes(s, pods)) {
    const reason =
      "the release's pods are on fake nodes (kwok), which mark pods Ready without running them; start a real node with: npm run platform -- up --node real";
    if (s.requireRealNode) throw new CheckFailed(`splai-release:verify is true but ${reason}`);
    checks.push(`skip /healthz and splaictl verify: ${reason}`);
    return { status: "skipped", revision: s.revision, checks, reason };
  }
  let gateway: { service: string; port: string } | undefined;
  for (const component of s.components) {
    const image = s.images[component];
    if (image === undefined) throw new CheckFailed(`component ${component} has no released image to find it by`);
    const found = serviceForImage(manifest, image);
    if (!found)
      throw new CheckFailed(`no workload of release ${s.release} runs ${component}'s released image ${image}`);
    if (!found.service)
      throw new CheckFailed(
        `no Service of release ${s.release} selects the pods of ${found.workload.kind} ${found.workload.name} (${component})`,
      );
    const target = { service: found.service.name, port: proxyPort(found.service) };
    if (component === s.gateway) gateway = target;
    checks.push(await healthz(s, component, target.service, target.port));
  }
  if (!gateway)
    throw new CheckFailed(
      `the gateway component ${s.gateway} is not among the checked components ${s.components.join(", ")}`,
    );
  checks.push(await splaictlVerify(s, gateway.service, gateway.port));
  return { status: "passed", revision: s.revision, checks };
}

function rollback(s: Settings): { done: true; to: number } | { done: false; why: string } {
  if (!s.rollback) return { done: false, why: "atomic is off for this stack" };
  if (s.revision <= 1) return { done: false, why: "revision 1 has nothing to roll back to" };
  const to = s.revision - 1;
  log(`rolling back release ${s.release} to revision ${to}`);
  const r = helm(
    s,
    ["rollback", s.release, String(to), "--wait", "--timeout", `${Math.round(s.timeoutMs / 1000)}s`],
    s.timeoutMs + 60_000,
  );
  return r.ok ? { done: true, to } : { done: false, why: `helm rollback to revision ${to} failed: ${r.out}` };
}

export default defineStep(VERIFY_RELEASE, async (env) => {
  const work = mkdtempSync(join(tmpdir(), "splai-verify-"));
  try {
    const input = env.KUBECONFIG_INPUT ?? process.env.KUBECONFIG ?? join(process.env.HOME ?? "", ".kube", "config");
    let kubeconfig = input;
    if (input.includes("apiVersion")) {
      kubeconfig = join(work, "kubeconfig");
      writeFileSync(kubeconfig, input, { mode: 0o600 });
    }
    const s: Settings = {
      kubeconfig,
      context: env.KUBE_CONTEXT,
      namespace: env.NAMESPACE,
      release: env.RELEASE,
      revision: env.REVISION,
      components: env.COMPONENTS,
      gateway: env.GATEWAY,
      images: env.IMAGES,
      splaictl: env.SPLAICTL,
      timeoutMs: env.TIMEOUT * 1000,
      rollback: env.ROLLBACK,
      requireRealNode: env.REQUIRE_REAL_NODE,
    };
    try {
      const result = await verify(s);
      for (const c of result.checks) log(c);
      return result;
    } catch (err) {
      if (!(err instanceof CheckFailed)) throw err;
      throw new Error(
        failureMessage({
          release: s.release,
          namespace: s.namespace,
          revision: s.revision,
          problem: err.message,
          rollback: rollback(s),
        }),
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
