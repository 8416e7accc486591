// The contract of the signing steps: the signing key's public half, signing an image or a file, verifying signatures
// before a deploy or a promotion, and copying a promoted image's signatures; the names of their resources.
import { flag, json, optionalSecret, secret, stepContract, text } from "../../shared/step/contract";
import type { TrustPolicy } from "./cosign";

/** Reads the public key of the stack's cosign private key (what verification trusts when trustedKeys is unset). */
export const SIGNING_PUBLIC_KEY = stepContract<{ readonly publicKey: string; readonly fingerprint: string }>()(
  "signing-public-key",
  {
    COSIGN_PRIVATE_KEY: secret,
    COSIGN_PASSWORD: optionalSecret,
  },
);

/** Fields every signing step has: how to sign, and the key (key mode) as secrets. */
const signer = {
  /** `key` or `keyless`. */
  MODE: text,
  /** Key mode: upload to Rekor. */
  TLOG: flag,
  /** Key mode: the encrypted cosign private key (PEM), handed to cosign as `--key env://COSIGN_PRIVATE_KEY`. */
  COSIGN_PRIVATE_KEY: optionalSecret,
  COSIGN_PASSWORD: optionalSecret,
} as const;

/** Signs an image index and each of its platform images (or a chart) by digest, after its push. */
export const SIGN_IMAGE = stepContract<{ readonly ref: string; readonly signatures: string[] }>()("sign-image", {
  ...signer,
  /** `<registry>/<repository>@sha256:…`. */
  REF: text,
  /** Sign the platform images of an index too (images: true; a chart has none). */
  RECURSIVE: flag,
  REGISTRY: text,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

export interface SignedBlob {
  readonly file: string;
  readonly bundle: string;
  /** SHA-256 of the bundle: a new signature is a new asset. */
  readonly bundleSha256: string;
}

/** Signs a file (SHA256SUMS) into a cosign bundle, attached to the GitHub release. */
export const SIGN_BLOB = stepContract<SignedBlob>()("sign-blob", {
  ...signer,
  FILE: text,
  BUNDLE: text,
  /** The file's SHA-256: signed only when it is what the release computed. */
  SHA256: text,
});

/** One artifact a gate verifies. */
export interface SignedTarget {
  /** What a refusal calls it (`image planner`, `chart splai`). */
  readonly name: string;
  /** `<registry>/<repository>@sha256:…`. */
  readonly ref: string;
  /** A tag that must still hold exactly this digest in the registry (the pinned, immutable one). */
  readonly tag?: string;
}

export interface VerifiedTarget {
  readonly name: string;
  readonly ref: string;
  /** The trusted key (fingerprint) or keyless identity that verified it. */
  readonly by: string;
}

/** Verifies every target against the trusted keys (any one is enough) or the keyless identity; refuses all at once. */
export const VERIFY_SIGNATURES = stepContract<{ readonly verified: VerifiedTarget[] }>()("verify-signatures", {
  TARGETS: json<SignedTarget[]>(),
  TRUST: json<TrustPolicy>(),
  /** What is held back when a target is refused (`nothing was deployed`), for the message. */
  WITHHELD: text,
  /** The registry the credentials are for; targets on other hosts are read anonymously. */
  REGISTRY: text,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Copies the cosign signatures (`sha256-<hex>.sig`) of a promoted index and its platform images to the release repository. */
export const COPY_SIGNATURES = stepContract<{ readonly signatures: string[] }>()("copy-signatures", {
  REGISTRY: text,
  REPOSITORY: text,
  /** Dev's repository with its registry host. */
  SOURCE: text,
  DIGEST: text,
  REGISTRY_USERNAME: text,
  REGISTRY_PASSWORD: secret,
});

/** Child resource names of the signing components named `name`. */
export const signingChildren = (name: string) => ({
  /** Under a SigningKey. */
  publicKey: `${name}-public-key`,
  /** Under a Signature. */
  sign: `${name}-sign`,
  /** Under a SignatureGate. */
  verify: `${name}-verify`,
});

/** The cosign signature tag of `digest` (cosign's legacy, tag-based layout). */
export const signatureTag = (digest: string): string => `${digest.replace(":", "-")}.sig`;

/** Type tokens of the components (stable: they are part of every URN). */
export const SIGNING_KEY_TYPE = "splai:signing:SigningKey";
export const SIGNATURE_TYPE = "splai:signing:Signature";
export const SIGNATURE_GATE_TYPE = "splai:signing:SignatureGate";
