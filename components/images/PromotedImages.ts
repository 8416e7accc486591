// PromotedImages: a dev build's images published under the release tags by digest with @pulumi/docker-build's Index — no rebuild, the same digests.
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { imageRepository, type MainSpec } from "../../shared/layout";
import type { DevImage } from "../promotion/promotion";
import type { Attestation } from "../supplychain/ImageAttestation";
import { stepCommand } from "../../shared/step/command";
import { COPY_ATTESTATIONS } from "../supplychain/contract";
import type { TrustPolicy } from "../signing/cosign";
import { COPY_SIGNATURES } from "../signing/contract";
import { SignatureGate } from "../signing/SignatureGate";
import {
  CHECK_IMMUTABLE,
  imageChildren,
  publishedImage,
  PROMOTED_IMAGES_TYPE,
  type PublishedImage,
  type ReleaseImages,
} from "./contract";

export interface PromotedImagesArgs {
  /** Mains that ship as images (those with `image`). Plain: it decides how many resources exist. */
  readonly mains: readonly MainSpec[];
  /** The dev build's image per short name (`api-gateway` → repository and digest), already checked. */
  readonly sources: pulumi.Input<Readonly<Record<string, DevImage>>>;
  readonly registry: string;
  readonly owner: string;
  /** Release tags; the first is the immutable one that pins digests. Plain. */
  readonly tags: readonly string[];
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
  /**
   * Copy dev's SBOM and provenance referrers to the release repositories (default true); `required` fails the release
   * when dev has none (`attestations: true`). Plain.
   */
  readonly attestations?: boolean | "required";
  /** Checks every push waits for (the ReleaseGuard's, the promoted binaries). Default: none. */
  readonly after?: pulumi.Input<pulumi.Resource>[];
  /**
   * Verify dev's cosign signatures against this trust before anything is pushed (one refused image pushes nothing),
   * and copy them with the digests. Default: none (no verification, no copy).
   */
  readonly trust?: pulumi.Input<TrustPolicy>;
}

/** The same public shape as ServiceImages, so the chart values, the verification and the notes take either. */
export class PromotedImages extends pulumi.ComponentResource implements ReleaseImages {
  public readonly images: pulumi.Output<Record<string, PublishedImage>>;

  constructor(name: string, args: PromotedImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PROMOTED_IMAGES_TYPE, name, {}, opts);
    const published: Record<string, pulumi.Output<PublishedImage>> = {};
    const password = pulumi.secret(args.registryPassword);
    const images = args.mains.filter((m) => m.image).map((m) => m.image!);
    const sources = Object.fromEntries(
      images.map((image) => [image, pulumi.output(args.sources).apply((s) => s[image])]),
    );
    // Dev's signatures first: an unsigned or wrongly signed digest refuses the promotion before any check or push.
    const gate =
      args.trust === undefined
        ? undefined
        : new SignatureGate(
            `${name}-signatures`,
            {
              targets: pulumi
                .all(images.map((image) => sources[image]))
                .apply((devs) =>
                  devs.map((d, i) => ({ name: `image ${images[i]}`, ref: `${d.repository}@${d.digest}` })),
                ),
              trust: args.trust,
              withheld: "nothing was promoted or pushed",
              registry: args.registry,
              registryUsername: args.registryUsername,
              registryPassword: password,
            },
            { parent: this, dependsOn: args.after },
          );
    // A released tag never moves: it may already hold exactly this digest (a re-run), nothing else. Every push waits for
    // every image's check, so a refused tag pushes nothing at all.
    const guards = images.map(
      (image) =>
        stepCommand(
          CHECK_IMMUTABLE,
          imageChildren(name, image).immutable,
          {
            env: {
              REGISTRY: args.registry,
              REPOSITORY: imageRepository(args.registry, args.owner, image).slice(args.registry.length + 1),
              TAG: args.tags[0],
              DIGEST: sources[image].digest,
              REGISTRY_USERNAME: args.registryUsername,
              REGISTRY_PASSWORD: password,
            },
            triggers: [sources[image].digest, args.tags[0]],
          },
          { parent: this, dependsOn: [...(args.after ?? []), ...(gate ? [gate.check] : [])] },
        ).command,
    );
    for (const image of images) {
      const repository = imageRepository(args.registry, args.owner, image);
      const child = imageChildren(name, image);
      const source = sources[image];
      // `imagetools create` from one index returns that index's bytes unchanged, so the tag gets the dev digest itself
      // (checked below). Never deleted: the Index's delete removes the manifest by digest, which is dev's image too.
      const pushed = args.tags.map(
        (tag, i) =>
          new dockerbuild.Index(
            child.tagIndex(i),
            {
              sources: [pulumi.interpolate`${source.repository}@${source.digest}`],
              tag: `${repository}:${tag}`,
              push: true,
              registry: { address: args.registry, username: args.registryUsername, password },
            },
            { parent: this, dependsOn: guards, retainOnDelete: true, additionalSecretOutputs: ["registry"] },
          ),
      );
      // Dev's attestations describe exactly these digests: copied byte for byte next to the release tags.
      const copied =
        args.attestations === false
          ? undefined
          : stepCommand(
              COPY_ATTESTATIONS,
              child.attestations,
              {
                env: {
                  REGISTRY: args.registry,
                  REPOSITORY: repository.slice(args.registry.length + 1),
                  SOURCE: source.repository,
                  DIGEST: source.digest,
                  REQUIRE_ATTESTATIONS: args.attestations === "required",
                  REGISTRY_USERNAME: args.registryUsername,
                  REGISTRY_PASSWORD: password,
                },
                triggers: [source.repository, source.digest, repository],
              },
              { parent: this, dependsOn: pushed },
            );
      // The verified signatures go with the digests, so `cosign verify` of the released repository finds them.
      if (gate !== undefined)
        stepCommand(
          COPY_SIGNATURES,
          child.signatures,
          {
            env: {
              REGISTRY: args.registry,
              REPOSITORY: repository.slice(args.registry.length + 1),
              SOURCE: source.repository,
              DIGEST: source.digest,
              REGISTRY_USERNAME: args.registryUsername,
              REGISTRY_PASSWORD: password,
            },
            triggers: [source.repository, source.digest, repository],
          },
          { parent: this, dependsOn: [...pushed, gate.check] },
        );
      const attestations = copied ? copied.output.apply((o) => o.attestations) : pulumi.output([] as Attestation[]);
      published[image] = pulumi
        .all([source.digest, attestations, pulumi.all(pushed.map((p) => p.ref))])
        .apply(([digest, atts, refs]): PublishedImage => {
          for (const ref of refs) {
            if (!ref.endsWith(`@${digest}`))
              throw new pulumi.ResourceError(
                `${ref} is not the promoted digest ${digest}: the registry re-wrapped the index; do not announce this release`,
                this,
              );
          }
          return publishedImage(image, repository, args.tags, digest, atts);
        });
    }
    this.images = pulumi.output(published);
    this.registerOutputs({ images: this.images });
  }
}
