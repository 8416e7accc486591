// Checks of how a stack signs and what it trusts: the mode, the key's presence and shape (never its value), the
// trusted public keys, the keyless identity. Pure: the messages are tested on their own.
import { publicKeyProblem, type SigningMode } from "../components/signing/cosign";
import { q } from "./format";
import { CONFIG } from "./table";
import type { RawSettings } from "./validate";

export interface SigningSettings {
  readonly signing: SigningMode;
  readonly signingTlog: boolean;
  readonly trustedKeys: readonly string[];
  readonly keylessIdentity: string;
  readonly keylessIssuer: string;
}

const MODES: readonly string[] = ["none", "key", "keyless"];

/** The first line of a key, for a refusal (a private key is never quoted). */
const firstLine = (pem: string): string => pem.trim().split("\n")[0].slice(0, 60);

/** GitHub's workflows of the repository: what a keyless signature made by its release workflows says it is. */
export const defaultKeylessIdentity = (owner: string, repo: string): string =>
  `^https://github\\.com/${owner.replace(/\./g, "\\.")}/${repo.replace(/\./g, "\\.")}/\\.github/workflows/`;

/** Collects the signing problems into `problems` and returns the signing settings. */
export function signingProblems(
  raw: RawSettings,
  github: { owner: string; repo: string },
  problems: string[],
): SigningSettings {
  const signing = raw.signing ?? CONFIG.signing.default;
  if (!MODES.includes(signing))
    problems.push(
      `signing ${q(signing)} is not accepted; use none, key (a cosign key pair in signingKey/signingPassword) or keyless (CI's OIDC identity)`,
    );
  const signingTlog = raw.signingTlog ?? CONFIG.signingTlog.default;
  if (signing === "key" && raw.hasSigningKey === false)
    problems.push(
      "signing is key but signingKey is missing; set it with 'pulumi config set --secret splai-release:signingKey < cosign.key' or SPLAI_SIGNING_KEY (make a pair with 'cosign generate-key-pair'), or set signing none",
    );
  if (signing === "key" && raw.hasSigningKey !== false && raw.signingKeyProblem !== undefined)
    problems.push(
      `signingKey ${raw.signingKeyProblem} (its value is a secret and is not shown); give the contents of cosign.key from 'cosign generate-key-pair'`,
    );
  if (signing === "keyless" && !signingTlog)
    problems.push(
      "signingTlog false does not go with signing keyless: a keyless signature is only verifiable through Rekor; use signing key with signingTlog false, or signingTlog true",
    );
  const trustedKeys = raw.trustedKeys ?? [];
  trustedKeys.forEach((pem, i) => {
    const problem = typeof pem === "string" ? publicKeyProblem(pem) : "is not text";
    if (problem !== undefined)
      problems.push(
        `trustedKeys[${i}] ${/PRIVATE KEY/.test(String(pem)) ? "(not shown)" : q(firstLine(String(pem)))} ${problem}; list the contents of each cosign.pub to trust`,
      );
  });
  const keylessIdentity = raw.keylessIdentity ?? defaultKeylessIdentity(github.owner, github.repo);
  try {
    new RegExp(keylessIdentity);
  } catch {
    problems.push(
      `keylessIdentity ${q(keylessIdentity)} is not a regular expression; for example ^https://github\\.com/<owner>/<repo>/\\.github/workflows/`,
    );
  }
  const keylessIssuer = raw.keylessIssuer ?? CONFIG.keylessIssuer.default;
  if (!/^https:\/\/[^\s/]+/.test(keylessIssuer))
    problems.push(
      `keylessIssuer ${q(keylessIssuer)} is not an https URL; GitHub Actions' is ${CONFIG.keylessIssuer.default}`,
    );
  return {
    signing: signing as SigningMode,
    signingTlog,
    trustedKeys: Object.freeze([...trustedKeys]),
    keylessIdentity,
    keylessIssuer,
  };
}

/** Why a signingKey value is not an encrypted cosign private key, or undefined (only the shape is looked at). */
export function signingKeyProblem(value: string): string | undefined {
  if (/-----BEGIN PUBLIC KEY-----/.test(value)) return "is a public key; signing needs the private key (cosign.key)";
  if (!/-----BEGIN (ENCRYPTED SIGSTORE|ENCRYPTED COSIGN|ENCRYPTED) PRIVATE KEY-----/.test(value))
    return "is not an encrypted cosign private key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----)";
  return undefined;
}
