// The contract of the supply-chain steps: attesting a built image, and copying a promoted image's attestations.
import { flag, optionalText, secret, stepContract, text } from "../../shared/step/contract";
import type { AttestationRecord } from "./attest";

export interface AttestationsRecord {
  readonly attestations: AttestationRecord[];
}

/** BuildKit's SBOM and SLSA provenance for one pushed image, attached to each platform image as OCI referrers. */
export const ATTEST_IMAGE = stepContract<AttestationsRecord>()("attest-image", {
  /** BuildKit address of the builder that pushed the image. */
  BUILDKIT_ADDR: text,
  REGISTRY: text,
  REPOSITORY: text,
  /** Digest of the pushed index. */
  DIGEST: text,
  CONTEXT_DIR: text,
  /** The Dockerfile: inline text (a generated one) or a path (a custom one); exactly one is set. */
  DOCKERFILE_INLINE: optionalText,
  DOCKERFILE_PATH: optionalText,
  /** Comma-separated platforms. */
  PLATFORMS: text,
  SOURCE_DATE_EPOCH: text,
  /** The image's labels as JSON. */
  LABELS: text,
  SBOM_GENERATOR: text,
  PROVENANCE: text,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Copies dev's SBOM and provenance referrers of a promoted image into the release repository, byte for byte. */
export const COPY_ATTESTATIONS = stepContract<AttestationsRecord>()("copy-attestations", {
  REGISTRY: text,
  REPOSITORY: text,
  /** Dev's repository with its registry host (`host[:port]/owner/splai-planner`). */
  SOURCE: text,
  DIGEST: text,
  REQUIRE_ATTESTATIONS: flag,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Child resource names under an ImageAttestation named `name`. */
export const attestationChildren = (name: string) => ({ attest: `${name}-attest` });

/** Type tokens of the components (stable: they are part of every URN). */
export const IMAGE_ATTESTATION_TYPE = "splai:supplychain:ImageAttestation";
