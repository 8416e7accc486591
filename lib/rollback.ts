// Decides whether deploying a chart version over the one that runs is an upgrade, a re-deploy, or a rollback that needs consent.
import * as semver from "semver";

export interface DeployedRelease {
  /** Chart version of the deployed revision, from `helm list` (`splai-0.2.1` → `0.2.1`). */
  readonly chartVersion: string;
  readonly revision: number;
}

export type RollbackDecision = { readonly ok: true; readonly reason: string } | { readonly ok: false; readonly reason: string };

/** `helm list -o json` reports the chart as `<name>-<version>`; the version is what follows the chart name. */
export function chartVersionOf(chartField: string, chartName: string): string | undefined {
  const prefix = `${chartName}-`;
  return chartField.startsWith(prefix) ? chartField.slice(prefix.length) : undefined;
}

/** A lower version than the deployed one is refused unless `allowRollback` says the release engineer means it. */
export function checkRollback(wanted: string, deployed: DeployedRelease | undefined, allowRollback: boolean, where: string): RollbackDecision {
  if (deployed === undefined) return { ok: true, reason: `${where}: no release deployed yet; ${wanted} is the first` };
  const have = semver.valid(deployed.chartVersion);
  if (have === null) return { ok: true, reason: `${where}: deployed chart version '${deployed.chartVersion}' is not semver; not compared` };
  const cmp = semver.compare(wanted, have);
  if (cmp > 0) return { ok: true, reason: `${where}: upgrade ${have} → ${wanted}` };
  if (cmp === 0) return { ok: true, reason: `${where}: ${wanted} is already deployed (revision ${deployed.revision})` };
  if (allowRollback) return { ok: true, reason: `${where}: rollback ${have} → ${wanted} (splai-release:allowRollback is true)` };
  return {
    ok: false,
    reason:
      `${where} runs chart ${have} (revision ${deployed.revision}); ${wanted} is older, so the release was refused before anything was pushed. ` +
      "To roll back on purpose, set 'pulumi config set splai-release:allowRollback true' for this update, or release a newer version",
  };
}
