// The cosign command lines of signing and verification (key pair or keyless), and the commands a user runs to verify.
import { createHash, createPublicKey } from "node:crypto";

/** How a stack signs: `none`, a cosign key pair (config secrets), or keyless (CI's OIDC identity, Fulcio and Rekor). */
export type SigningMode = "none" | "key" | "keyless";

/** The environment variable a step hands cosign the private key in (`--key env://…`): never a file, never argv. */
export const PRIVATE_KEY_ENV = "COSIGN_PRIVATE_KEY";
/** cosign reads the key's password from this variable itself. */
export const PASSWORD_ENV = "COSIGN_PASSWORD";

/** How artifacts are signed. */
export interface SignPolicy {
  readonly mode: "key" | "keyless";
  /** Key mode: upload to the Rekor transparency log (public Sigstore). Keyless always does. */
  readonly tlog: boolean;
}

/** What a signature must come from to be accepted. */
export interface TrustPolicy {
  readonly mode: "key" | "keyless";
  /** Key mode: PEM public keys; any one of them is enough (key rotation). */
  readonly keys: readonly string[];
  /** Key mode: whether signatures are in Rekor; false verifies with `--insecure-ignore-tlog=true`. */
  readonly tlog: boolean;
  /** Keyless: the certificate identity (a regular expression, `--certificate-identity-regexp`). */
  readonly identity?: string;
  /** Keyless: the OIDC issuer of the identity. */
  readonly issuer?: string;
}

const keyFlags = (p: SignPolicy): string[] =>
  p.mode === "key" ? ["--key", `env://${PRIVATE_KEY_ENV}`, `--tlog-upload=${String(p.tlog)}`] : [];

/**
 * Signs an image (an index and, with `recursive`, each platform image of it) or a chart by digest. Keyless takes the
 * ambient OIDC token (GitHub Actions with `id-token: write`), a Fulcio certificate and a Rekor entry.
 */
export function signImageArgs(ref: string, p: SignPolicy, recursive = true): string[] {
  return ["sign", "--yes", ...(recursive ? ["--recursive"] : []), ...keyFlags(p), ref];
}

/** Signs a file, writing the signature (and certificate and log entry when keyless) as one bundle next to it. */
export function signBlobArgs(file: string, bundle: string, p: SignPolicy): string[] {
  return ["sign-blob", "--yes", ...keyFlags(p), "--bundle", bundle, file];
}

const trustFlags = (t: TrustPolicy, keyFile?: string): string[] => {
  if (t.mode === "keyless") {
    if (t.identity === undefined || t.issuer === undefined)
      throw new Error("keyless verification needs a certificate identity and an OIDC issuer");
    return ["--certificate-identity-regexp", t.identity, "--certificate-oidc-issuer", t.issuer];
  }
  if (keyFile === undefined) throw new Error("key verification needs a public key file");
  return ["--key", keyFile, ...(t.tlog ? [] : ["--insecure-ignore-tlog=true"])];
};

/** Verifies an image's (or a chart's) signature by digest, with one public key file or the keyless identity. */
export function verifyImageArgs(ref: string, t: TrustPolicy, keyFile?: string): string[] {
  return ["verify", ...trustFlags(t, keyFile), "--output", "json", ref];
}

/** Verifies a file against its bundle. */
export function verifyBlobArgs(file: string, bundle: string, t: TrustPolicy, keyFile?: string): string[] {
  return ["verify-blob", ...trustFlags(t, keyFile), "--bundle", bundle, file];
}

/** A short, stable name of a public key: the SHA-256 of its DER (SubjectPublicKeyInfo), as `sha256:<12 hex>`. */
export function keyFingerprint(pem: string): string {
  const der = createPublicKey(pem).export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(der).digest("hex").slice(0, 12)}`;
}

/** Why `pem` is not a public key cosign can verify with, or undefined when it is one. Never quotes a private key. */
export function publicKeyProblem(pem: string): string | undefined {
  if (/PRIVATE KEY/.test(pem)) return "is a private key; give its public key (cosign public-key --key <key>)";
  if (!pem.includes("-----BEGIN PUBLIC KEY-----"))
    return "is not a PEM public key (-----BEGIN PUBLIC KEY-----, the contents of cosign.pub)";
  try {
    createPublicKey(pem);
    return undefined;
  } catch (err) {
    return `is not a readable public key (${err instanceof Error ? err.message : String(err)})`;
  }
}

const shellQuote = (s: string): string => (/^[A-Za-z0-9@%_+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command a user runs to verify an image or chart (`cosign.pub` holds the public key the notes print). */
export function userVerifyImage(ref: string, t: TrustPolicy): string {
  return ["cosign", "verify", ...trustFlags(t, "cosign.pub"), ref].map(shellQuote).join(" ");
}

/** The command a user runs to verify a downloaded file with its bundle. */
export function userVerifyBlob(file: string, bundle: string, t: TrustPolicy): string {
  return ["cosign", ...verifyBlobArgs(file, bundle, t, "cosign.pub")].map(shellQuote).join(" ");
}
