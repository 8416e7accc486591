// ServiceImages: one multi-arch image per SPLAI service, built the ko way (the prebuilt Go binary on a static base), pushed by tag.
import * as dockerbuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { CONTEXT_LABEL, generatedDockerfile, stagingScript } from "./dockerfile";
import { imageRepository, type MainSpec } from "../../shared/layout";
import type { BinaryBuild, BuiltBinary } from "../binaries/GoBinaries";
import { ImageAttestation } from "../supplychain/ImageAttestation";
import { localCommand, stepCommand } from "../../shared/step/command";
import {
  CHECK_IMMUTABLE,
  imageChildren,
  publishedImage,
  type PublishedImage,
  type ReleaseImages,
  SERVICE_IMAGES_TYPE,
} from "./contract";

export interface ServiceImagesArgs {
  /** Mains that ship as images (those with `image`). Plain. */
  readonly mains: readonly MainSpec[];
  /**
   * Binaries from GoBinaries' `builds`; the linux ones for `platforms` go into the images. Plain list, Output checksums:
   * each image depends on its own binaries only, so a preview shows the others unchanged.
   */
  readonly binaries: readonly BinaryBuild[];
  readonly registry: string;
  readonly owner: string;
  /** Tags every image gets; the first must be immutable. */
  readonly tags: readonly string[];
  /** Image platforms. Default in config: linux/amd64, linux/arm64. Plain. */
  readonly platforms: readonly string[];
  /** Base image; default: `scratch` plus CA certificates and a non-root user (buildable offline). */
  readonly baseImage?: string;
  /** Per-image Dockerfile (path under `source`) replacing the generated one. */
  readonly dockerfiles: Readonly<Record<string, string>>;
  readonly source: string;
  /** Where each image's build context is staged. */
  readonly stagingDir: string;
  /** Named buildx builder; default: the current buildx builder. */
  readonly builder?: string;
  /**
   * Build each platform as an image of its own, pushed by digest, and join them with docker-build's Index (buildx
   * `imagetools create`, one per tag) instead of one multi-platform build. For a multi-node builder (a BuildKit fleet,
   * `builderEndpoints`): buildx sends each single-platform build to the node pinned to that platform, and the index is
   * made with the registry settings of BUILDX_BUILDER. buildx's own merge of a multi-node push cannot be used: it takes
   * the registry settings of node 0's buildkitd.toml, which a remote-driver node cannot carry, so it falls back to
   * plain HTTP for a loopback registry. The platform images are the same bytes either way. Plain; default false.
   */
  readonly splitPlatforms?: boolean;
  readonly registryUsername: pulumi.Input<string>;
  readonly registryPassword: pulumi.Input<string>;
  /** OCI labels (source, revision, version…) added to every image. */
  readonly labels: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** SOURCE_DATE_EPOCH for reproducible layers and config (the release commit's time). */
  readonly sourceDateEpoch: number;
  /** Attach BuildKit's SBOM and provenance to every image (see ImageAttestation). Default: none. */
  readonly attest?: { readonly buildkitAddr: string; readonly sbomGenerator: string };
  /** Tag releases: refuse to push when the first tag already holds other content. Default: false. */
  readonly immutableTags?: boolean;
  /** Pre-flight checks every build and push waits for (for example a ReleaseGuard's). Default: none. */
  readonly after?: pulumi.Input<pulumi.Resource>[];
}

export class ServiceImages extends pulumi.ComponentResource implements ReleaseImages {
  public readonly images: pulumi.Output<Record<string, PublishedImage>>;

