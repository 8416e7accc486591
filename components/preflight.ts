// Checks that must pass before anything is built or pushed, awaited before any resource is registered: a refusal
// changes nothing and is printed once, as its message alone (a RunError).
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseConfig } from "../config/load";
import type { ReleasePolicy } from "../config/policy";
import { helmStatus } from "./deploy/helm-status";
import { apiBase, GitHubClient } from "./github/api";
import type { ReleaseAsset } from "./github/contract";
import { ownsRelease, releaseNameProblem } from "./deploy/rollback";
import { checkPromotion, PromotionError, type PromotionSource } from "./promotion/promotion";

/** The value of an Output that is known at preview too (a StackReference's outputs). */
const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

/** Reads the outputs of a stack (a StackReference named `name`, a read in the state). */
async function stackOutputs(name: string, stack: string, keys: readonly string[]): Promise<Record<string, unknown>> {
  const ref = new pulumi.StackReference(name, { name: stack });
  const values = await Promise.all(keys.map((k) => valueOf(ref.getOutput(k) as pulumi.Output<unknown>)));
  return Object.fromEntries(keys.map((k, i) => [k, values[i]]));
}

/** What this stack's last update recorded of what it released (one read of itself, shared by the checks). */
interface ReleaseRecord {
  readonly helmRelease?: unknown;
  readonly helmRevision?: unknown;
  readonly releaseUrl?: unknown;
}
const records = new Map<string, Promise<ReleaseRecord>>();
const releaseRecord = (stackName: string): Promise<ReleaseRecord> => {
  let r = records.get(stackName);
  if (r === undefined) {
    r = stackOutputs("release-record", stackName, ["helmRelease", "helmRevision", "releaseUrl"]);
    records.set(stackName, r);
  }
  return r;
};

/**
 * Promotion (`promoteFrom`): the dev stack's build of this tag's commit, checked (same commit, every image by digest in
 * this registry, every binary against its SHA256SUMS) — or a refusal naming every problem.
 */
export async function promotionSource(cfg: ReleaseConfig): Promise<PromotionSource | undefined> {
  const { settings: s, versions: v, ref } = cfg;
  if (s.promoteFrom === undefined) return undefined;
  const dev = await stackOutputs("promote-from", s.promoteFrom, [
    "versions",
    "releaseImages",
    "releaseBinaries",
    "binaryChecksums",
  ]);
  try {
    return checkPromotion(dev, {
      stack: s.promoteFrom,
      tag: v.releaseTag,
      sha: ref.sha,
      registry: s.registry,
      images: s.mains.filter((m) => m.image).map((m) => m.image!),
    });
  } catch (e) {
    if (e instanceof PromotionError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

/**
 * The Helm release name must be free in the namespace, or this stack's own: its last update's outputs (Pulumi's record
 * of what it deployed, read through a reference to itself) or Helm's description of the live revision say so. A stack
 * on a shared dev cluster is the normal case.
 */
export async function checkReleaseName(cfg: ReleaseConfig, stackName: string): Promise<void> {
  const s = cfg.settings;
  if (!s.deploy) return;
  const record = await releaseRecord(stackName);
  const live = helmStatus({ kubeconfig: s.kubeconfig, context: s.kubeContext }, s.namespace, s.releaseName);
  const problem = releaseNameProblem(
    live,
    ownsRelease(live, stackName, record.helmRelease, record.helmRevision, s.namespace, s.releaseName),
    stackName,
  );
  if (problem !== undefined) throw new pulumi.RunError(problem);
}

/** What a repository check found: undefined when the token may write there, else the problem in a user's words. */
export async function repositoryAccessProblem(
  client: GitHubClient,
  repo: string,
  purpose: string,
): Promise<string | undefined> {
  let res: Response;
  try {
    res = await client.call("GET", `repos/${repo}`);
  } catch (e) {
    return `cannot reach GitHub for ${repo} (${purpose}): ${(e as Error).message}; check splai-release:githubBaseUrl`;
  }
  if (!res.ok) return `${(await client.error("GET", `repos/${repo}`, res)).message} — needed for ${purpose}`;
  const body = (await res.json()) as { permissions?: { push?: boolean } };
  // A token's own scopes are only known on a write; a role without push is known now.
  if (body.permissions?.push === false)
    return (
      `GitHub repository ${repo} (${purpose}): the token can read it but not write to it ` +
      `(it needs contents:write); use a token of an account with write access in splai-release:githubToken / GITHUB_TOKEN`
    );
  return undefined;
}

/**
 * The GitHub token can write to the release repository (and the Homebrew tap of a tag release): a bad or read-only
 * token is refused at preview, before the release is built, instead of failing the first GitHub write at the end.
 */
export async function checkGitHubAccess(cfg: ReleaseConfig, policy: ReleasePolicy): Promise<void> {
  const s = cfg.settings;
  if (!policy.githubRelease || cfg.githubToken === undefined) return;
  const token = await valueOf(cfg.githubToken);
  const client = new GitHubClient(apiBase(s.githubBaseUrl), token);
  const checks: [string, string][] = [[`${s.githubOwner}/${s.githubRepo}`, "the GitHub release"]];
  if (policy.tagRelease && s.homebrewTap !== undefined) checks.push([s.homebrewTap, "the Homebrew formula"]);
  const problems = (await Promise.all(checks.map(([repo, why]) => repositoryAccessProblem(client, repo, why)))).filter(
    (p): p is string => p !== undefined,
  );
  if (problems.length) throw new pulumi.RunError(problems.join("\n"));
}

/** A GitHub release of this tag published before, which this stack does not manage: what the formula may point at. */
export interface ReleasedBefore {
  readonly url: string;
  readonly assets: ReleaseAsset[];
}

/**
 * The published GitHub release of this tag when this stack's last update did not record it as its own: a rollback to a
 * tag released earlier, or a release made by hand or by another stack. It is left exactly as it was released (notes
 * and assets); undefined when there is none or it is this stack's, which the update then manages as usual.
 */
export async function releasedBefore(
  cfg: ReleaseConfig,
  policy: ReleasePolicy,
  stackName: string,
): Promise<ReleasedBefore | undefined> {
  const s = cfg.settings;
  if (!policy.githubRelease || cfg.githubToken === undefined) return undefined;
  const client = new GitHubClient(apiBase(s.githubBaseUrl), await valueOf(cfg.githubToken));
  const path = `repos/${s.githubOwner}/${s.githubRepo}/releases/tags/${encodeURIComponent(cfg.versions.releaseTag)}`;
  const res = await client.call("GET", path);
  if (res.status === 404) return undefined;
  if (!res.ok) throw new pulumi.RunError((await client.error("GET", path, res)).message);
  const rel = (await res.json()) as { id: number; html_url: string };
  if ((await releaseRecord(stackName)).releaseUrl === rel.html_url) return undefined;
  const assets = await client.listAssets(s.githubOwner, s.githubRepo, rel.id);
  return {
    url: rel.html_url,
    assets: assets.map((a) => ({
      name: a.name,
      id: a.id,
      size: a.size,
      sha256: a.digest?.startsWith("sha256:") ? a.digest.slice(7) : "",
      url: a.browser_download_url,
    })),
  };
}
