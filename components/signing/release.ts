// A release's signing: the stack's trust (trusted keys or keyless identity), a Signature per image, the chart and
// SHA256SUMS after their pushes, and the gate every deployed digest passes before the Helm release is upgraded.
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { dirname, join } from "node:path";
import type { ReleaseConfig } from "../../config/load";
import type { Settings } from "../../config/validate";
import type { ReleaseArtifacts } from "../artifacts";
import type { PublishedChart } from "../chart/contract";
import type { PublishedImage } from "../images/contract";
import type { TrustPolicy } from "./cosign";
import type { SignedTarget } from "./contract";
import { Signature, type Signer } from "./Signature";
import { SignatureGate } from "./SignatureGate";
import type { SigningKey } from "./SigningKey";

/** The bundle of SHA256SUMS' signature, next to it and attached to the GitHub release. */
export const CHECKSUMS_BUNDLE = "SHA256SUMS.cosign.bundle";

/**
 * What a signature must come from before a deploy or a promotion: the trusted keys (else the stack's own key), or the
 * keyless identity. Undefined when the stack neither signs nor lists trusted keys: nothing is verified.
 */
export function trustPolicy(s: Settings, key?: SigningKey): pulumi.Output<TrustPolicy> | undefined {
  if (s.signing === "keyless")
    return pulumi.output({
      mode: "keyless",
      keys: [],
      tlog: true,
      identity: s.keylessIdentity,
      issuer: s.keylessIssuer,
    } satisfies TrustPolicy);
  if (s.trustedKeys.length > 0)
    return pulumi.output({ mode: "key", keys: [...s.trustedKeys], tlog: s.signingTlog } satisfies TrustPolicy);
  if (key !== undefined)
    return key.publicKey.apply((pem): TrustPolicy => ({ mode: "key", keys: [pem], tlog: s.signingTlog }));
  return undefined;
}

/** How this stack signs, or undefined when signing is none. */
export function signerOf(cfg: ReleaseConfig): Signer | undefined {
  const s = cfg.settings;
  if (s.signing === "none") return undefined;
  return s.signing === "key"
    ? { mode: "key", tlog: s.signingTlog, key: cfg.signingKey, password: cfg.signingPassword }
    : { mode: "keyless", tlog: true };
}

export interface ReleaseSignatures {
  /** Every signature: what the deploy gate and the GitHub release wait for. */
  readonly all: Signature[];
  /** SHA256SUMS' bundle, a release asset. */
  readonly bundlePath: string;
  /** The bundle's SHA-256 once signed. */
  readonly bundleSha256: pulumi.Output<string>;
}

/** The chart by digest, as cosign names it (no `oci://`). */
export const chartDigestRef = (c: PublishedChart): string => `${c.ref.replace(/^oci:\/\//, "")}@${c.digest}`;

/** Signs every image (index and platform images) and the chart after their pushes, and SHA256SUMS once written. */
export function signRelease(
  cfg: ReleaseConfig,
  signer: Signer,
  artifacts: ReleaseArtifacts,
  chart: { readonly chart: pulumi.Output<PublishedChart> } & pulumi.Resource,
): ReleaseSignatures {
  const s = cfg.settings;
  const creds = {
    registry: s.registry,
    registryUsername: s.registryUsername,
    registryPassword: cfg.registryPassword,
  };
  const images = s.mains.filter((m) => m.image).map((m) => m.image!);
  const all = images.map(
    (image) =>
      new Signature(
        `sign-${image}`,
        { target: { ref: artifacts.images.images.apply((m) => m[image].ref), recursive: true }, signer, ...creds },
        { dependsOn: [artifacts.images] },
      ),
  );
  all.push(
    new Signature(
      "sign-chart",
      { target: { ref: chart.chart.apply(chartDigestRef), recursive: false }, signer, ...creds },
      { dependsOn: [chart] },
    ),
  );
  const bundlePath = join(dirname(artifacts.downloads.checksumsPath), CHECKSUMS_BUNDLE);
  const checksums = new Signature(
    "sign-checksums",
    {
      target: {
        file: artifacts.downloads.checksumsPath,
        sha256: artifacts.downloads.checksums.apply((c) => createHash("sha256").update(c).digest("hex")),
        bundle: bundlePath,
      },
      signer,
      ...creds,
    },
    { dependsOn: [artifacts.downloads] },
  );
  all.push(checksums);
  return { all, bundlePath, bundleSha256: checksums.bundleSha256 };
}

/**
 * What the deploy gate verifies: every pinned image, each with the tag that must still hold it, and the chart when
 * this stack signs it (a stack that only verifies — signing none, trustedKeys set — publishes its chart unsigned).
 */
export function deployTargets(
  images: pulumi.Output<Record<string, PublishedImage>>,
  chart: pulumi.Output<PublishedChart> | undefined,
): pulumi.Output<SignedTarget[]> {
  return pulumi.all([images, chart]).apply(([m, c]) => [
    ...Object.keys(m)
      .sort()
      .map((k) => ({ name: `image ${k}`, ref: m[k].ref, tag: m[k].tags[0] })),
    ...(c === undefined ? [] : [{ name: `chart ${c.name}`, ref: chartDigestRef(c), tag: c.version }]),
  ]);
}

/**
 * The gate the Helm release depends on: every pinned digest verifies against the stack's trust, else nothing is
 * deployed. It runs again with every change of the deployed digests, chart or values.
 */
export function deployGate(
  cfg: ReleaseConfig,
  trust: pulumi.Output<TrustPolicy>,
  images: pulumi.Output<Record<string, PublishedImage>>,
  chart: pulumi.Output<PublishedChart>,
  after: pulumi.Resource[],
): SignatureGate {
  const s = cfg.settings;
  return new SignatureGate(
    "deploy-signatures",
    {
      targets: deployTargets(images, s.signing === "none" ? undefined : chart),
      trust,
      withheld: `nothing was deployed (Helm release ${s.namespace}/${s.releaseName} is unchanged)`,
      registry: s.registry,
      registryUsername: s.registryUsername,
      registryPassword: cfg.registryPassword,
      triggers: [JSON.stringify(s.helmValues)],
    },
    { dependsOn: after },
  );
}
