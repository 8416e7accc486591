// ImageAttestation: BuildKit's SBOM (SPDX) and SLSA provenance for one pushed image, attached to each platform image as OCI referrers.
import * as pulumi from "@pulumi/pulumi";
import type { AttestationRecord } from "./attest";
import { stepCommand } from "../../shared/step/command";
import { ATTEST_IMAGE, attestationChildren, IMAGE_ATTESTATION_TYPE } from "./contract";

export interface ImageAttestationArgs {
  readonly registry: string;
  /** Repository path under the registry (`owner/splai-planner`). */
  readonly repository: string;
  /** Digest of the pushed image index; a new digest attests again. */
  readonly digest: pulumi.Input<string>;
  /** The build inputs the image was pushed from: BuildKit rebuilds them from its cache with attestations. */
  readonly contextDir: pulumi.Input<string>;
  readonly dockerfile: { readonly inline: string } | { readonly path: string };
  readonly platforms: readonly string[];
  readonly labels: pulumi.Input<Record<string, pulumi.Input<string>>>;
  readonly sourceDateEpoch: number;
  /** BuildKit address (`unix://…`, `tcp://…`) of the builder that pushed the image. */
  readonly buildkitAddr: string;
  /** SBOM generator image (BuildKit's `attest:sbom=generator=`). */
  readonly sbomGenerator: string;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
}

/** One platform image's SBOM and provenance referrer (lib/attest.ts). */
export type Attestation = AttestationRecord;

export class ImageAttestation extends pulumi.ComponentResource {
  public readonly attestations: pulumi.Output<Attestation[]>;

  constructor(name: string, args: ImageAttestationArgs, opts?: pulumi.ComponentResourceOptions) {
    super(IMAGE_ATTESTATION_TYPE, name, {}, opts);
    const run = stepCommand(
      ATTEST_IMAGE,
      attestationChildren(name).attest,
      {
        env: {
          BUILDKIT_ADDR: args.buildkitAddr,
          REGISTRY: args.registry,
          REPOSITORY: args.repository,
          DIGEST: args.digest,
          CONTEXT_DIR: args.contextDir,
          // Set field by field, never by a spread: the compiler checks only named fields against the contract.
          DOCKERFILE_INLINE: "inline" in args.dockerfile ? args.dockerfile.inline : undefined,
          DOCKERFILE_PATH: "path" in args.dockerfile ? args.dockerfile.path : undefined,
          PLATFORMS: args.platforms.join(","),
          SOURCE_DATE_EPOCH: String(args.sourceDateEpoch),
          LABELS: pulumi.output(args.labels).apply((l) => JSON.stringify(l)),
          SBOM_GENERATOR: args.sbomGenerator,
          PROVENANCE: "mode=max",
          REGISTRY_USERNAME: args.registryUsername,
          REGISTRY_PASSWORD: args.registryPassword,
        },
        // Attested once per pushed digest and generator; a no-op run leaves the referrers as they are.
        triggers: [args.digest, args.sbomGenerator],
      },
      { parent: this },
    );
    this.attestations = run.output.apply((o) => o.attestations);
    this.registerOutputs({ attestations: this.attestations });
  }
}
