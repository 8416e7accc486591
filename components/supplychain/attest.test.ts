// Pairing BuildKit's attestation manifests with the pushed platform images, and the referrer manifest made of one.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ATTESTATION_ARTIFACT_TYPE,
  planAttestations,
  predicateLayers,
  referrerManifest,
  type ImageManifestJson,
} from "./attest";
import type { Descriptor } from "../../shared/oci";

const M = "application/vnd.oci.image.manifest.v1+json";
const d = (hex: string): string => `sha256:${hex.repeat(64).slice(0, 64)}`;
const img = (arch: string, digest: string): Descriptor => ({
  mediaType: M,
  digest,
  size: 1088,
  platform: { os: "linux", architecture: arch },
});
const att = (digest: string, of: string): Descriptor => ({
  mediaType: M,
  digest,
  size: 1108,
  platform: { os: "unknown", architecture: "unknown" },
  annotations: { "vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": of },
});

describe("planAttestations", () => {
  const pushed = [img("amd64", d("a")), img("arm64", d("b"))];

  it("pairs each pushed platform image with its attestation in the identical rebuild", () => {
    const plan = planAttestations(pushed, [...pushed, att(d("c"), d("a")), att(d("e"), d("b"))], "r/x");
    assert.deepEqual(
      plan.map((p) => [p.platform, p.subject.digest, p.attestation.digest]),
      [
        ["linux/amd64", d("a"), d("c")],
        ["linux/arm64", d("b"), d("e")],
      ],
    );
  });

  it("refuses a rebuild that differs from the pushed image, naming platform and both digests", () => {
    assert.throws(
      () =>
        planAttestations(
          pushed,
          [img("amd64", d("a")), img("arm64", d("f")), att(d("c"), d("a")), att(d("e"), d("f"))],
          "r/x",
        ),
      (e: Error) =>
        e.message.includes("differs from the pushed image") &&
        e.message.includes(`linux/arm64: pushed ${d("b")}, rebuilt ${d("f")}`) &&
        e.message.includes("nothing was attached") &&
        e.message.includes("attestations false"),
    );
  });

  it("refuses a platform missing from either side", () => {
    assert.throws(
      () => planAttestations(pushed, [img("amd64", d("a")), att(d("c"), d("a"))], "r/x"),
      /linux\/arm64: pushed .*, not rebuilt/,
    );
    assert.throws(
      () => planAttestations([pushed[0]], [...pushed, att(d("c"), d("a"))], "r/x"),
      /linux\/arm64: rebuilt but not pushed/,
    );
  });

  it("refuses a rebuild without an attestation for a platform", () => {
    assert.throws(
      () => planAttestations(pushed, [...pushed, att(d("c"), d("a"))], "r/x"),
      /no attestation manifest for r\/x linux\/arm64/,
    );
  });
});

describe("referrerManifest", () => {
  const manifest: ImageManifestJson = {
    schemaVersion: 2,
    mediaType: M,
    config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: d("1"), size: 241 },
    layers: [
      {
        mediaType: "application/vnd.in-toto+json",
        digest: d("2"),
        size: 5,
        annotations: { "in-toto.io/predicate-type": "https://spdx.dev/Document" },
      },
      {
        mediaType: "application/vnd.in-toto+json",
        digest: d("3"),
        size: 7,
        annotations: { "in-toto.io/predicate-type": "https://slsa.dev/provenance/v1" },
      },
    ],
  };

  it("keeps BuildKit's layers and adds the subject and artifact type", () => {
    const out = JSON.parse(referrerManifest(manifest, img("amd64", d("a"))).toString("utf8")) as ImageManifestJson;
    assert.deepEqual(out.layers, manifest.layers);
    assert.deepEqual(out.subject, { mediaType: M, digest: d("a"), size: 1088 });
    assert.equal(out.artifactType, ATTESTATION_ARTIFACT_TYPE);
    assert.equal(out.annotations?.["vnd.docker.reference.digest"], d("a"));
  });

  it("finds the SBOM and the provenance by predicate type", () => {
    const l = predicateLayers(manifest);
    assert.equal(l.sbom?.digest, d("2"));
    assert.equal(l.provenance?.digest, d("3"));
  });
});
