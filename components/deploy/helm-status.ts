// Reads a Helm release's latest revision as Helm records it (`helm history`), for the checks that run before anything is built.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LiveRelease } from "./rollback";

export interface ClusterAccess {
  /** A kubeconfig path or document; undefined uses KUBECONFIG or ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** The release's latest revision, or undefined when Helm has no release by that name in the namespace. Throws when the cluster cannot be read. */
export function helmStatus(access: ClusterAccess, namespace: string, name: string): LiveRelease | undefined {
  let tmp: string | undefined;
  // `history` carries the chart and the description, which `status -o json` leaves out.
  const args = ["history", name, "--namespace", namespace, "--max", "1", "--output", "json"];
  try {
    if (access.kubeconfig?.includes("apiVersion")) {
      tmp = mkdtempSync(join(tmpdir(), "splai-helm-"));
      writeFileSync(join(tmp, "kubeconfig"), access.kubeconfig, { mode: 0o600 });
      args.push("--kubeconfig", join(tmp, "kubeconfig"));
    } else if (access.kubeconfig) args.push("--kubeconfig", access.kubeconfig);
    if (access.context) args.push("--kube-context", access.context);
    const r = spawnSync("helm", args, { encoding: "utf8", timeout: 60_000 });
    if (r.error)
      throw new Error(
        `cannot run helm to read Helm release '${name}' in namespace '${namespace}' (is helm on PATH?): ${r.error.message}`,
      );
    if (r.status === 0) {
      const [latest] = JSON.parse(r.stdout) as Omit<LiveRelease, "name" | "namespace">[];
      return latest === undefined ? undefined : { ...latest, name, namespace };
    }
    if (/release: not found/.test(r.stderr)) return undefined;
    throw new Error(
      `cannot read Helm release '${name}' in namespace '${namespace}' (helm history exit ${r.status}): ${r.stderr.trim()}`,
    );
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
}
