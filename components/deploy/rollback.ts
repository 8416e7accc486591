// Decides whether deploying a chart version over the one that runs is an upgrade, a re-deploy, or a rollback that needs consent.
import * as semver from "semver";

export interface DeployedRelease {
  /** Chart version of the deployed revision, from `helm list` (`splai-0.2.1` → `0.2.1`). */
  readonly chartVersion: string;
  readonly revision: number;
}

export type RollbackDecision =
  { readonly ok: true; readonly reason: string } | { readonly ok: false; readonly reason: string };

/** `helm list -o json` reports the chart as `<name>-<version>`; the version is what follows the chart name. */
export function chartVersionOf(chartField: string, chartName: string): string | undefined {
  const prefix = `${chartName}-`;
  return chartField.startsWith(prefix) ? chartField.slice(prefix.length) : undefined;
}

/** A lower version than the deployed one is refused unless `allowRollback` says the release engineer means it. */
export function checkRollback(
  wanted: string,
  deployed: DeployedRelease | undefined,
  allowRollback: boolean,
  where: string,
): RollbackDecision {
  if (deployed === undefined) return { ok: true, reason: `${where}: no release deployed yet; ${wanted} is the first` };
  const have = semver.valid(deployed.chartVersion);
  if (have === null)
    return {
      ok: true,
      reason: `${where}: deployed chart version '${deployed.chartVersion}' is not semver; not compared`,
    };
  const cmp = semver.compare(wanted, have);
  if (cmp > 0) return { ok: true, reason: `${where}: upgrade ${have} → ${wanted}` };
  if (cmp === 0) return { ok: true, reason: `${where}: ${wanted} is already deployed (revision ${deployed.revision})` };
  if (allowRollback)
    return { ok: true, reason: `${where}: rollback ${have} → ${wanted} (splai-release:allowRollback is true)` };
  return {
    ok: false,
    reason:
      `${where} runs chart ${have} (revision ${deployed.revision}); ${wanted} is older, so the release was refused before anything was pushed. ` +
      "To roll back on purpose, set 'pulumi config set splai-release:allowRollback true' for this update, or release a newer version",
  };
}

/** The latest revision of a Helm release, as `helm history --max 1 -o json` reports it. */
export interface LiveRelease {
  readonly name: string;
  readonly namespace: string;
  readonly revision: number;
  readonly status: string;
  /** `<chart name>-<chart version>`. */
  readonly chart: string;
  readonly description?: string;
}

/**
 * Whether this stack may install or upgrade the Helm release `name` in `namespace`: when no release by that name is
 * there, or when this stack's own record (its last update's outputs) says it deployed it. Otherwise the message names the
 * release, the namespace, what runs there and the fix, before anything is built or pushed.
 */
export function releaseNameProblem(
  live: LiveRelease | undefined,
  ownedByThisStack: boolean,
  stack: string,
): string | undefined {
  if (live === undefined || ownedByThisStack) return undefined;
  return (
    `Helm release '${live.name}' in namespace '${live.namespace}' already exists (chart ${live.chart}, revision ${live.revision}, ${live.status}) ` +
    `and is not this stack's: stack '${stack}' has no record of deploying it, so another stack or tool owns it. Nothing was built or pushed. ` +
    `Release into another namespace (pulumi config set splai-release:namespace <name>) or under another release name ` +
    `(pulumi config set splai-release:releaseName <name>); or, if the release is abandoned, remove it with: helm uninstall ${live.name} -n ${live.namespace}`
  );
}

/**
 * The Helm release description this program writes: which stack deployed the revision and which release it is
 * (`helm history` shows it; the policy pack reads the release tag from it).
 */
export const releaseDescription = (stack: string, releaseTag: string): string =>
  `deployed by splai-release stack ${stack} (release ${releaseTag})`;

/** The release tag a description written by {@link releaseDescription} names, if any. */
export const releaseTagOf = (description: unknown): string | undefined =>
  typeof description === "string"
    ? /^deployed by splai-release stack \S+ \(release (v\S+)\)$/.exec(description)?.[1]
    : undefined;

/**
 * Whether a stack owns the live release `name` in `namespace`: its last outputs record it as deployed by the stack, or
 * Helm's record of the live revision carries the stack's description (which survives an update whose outputs were never
 * written, such as a first release that failed its verification). Stacks released before either record existed export
 * only `helmRevision`: their release is taken to be the configured one.
 */
export function ownsRelease(
  live: LiveRelease | undefined,
  stack: string,
  record: unknown,
  helmRevision: unknown,
  namespace: string,
  name: string,
): boolean {
  if (live?.description?.startsWith(`deployed by splai-release stack ${stack} (`) === true) return true;
  if (record !== null && typeof record === "object") {
    const r = record as { namespace?: unknown; name?: unknown };
    return r.namespace === namespace && r.name === name;
  }
  return typeof helmRevision === "number";
}
