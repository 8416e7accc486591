// The contract of ServiceImages and PromotedImages with their step: the immutability check, and the names of their resources.
import type * as pulumi from "@pulumi/pulumi";
import { optionalText, secret, stepContract, text } from "../../shared/step/contract";
import type { AttestationRecord } from "../supplychain/attest";

/**
 * Refuses to push an image tag already released with other content. A built image is compared by the content hash in
 * its CONTEXT_LABEL (CONTEXT_HASH), a promoted one by digest (DIGEST): exactly one of the two is set.
 */
export const CHECK_IMMUTABLE = stepContract<{ readonly tag: string; readonly existing: string | null }>()(
  "check-immutable",
  {
    REGISTRY: text,
    /** Repository path under the registry (`owner/splai-planner`). */
    REPOSITORY: text,
    TAG: text,
    CONTEXT_HASH: optionalText,
    DIGEST: optionalText,
    REGISTRY_USERNAME: text,
    REGISTRY_PASSWORD: secret,
  },
);

/** Child resource names under a ServiceImages named `name`, per image short name. */
export const imageChildren = (name: string, image: string) => ({
  /** The docker-build Image (a built image) or the first tag's Index (a promoted one, or a fleet build). */
  image: `${name}-${image}`,
  context: `${name}-${image}-context`,
  immutable: `${name}-${image}-immutable`,
  attestations: `${name}-${image}-attestations`,
  /** A promoted image's copy of dev's cosign signatures. */
  signatures: `${name}-${image}-signatures`,
  /** A built image's platform image of its own (a fleet build, ServiceImages' `splitPlatforms`): `linux/arm64`. */
  platformImage: (platform: string) => `${name}-${image}-${platform.replaceAll("/", "-")}`,
  /** The Index of the release tag at position `i` (> 0) of a promoted image or of a fleet build. */
  tagIndex: (i: number) => (i === 0 ? `${name}-${image}` : `${name}-${image}-${i}`),
});

/** One released image, built or promoted. */
export interface PublishedImage {
  readonly name: string;
  readonly repository: string;
  readonly tags: string[];
  readonly digest: string;
  /** `<repository>@<digest>`. */
  readonly ref: string;
  /** `<immutable tag>@<digest>`: the chart value that pins the digest. */
  readonly pinnedTag: string;
  /** SBOM and provenance referrers, one per platform image (empty when attestations are off). */
  readonly attestations: AttestationRecord[];
}

/** What the chart values, the verification and the notes take from the images, built (ServiceImages) or promoted. */
export interface ReleaseImages {
  /** By short name (`api-gateway`, …). */
  readonly images: pulumi.Output<Record<string, PublishedImage>>;
}

/** Each image's reference as pods must run it (`<repository>:<immutable tag>@sha256:…`), by short name. */
export const pinnedRefs = (r: ReleaseImages): pulumi.Output<Record<string, string>> =>
  r.images.apply((m) => Object.fromEntries(Object.entries(m).map(([k, i]) => [k, `${i.repository}:${i.pinnedTag}`])));

/** Type tokens of the components (stable: they are part of every URN). */
export const SERVICE_IMAGES_TYPE = "splai:build:ServiceImages";
export const PROMOTED_IMAGES_TYPE = "splai:release:PromotedImages";

/** A released image's record: its name, tags, digest, the digest-pinned references and its attestations. */
export function publishedImage(
  image: string,
  repository: string,
  tags: readonly string[],
  digest: string,
  attestations: AttestationRecord[],
): PublishedImage {
  return {
    name: `splai-${image}`,
    repository,
    tags: [...tags],
    digest,
    ref: `${repository}@${digest}`,
    pinnedTag: `${tags[0]}@${digest}`,
    attestations,
  };
}
