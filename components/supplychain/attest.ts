// BuildKit's SBOM and provenance attestations as OCI referrers: read them from an OCI layout, check the rebuild matches the pushed image, attach them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Descriptor, OciClient } from "../../shared/oci";

export const ATTESTATION_ARTIFACT_TYPE = "application/vnd.in-toto+json";
export const SPDX_PREDICATE = "https://spdx.dev/Document";
export const SLSA_PREDICATE_PREFIX = "https://slsa.dev/provenance/";

/** An OCI image layout on disk (what BuildKit's `type=oci` exporter writes, unpacked). */
export class OciLayout {
  constructor(readonly dir: string) {}

  blob(digest: string): Buffer {
    const [alg, hex] = digest.split(":");
    return readFileSync(join(this.dir, "blobs", alg, hex));
  }

  json<T>(digest: string): T {
    return JSON.parse(this.blob(digest).toString("utf8")) as T;
  }

  /** The image index the layout's index.json points at. */
  imageIndex(): { digest: string; manifests: Descriptor[] } {
    const top = JSON.parse(readFileSync(join(this.dir, "index.json"), "utf8")) as { manifests: Descriptor[] };
    const first = top.manifests[0];
    if (first === undefined) throw new Error(`${this.dir}/index.json lists no image`);
    if (first.mediaType !== "application/vnd.oci.image.index.v1+json") return { digest: "", manifests: top.manifests };
    return { digest: first.digest, manifests: this.json<{ manifests: Descriptor[] }>(first.digest).manifests };
  }
}

export interface ImageManifestJson {
  schemaVersion: number;
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
  subject?: Descriptor;
  artifactType?: string;
}

const platformOf = (d: Descriptor): string =>
  `${d.platform?.os ?? "?"}/${d.platform?.architecture ?? "?"}${d.platform?.variant ? `/${d.platform.variant}` : ""}`;

export interface AttestationPlan {
  readonly platform: string;
  /** The platform image the attestation describes. */
  readonly subject: Descriptor;
  /** BuildKit's attestation manifest, as it sits in the rebuilt index. */
  readonly attestation: Descriptor;
}

/**
 * Pairs each platform image of the pushed index with BuildKit's attestation manifest for it in the rebuilt index.
 * The rebuild must have produced exactly the pushed platform images (builds are reproducible); otherwise the
 * attestations would describe other bits, and this throws naming each platform and both digests.
 */
