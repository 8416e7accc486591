// The signature gate's pure parts: references split, who a trust accepts, and the fix a refusal gives.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import { keyFingerprint } from "./cosign";
import { describeTrust, fixFor, splitRef } from "./verify.step";

const pem = (): string =>
  generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
const D = `sha256:${"a".repeat(64)}`;

describe("signature gate rules", () => {
  it("splits <registry>/<repository>@<digest>, and refuses anything else", () => {
    assert.deepEqual(splitRef(`127.0.0.1:5443/splai/charts/splai@${D}`), {
      host: "127.0.0.1:5443",
      repository: "splai/charts/splai",
      digest: D,
    });
    assert.throws(() => splitRef("splai-planner:latest"), /is not <registry>\/<repository>@<digest>/);
  });

  it("names the trusted keys by fingerprint, or the keyless identity", () => {
    const [a, b] = [pem(), pem()];
    assert.equal(describeTrust({ mode: "key", keys: [a], tlog: false }), `the trusted key ${keyFingerprint(a)}`);
    assert.equal(
      describeTrust({ mode: "key", keys: [a, b], tlog: false }),
      `any of the 2 trusted keys ${keyFingerprint(a)}, ${keyFingerprint(b)}`,
    );
    assert.equal(
      describeTrust({ mode: "keyless", keys: [], tlog: true, identity: "^x$", issuer: "https://i" }),
      "the keyless identity ^x$ (issuer https://i)",
    );
  });

  it("points at signingTlog when Rekor is what failed, else at signing or trustedKeys", () => {
    const key = { mode: "key", keys: [pem()], tlog: true } as const;
    assert.match(fixFor(key, "Error: getting Rekor public keys: updating local metadata", "r@d"), /signingTlog false/);
    assert.match(
      fixFor({ ...key, tlog: false }, "no matching signatures", "r@d"),
      /^Sign it with the stack's key \(cosign sign --key <key> r@d\), or, when another trusted key signed it, add that public key to splai-release:trustedKeys$/,
    );
  });
});
