// Pure rules of the post-deploy verification: what a rolled-out workload looks like, which pod states fail at once, and the messages.

/** What the verification reports as the `verification` stack output. */
export interface VerificationResult {
  /** `passed`, or `skipped` when pods run on fake nodes and nothing can answer HTTP. */
  readonly status: "passed" | "skipped";
  readonly revision: number;
  /** One line per check, `ok   …` or `skip …`. */
  readonly checks: string[];
  /** Why the checks were skipped. */
  readonly reason?: string;
}

export interface WorkloadJson {
  kind?: string;
  metadata: { name: string; generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    updatedReplicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
  };
}

export interface ContainerStatusJson {
  name: string;
  image: string;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { exitCode?: number; reason?: string } };
  lastState?: { terminated?: { exitCode?: number; reason?: string } };
}

export interface PodJson {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string; containers: { name: string; image: string }[] };
  status?: { phase?: string; containerStatuses?: ContainerStatusJson[] };
}

/** Why a Deployment or DaemonSet has not finished rolling out, or undefined when every replica is updated and available. */
export function rolloutPending(w: WorkloadJson): string | undefined {
  const st = w.status ?? {};
  const name = `${w.kind ?? "workload"} ${w.metadata.name}`;
  if ((st.observedGeneration ?? 0) < (w.metadata.generation ?? 0))
    return `${name}: the controller has not seen the new spec yet`;
  if (w.kind === "DaemonSet") {
    const want = st.desiredNumberScheduled ?? 0;
    if ((st.updatedNumberScheduled ?? 0) < want)
      return `${name}: ${st.updatedNumberScheduled ?? 0} of ${want} pods updated`;
    if ((st.numberAvailable ?? 0) < want) return `${name}: ${st.numberAvailable ?? 0} of ${want} pods available`;
    return undefined;
  }
  const want = w.spec?.replicas ?? 1;
  if ((st.updatedReplicas ?? 0) < want) return `${name}: ${st.updatedReplicas ?? 0} of ${want} replicas updated`;
  if ((st.availableReplicas ?? 0) < want) return `${name}: ${st.availableReplicas ?? 0} of ${want} replicas available`;
  if ((st.replicas ?? 0) > want) return `${name}: ${(st.replicas ?? 0) - want} old replica(s) still terminating`;
  return undefined;
}

/** Waiting reasons that no amount of waiting fixes: the verification fails at once instead of running into its timeout. */
const FATAL_WAITING = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

export interface PodProblem {
  readonly pod: string;
  readonly container: string;
  readonly message: string;
}

/** The first container of these pods that is failing for good (crash loop, image that cannot be pulled…), if any. */
export function fatalPodProblem(pods: readonly PodJson[]): PodProblem | undefined {
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    for (const c of pod.status?.containerStatuses ?? []) {
      const waiting = c.state?.waiting;
      if (!waiting?.reason || !FATAL_WAITING.has(waiting.reason)) continue;
      const last = c.lastState?.terminated;
      const exit = last
        ? `; last run exited with code ${last.exitCode ?? "?"}${last.reason ? ` (${last.reason})` : ""}`
        : "";
      const restarts = c.restartCount ? ` after ${c.restartCount} restart(s)` : "";
      return {
        pod: pod.metadata.name,
        container: c.name,
        message: `${waiting.reason}${restarts}${exit}${waiting.message ? `: ${waiting.message}` : ""}`,
      };
    }
  }
  return undefined;
}

/** Containers of live pods whose image is not one of the released references (a rollback, or someone else's change). */
export function foreignImages(pods: readonly PodJson[], released: readonly string[]): string[] {
  const ok = new Set(released);
  return pods
    .filter((p) => !p.metadata.deletionTimestamp)
    .flatMap((p) =>
      p.spec.containers.filter((c) => !ok.has(c.image)).map((c) => `${p.metadata.name}/${c.name} runs ${c.image}`),
    );
}

/** The API server's service proxy path for a Service's named port. */
export const serviceProxyPath = (namespace: string, service: string, port = "http"): string =>
  `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(service)}:${port}/proxy`;

/** The failure message: what failed, what happened to the release, and what to do. */
export function failureMessage(opts: {
  release: string;
  namespace: string;
  revision: number;
  problem: string;
  rollback: { done: true; to: number } | { done: false; why: string };
}): string {
  const head = `verification of Helm release ${opts.release} (namespace ${opts.namespace}, revision ${opts.revision}) failed: ${opts.problem}`;
  const after = opts.rollback.done
    ? `The release was rolled back to revision ${opts.rollback.to} (atomic), so the previous version serves again.`
    : `The release was not rolled back (${opts.rollback.why}); it stays at revision ${opts.revision} for inspection.`;
  return `${head}\n${after}\nFix the release (logs of a failed pod: kubectl -n ${opts.namespace} logs <pod> --previous) and run pulumi up again.`;
}
