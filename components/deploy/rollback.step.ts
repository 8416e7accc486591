// Step: refuses to deploy a chart version lower than the one running, unless allowed; run by ReleaseGuard before a tag release pushes anything.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkRollback, chartVersionOf, type DeployedRelease } from "./rollback";
import { defineStep } from "../../shared/step/run";
import { CHECK_ROLLBACK } from "./contract";

interface HelmListEntry {
  name: string;
  revision: string;
  status: string;
  chart: string;
}

export default defineStep(CHECK_ROLLBACK, async (env) => {
  const [namespace, release, chartName, wanted] = [env.NAMESPACE, env.RELEASE_NAME, env.CHART_NAME, env.CHART_VERSION];
  const args = ["list", "--namespace", namespace, "--filter", `^${release}$`, "--deployed", "--output", "json"];
  let tmp: string | undefined;
  const kubeconfig = env.KUBECONFIG_CONTENT;
  if (kubeconfig.includes("apiVersion")) {
    tmp = mkdtempSync(join(tmpdir(), "splai-guard-"));
    writeFileSync(join(tmp, "kubeconfig"), kubeconfig, { mode: 0o600 });
    args.push("--kubeconfig", join(tmp, "kubeconfig"));
  } else if (kubeconfig !== "") args.push("--kubeconfig", kubeconfig);
  if (env.KUBE_CONTEXT) args.push("--kube-context", env.KUBE_CONTEXT);
  try {
    const r = spawnSync("helm", args, { encoding: "utf8", timeout: 120_000 });
    if (r.error) throw new Error(`cannot run helm: ${r.error.message}`);
    if (r.status !== 0)
      throw new Error(
        `cannot read the deployed release ${namespace}/${release} (helm list exit ${r.status}): ${r.stderr.trim()}`,
      );
    const entries = JSON.parse(r.stdout || "[]") as HelmListEntry[];
    const entry = entries.find((e) => e.name === release);
    const version = entry ? chartVersionOf(entry.chart, chartName) : undefined;
    const deployed: DeployedRelease | undefined =
      entry && version ? { chartVersion: version, revision: Number(entry.revision) } : undefined;
    const d = checkRollback(wanted, deployed, env.ALLOW_ROLLBACK, `${namespace}/${release}`);
    if (!d.ok) throw new Error(d.reason);
    process.stderr.write(`${d.reason}\n`);
    return { deployed: deployed?.chartVersion ?? null, wanted };
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
});