  constructor(name: string, args: ServiceImagesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(SERVICE_IMAGES_TYPE, name, {}, opts);
    const published: Record<string, pulumi.Output<PublishedImage>> = {};
    for (const main of args.mains.filter((m) => m.image)) {
      const image = main.image!;
      const child = imageChildren(name, image);
      const repository = imageRepository(args.registry, args.owner, image);
      const contextDir = join(args.stagingDir, image);
      const custom = args.dockerfiles[image];
      const dockerfile =
        custom === undefined
          ? generatedDockerfile({ binary: main.binary, baseImage: args.baseImage })
          : `file:${custom}`;
      const own = args.binaries
        .filter((b) => b.binary === main.binary && args.platforms.includes(`${b.goos}/${b.goarch}`))
        .sort((a, b) => a.name.localeCompare(b.name));
      const mine = pulumi.all(own.map((b) => b.sha256.apply((sha256): BuiltBinary => ({ ...b, sha256 }))));
      // What the image is made of; stored as a label so a released tag can be compared with a would-be replacement.
      const contentKey = pulumi.all([mine, args.labels]).apply(([bs, labels]) =>
        createHash("sha256")
          .update(
            JSON.stringify([
              bs.map((b) => `${b.name}=${b.sha256}`),
              dockerfile,
              args.baseImage ?? "scratch",
              args.platforms,
              labels,
              args.sourceDateEpoch,
            ]),
          )
          .digest("hex"),
      );
      const labels = pulumi.all([args.labels, contentKey]).apply(([l, key]) => ({ ...l, [CONTEXT_LABEL]: key }));
      let context: pulumi.Input<string> = args.source;
      if (custom === undefined) {
        // Each image gets a context of its own, so a change to one service never changes another image's context hash.
        const stage = localCommand(
          child.context,
          {
            create: mine.apply((bs) => stagingScript(contextDir, main.binary, bs, args.baseImage === undefined)),
            triggers: [
              mine.apply((bs) => bs.map((b) => `${b.name}=${b.sha256}`).join(",")),
              args.baseImage ?? "scratch",
            ],
          },
          { parent: this },
        );
        context = stage.stdout.apply(() => contextDir);
      }
      const guard = args.immutableTags
        ? stepCommand(
            CHECK_IMMUTABLE,
            child.immutable,
            {
              env: {
                REGISTRY: args.registry,
                REPOSITORY: repository.slice(args.registry.length + 1),
                TAG: args.tags[0],
                CONTEXT_HASH: contentKey,
                REGISTRY_USERNAME: args.registryUsername,
                REGISTRY_PASSWORD: args.registryPassword,
              },
              triggers: [contentKey, args.tags[0]],
            },
            { parent: this, dependsOn: args.after },
          ).command
        : undefined;
      const registry = {
        address: args.registry,
        username: args.registryUsername,
        password: pulumi.secret(args.registryPassword),
      };
      const common = {
        context: { location: context },
        dockerfile: custom === undefined ? { inline: dockerfile } : { location: join(args.source, custom) },
        buildOnPreview: false,
        builder: args.builder === undefined ? undefined : { name: args.builder },
        registries: [registry],
        labels,
        buildArgs: { SOURCE_DATE_EPOCH: String(args.sourceDateEpoch) },
      };
      // A tag release checks the registry before it builds, so a released tag is never overwritten; and what was
      // pushed stays in the registry when the stack is destroyed (docker-build would otherwise delete the tags).
      // `registries` holds the password: marked secret by the engine even in the partial state of a failed push.
      const pushOpts: pulumi.CustomResourceOptions = {
        parent: this,
        dependsOn: [...(guard ? [guard] : []), ...(args.after ?? [])],
        retainOnDelete: true,
        additionalSecretOutputs: ["registries"],
      };
      let digest: pulumi.Output<string>;
      if (args.splitPlatforms !== true) {
        const img = new dockerbuild.Image(
          child.image,
          {
            ...common,
            platforms: args.platforms.map((p) => p as dockerbuild.Platform),
            tags: args.tags.map((t) => `${repository}:${t}`),
            // A registry export with timestamps rewritten to SOURCE_DATE_EPOCH: the same binaries always give the same
            // digest, so re-pushing equal content never moves a released tag.
            push: false,
            exports: [{ raw: "type=registry,rewrite-timestamp=true" }],
          },
          pushOpts,
        );
        digest = img.digest;
      } else {
        // One build per platform, pushed by digest only (no tag points at a lone platform image)...
        const parts = args.platforms.map(
          (p) =>
            new dockerbuild.Image(
              child.platformImage(p),
              {
                ...common,
                platforms: [p as dockerbuild.Platform],
                push: false,
                exports: [{ raw: `type=registry,rewrite-timestamp=true,push-by-digest=true,name=${repository}` }],
              },
              pushOpts,
            ),
        );
        // ... then the index under the first tag, and the other tags from it: `imagetools create` from one index
        // returns its bytes unchanged, so every tag holds the same digest (checked below).
        const indexOpts = { parent: this, retainOnDelete: true, additionalSecretOutputs: ["registry"] };
        const first = new dockerbuild.Index(
          child.tagIndex(0),
          {
            sources: parts.map((p) => pulumi.interpolate`${repository}@${p.digest}`),
            tag: `${repository}:${args.tags[0]}`,
            push: true,
            registry,
          },
          indexOpts,
        );
        const refs = [
          first.ref,
          ...args.tags
            .slice(1)
            .map(
              (t, i) =>
                new dockerbuild.Index(
                  child.tagIndex(i + 1),
                  { sources: [first.ref], tag: `${repository}:${t}`, push: true, registry },
                  indexOpts,
                ).ref,
            ),
        ];
        digest = pulumi.all(refs).apply((rs) => {
          const d = rs[0].slice(rs[0].lastIndexOf("@") + 1);
          const other = rs.find((r) => !r.endsWith(`@${d}`));
          if (!d.startsWith("sha256:") || other !== undefined)
            throw new pulumi.ResourceError(
              `the tags of ${repository} do not hold one index: ${rs.join(", ")}; do not announce this release`,
              this,
            );
          return d;
        });
      }
      const attestation = args.attest
        ? new ImageAttestation(
            `${name}-${image}`,
            {
              registry: args.registry,
              repository: repository.slice(args.registry.length + 1),
              digest,
              contextDir: context,
              dockerfile: custom === undefined ? { inline: dockerfile } : { path: join(args.source, custom) },
              platforms: args.platforms,
              labels,
              sourceDateEpoch: args.sourceDateEpoch,
              buildkitAddr: args.attest.buildkitAddr,
              sbomGenerator: args.attest.sbomGenerator,
              registryUsername: args.registryUsername,
              registryPassword: args.registryPassword,
            },
            { parent: this },
          )
        : undefined;
      published[image] = pulumi
        .all([digest, attestation?.attestations ?? []])
        .apply(([digest, attestations]) => publishedImage(image, repository, args.tags, digest, attestations));
    }
    this.images = pulumi.output(published);
    this.registerOutputs({ images: this.images });
  }
}
