// Checks that must pass before anything is built or pushed, awaited before any resource is registered: a refusal
// changes nothing and is printed once, as its message alone (a RunError).
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseConfig } from "../config/load";
import { helmStatus } from "./deploy/helm-status";
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
  const record = await stackOutputs("release-record", stackName, ["helmRelease", "helmRevision"]);
  const live = helmStatus({ kubeconfig: s.kubeconfig, context: s.kubeContext }, s.namespace, s.releaseName);
  const problem = releaseNameProblem(
    live,
    ownsRelease(live, stackName, record.helmRelease, record.helmRevision, s.namespace, s.releaseName),
    stackName,
  );
  if (problem !== undefined) throw new pulumi.RunError(problem);
}
