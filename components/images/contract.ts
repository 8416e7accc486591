// The contract of ServiceImages and PromotedImages with their step: the immutability check, and the names of their resources.
import { optionalText, secret, stepContract, text } from "../../shared/step/contract";

/**
 * Refuses to push an image tag already released with other content. A built image is compared by the content hash in
 * its CONTEXT_LABEL (CONTEXT_HASH), a promoted one by digest (DIGEST): exactly one of the two is set.
 */
export const CHECK_IMMUTABLE = stepContract<{ readonly tag: string; readonly existing: string | null }>()("check-immutable", {
  REGISTRY: text,
  /** Repository path under the registry (`owner/splai-planner`). */
  REPOSITORY: text,
  TAG: text,
  CONTEXT_HASH: optionalText,
  DIGEST: optionalText,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Child resource names under a ServiceImages named `name`, per image short name. */
export const imageChildren = (name: string, image: string) => ({
  /** The docker-build Image (a built image) or the first tag's Index (a promoted one). */
  image: `${name}-${image}`,
  context: `${name}-${image}-context`,
  immutable: `${name}-${image}-immutable`,
  attestations: `${name}-${image}-attestations`,
  /** The Index of the release tag at position `i` (> 0) of a promoted image. */
  tagIndex: (i: number) => (i === 0 ? `${name}-${image}` : `${name}-${image}-${i}`),
});
