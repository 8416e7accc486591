// The cosign command lines: key and keyless signing and verification, the commands the notes give users, key checks.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import {
  keyFingerprint,
  publicKeyProblem,
  signBlobArgs,
  signImageArgs,
  userVerifyBlob,
  userVerifyImage,
  verifyBlobArgs,
  verifyImageArgs,
  type TrustPolicy,
} from "./cosign";

const REF = `127.0.0.1:5443/splai/splai-planner@sha256:${"a".repeat(64)}`;
const pair = () => generateKeyPairSync("ec", { namedCurve: "P-256" });
const PUB = pair().publicKey.export({ type: "spki", format: "pem" }).toString();
const PRIV = pair().privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const KEYLESS: TrustPolicy = {
  mode: "keyless",
  keys: [],
  tlog: true,
  identity: "^https://github\\.com/splai/splai/\\.github/workflows/",
  issuer: "https://token.actions.githubusercontent.com",
};

describe("cosign command lines", () => {
  it("key mode signs an index and its platform images with the key from the environment, without Rekor locally", () => {
    assert.deepEqual(signImageArgs(REF, { mode: "key", tlog: false }), [
      "sign",
      "--yes",
      "--recursive",
      "--key",
      "env://COSIGN_PRIVATE_KEY",
      "--tlog-upload=false",
      REF,
    ]);
    assert.deepEqual(signImageArgs(REF, { mode: "key", tlog: true }, false), [
      "sign",
      "--yes",
      "--key",
      "env://COSIGN_PRIVATE_KEY",
      "--tlog-upload=true",
      REF,
    ]);
  });

  it("keyless signs with the ambient OIDC identity: no key, Fulcio and Rekor by default", () => {
    assert.deepEqual(signImageArgs(REF, { mode: "keyless", tlog: true }), ["sign", "--yes", "--recursive", REF]);
    assert.deepEqual(signBlobArgs("/d/SHA256SUMS", "/d/SHA256SUMS.cosign.bundle", { mode: "keyless", tlog: true }), [
      "sign-blob",
      "--yes",
      "--bundle",
      "/d/SHA256SUMS.cosign.bundle",
      "/d/SHA256SUMS",
    ]);
  });

  it("signs a file into a bundle with the key", () => {
    assert.deepEqual(signBlobArgs("/d/SHA256SUMS", "/d/b", { mode: "key", tlog: false }), [
      "sign-blob",
      "--yes",
      "--key",
      "env://COSIGN_PRIVATE_KEY",
      "--tlog-upload=false",
      "--bundle",
      "/d/b",
      "/d/SHA256SUMS",
    ]);
  });

  it("verifies with one key file, ignoring the log only when signatures are not in it", () => {
    const key: TrustPolicy = { mode: "key", keys: [PUB], tlog: false };
    assert.deepEqual(verifyImageArgs(REF, key, "/t/0.pub"), [
      "verify",
      "--key",
      "/t/0.pub",
      "--insecure-ignore-tlog=true",
      "--output",
      "json",
      REF,
    ]);
    assert.deepEqual(verifyImageArgs(REF, { ...key, tlog: true }, "/t/0.pub"), [
      "verify",
      "--key",
      "/t/0.pub",
      "--output",
      "json",
      REF,
    ]);
    assert.deepEqual(verifyBlobArgs("S", "B", key, "/t/0.pub"), [
      "verify-blob",
      "--key",
      "/t/0.pub",
      "--insecure-ignore-tlog=true",
      "--bundle",
      "B",
      "S",
    ]);
    assert.throws(() => verifyImageArgs(REF, key), /needs a public key file/);
  });

  it("verifies keyless by certificate identity and issuer", () => {
    assert.deepEqual(verifyImageArgs(REF, KEYLESS), [
      "verify",
      "--certificate-identity-regexp",
      KEYLESS.identity,
      "--certificate-oidc-issuer",
      KEYLESS.issuer,
      "--output",
      "json",
      REF,
    ]);
    assert.throws(() => verifyImageArgs(REF, { ...KEYLESS, issuer: undefined }), /identity and an OIDC issuer/);
  });

  it("gives users exact, shell-quoted commands", () => {
    assert.equal(
      userVerifyImage(REF, { mode: "key", keys: [PUB], tlog: false }),
      `cosign verify --key cosign.pub --insecure-ignore-tlog=true ${REF}`,
    );
    assert.equal(
      userVerifyImage(REF, KEYLESS),
      `cosign verify --certificate-identity-regexp '^https://github\\.com/splai/splai/\\.github/workflows/' --certificate-oidc-issuer https://token.actions.githubusercontent.com ${REF}`,
    );
    assert.equal(
      userVerifyBlob("SHA256SUMS", "SHA256SUMS.cosign.bundle", { mode: "key", keys: [PUB], tlog: true }),
      "cosign verify-blob --key cosign.pub --bundle SHA256SUMS.cosign.bundle SHA256SUMS",
    );
  });

  it("tells public keys from private keys and junk, and names a key by a short fingerprint", () => {
    assert.equal(publicKeyProblem(PUB), undefined);
    assert.match(publicKeyProblem(PRIV) ?? "", /is a private key; give its public key/);
    assert.match(publicKeyProblem("ssh-ed25519 AAAA") ?? "", /not a PEM public key/);
    assert.match(
      publicKeyProblem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n") ?? "",
      /not a readable public key/,
    );
    assert.match(keyFingerprint(PUB), /^sha256:[0-9a-f]{12}$/);
    assert.equal(keyFingerprint(PUB), keyFingerprint(PUB));
    assert.notEqual(
      keyFingerprint(PUB),
      keyFingerprint(pair().publicKey.export({ type: "spki", format: "pem" }).toString()),
    );
  });
});
