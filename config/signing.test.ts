// Signing config on its own: modes, the key's presence and shape, trusted keys, the keyless identity and issuer.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { defaultKeylessIdentity, signingKeyProblem, signingProblems } from "./signing";
import type { RawSettings } from "./validate";

const GH = { owner: "splai", repo: "splai" };
const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const PUB = publicKey.export({ type: "spki", format: "pem" }).toString();
const PRIV = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const COSIGN_KEY =
  "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nabc\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";

const check = (raw: RawSettings) => {
  const problems: string[] = [];
  const settings = signingProblems(raw, GH, problems);
  return { settings, problems };
};

describe("signing config", () => {
  it("defaults to no signing, Rekor on, GitHub's workflows and issuer", () => {
    const { settings, problems } = check({});
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      signing: "none",
      signingTlog: true,
      trustedKeys: [],
      keylessIdentity: "^https://github\\.com/splai/splai/\\.github/workflows/",
      keylessIssuer: "https://token.actions.githubusercontent.com",
    });
    assert.ok(
      new RegExp(defaultKeylessIdentity("splai", "splai")).test(
        "https://github.com/splai/splai/.github/workflows/release-prod.yml@refs/tags/v1.0.0",
      ),
    );
  });

  it("accepts a key with its password, no log, and trusted keys for rotation", () => {
    const { settings, problems } = check({
      signing: "key",
      hasSigningKey: true,
      signingTlog: false,
      trustedKeys: [PUB, PUB],
    });
    assert.deepEqual(problems, []);
    assert.equal(settings.signing, "key");
    assert.equal(settings.trustedKeys.length, 2);
  });

  it("names the key, the value and the fix for every bad input, all at once", () => {
    const { problems } = check({ signing: "gpg", trustedKeys: ["ssh-rsa AAAA", PRIV], keylessIssuer: "token" });
    assert.deepEqual(problems, [
      "signing 'gpg' is not accepted; use none, key (a cosign key pair in signingKey/signingPassword) or keyless (CI's OIDC identity)",
      "trustedKeys[0] 'ssh-rsa AAAA' is not a PEM public key (-----BEGIN PUBLIC KEY-----, the contents of cosign.pub); list the contents of each cosign.pub to trust",
      "trustedKeys[1] (not shown) is a private key; give its public key (cosign public-key --key <key>); list the contents of each cosign.pub to trust",
      "keylessIssuer 'token' is not an https URL; GitHub Actions' is https://token.actions.githubusercontent.com",
    ]);
    assert.ok(!problems.join("\n").includes(PRIV.split("\n")[1]), "a private key is never quoted");
  });

  it("refuses key mode without a key, or with something that is not a cosign private key, never showing it", () => {
    assert.match(
      check({ signing: "key", hasSigningKey: false }).problems[0],
      /signingKey is missing; set it with 'pulumi config set --secret splai-release:signingKey/,
    );
    const shape = signingKeyProblem(PUB);
    assert.equal(shape, "is a public key; signing needs the private key (cosign.key)");
    const { problems } = check({
      signing: "key",
      hasSigningKey: true,
      signingKeyProblem: signingKeyProblem("hunter2"),
    });
    assert.deepEqual(problems, [
      "signingKey is not an encrypted cosign private key (-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----) (its value is a secret and is not shown); give the contents of cosign.key from 'cosign generate-key-pair'",
    ]);
    assert.equal(signingKeyProblem(COSIGN_KEY), undefined);
  });

  it("keyless needs Rekor and a valid identity expression", () => {
    const { problems } = check({ signing: "keyless", signingTlog: false, keylessIdentity: "([" });
    assert.equal(problems.length, 2);
    assert.match(problems[0], /^signingTlog false does not go with signing keyless/);
    assert.match(problems[1], /^keylessIdentity '\(\[' is not a regular expression/);
  });
});