export function planAttestations(
  pushed: readonly Descriptor[],
  rebuilt: readonly Descriptor[],
  image: string,
): AttestationPlan[] {
  const isAttestation = (d: Descriptor): boolean =>
    d.annotations?.["vnd.docker.reference.type"] === "attestation-manifest";
  const pushedImages = pushed.filter((d) => !isAttestation(d));
  const rebuiltImages = rebuilt.filter((d) => !isAttestation(d));
  const problems: string[] = [];
  for (const p of pushedImages) {
    const r = rebuiltImages.find((x) => platformOf(x) === platformOf(p));
    if (r === undefined) problems.push(`${platformOf(p)}: pushed ${p.digest}, not rebuilt`);
    else if (r.digest !== p.digest) problems.push(`${platformOf(p)}: pushed ${p.digest}, rebuilt ${r.digest}`);
  }
  for (const r of rebuiltImages)
    if (!pushedImages.some((p) => platformOf(p) === platformOf(r)))
      problems.push(`${platformOf(r)}: rebuilt but not pushed`);
  if (problems.length > 0) {
    throw new Error(
      `BuildKit's attested rebuild of ${image} differs from the pushed image, so its SBOM and provenance would describe other bits; nothing was attached:\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nCheck that the build is reproducible (same context, Dockerfile, labels and SOURCE_DATE_EPOCH) or turn attestations off with splai-release:attestations false",
    );
  }
  return pushedImages.map((subject) => {
    const attestation = rebuilt.find(
      (d) => isAttestation(d) && d.annotations?.["vnd.docker.reference.digest"] === subject.digest,
    );
    if (attestation === undefined)
      throw new Error(
        `BuildKit produced no attestation manifest for ${image} ${platformOf(subject)} (${subject.digest})`,
      );
    return { platform: platformOf(subject), subject, attestation };
  });
}

/** BuildKit's attestation manifest with an OCI `subject`, so registries list it as a referrer of the platform image. */
export function referrerManifest(attestation: ImageManifestJson, subject: Descriptor): Buffer {
  const m: ImageManifestJson = {
    ...attestation,
    artifactType: ATTESTATION_ARTIFACT_TYPE,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      ...(attestation.annotations ?? {}),
      "vnd.docker.reference.type": "attestation-manifest",
      "vnd.docker.reference.digest": subject.digest,
    },
  };
  return Buffer.from(JSON.stringify(m));
}

/** The in-toto layers of an attestation manifest, by predicate type. */
export function predicateLayers(attestation: ImageManifestJson): { sbom?: Descriptor; provenance?: Descriptor } {
  const type = (d: Descriptor): string => d.annotations?.["in-toto.io/predicate-type"] ?? "";
  return {
    sbom: attestation.layers.find((l) => type(l) === SPDX_PREDICATE),
    provenance: attestation.layers.find((l) => type(l).startsWith(SLSA_PREDICATE_PREFIX)),
  };
}

/** One platform image's attestation as the stack outputs and the release notes list it. */
export interface AttestationRecord {
  readonly platform: string;
  /** The platform image described. */
  readonly manifest: string;
  /** The referrer manifest holding the in-toto statements. */
  readonly attestation: string;
  /** Blob digest of the SPDX SBOM statement. */
  readonly sbom?: string;
  /** Blob digest of the SLSA provenance statement. */
  readonly provenance?: string;
}

/** The record of attestation manifest `att`, pushed as `attestation`, describing platform image `manifest`. */
export function attestationRecord(
  platform: string,
  manifest: string,
  attestation: string,
  att: ImageManifestJson,
): AttestationRecord {
  const layers = predicateLayers(att);
  return { platform, manifest, attestation, sbom: layers.sbom?.digest, provenance: layers.provenance?.digest };
}

/**
 * Copies the SBOM and provenance referrers of every platform image of index `digest` from `source`/`fromRepo` to
 * `target`/`toRepo`, byte for byte (same digests), blobs first. Used by promotion: the released digests are dev's, so
 * dev's attestations describe them exactly. Returns what the target now lists; empty when dev has none.
 */
export async function copyAttestations(
  source: OciClient,
  fromRepo: string,
  target: OciClient,
  toRepo: string,
  digest: string,
): Promise<AttestationRecord[]> {
  const index = await source.getManifest(fromRepo, digest);
  if (index === undefined)
    throw new Error(`${source.registry}/${fromRepo}@${digest} does not exist; nothing to promote`);
  const subjects = (index.json.manifests ?? []).filter(
    (d) => d.annotations?.["vnd.docker.reference.type"] !== "attestation-manifest",
  );
  const records: AttestationRecord[] = [];
  for (const subject of subjects) {
    for (const ref of await source.referrers(fromRepo, subject.digest, ATTESTATION_ARTIFACT_TYPE)) {
      const m = await source.getManifest(fromRepo, ref.digest);
      if (m === undefined)
        throw new Error(
          `${source.registry}/${fromRepo} lists referrer ${ref.digest} of ${subject.digest} but has no such manifest`,
        );
      const att = JSON.parse(m.body.toString("utf8")) as ImageManifestJson;
      for (const d of [att.config, ...att.layers]) await target.copyBlob(toRepo, d.digest, fromRepo, source);
      const copied = await target.putReferrer(toRepo, m.body, m.mediaType || att.mediaType);
      if (copied !== ref.digest)
        throw new Error(`the copy of attestation ${ref.digest} in ${target.registry}/${toRepo} has digest ${copied}`);
      records.push(attestationRecord(platformOf(subject), subject.digest, copied, att));
    }
  }
  return records;
}
