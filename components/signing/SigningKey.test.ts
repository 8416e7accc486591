// SigningKey on its own under mocks: cosign reads the public half of the secret key; only the public key comes out.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { SIGNING_PUBLIC_KEY, signingChildren } from "./contract";
import { SigningKey } from "./SigningKey";

const CMD = "command:local:Command";
const KEY = "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nc2VjcmV0\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
const PUB = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n";

let monitor: MockMonitor;
let key: SigningKey;

before(async () => {
  ({ monitor, value: key } = await withMocks(
    ({ type }) =>
      type === CMD ? { stdout: JSON.stringify({ publicKey: PUB, fingerprint: "sha256:0123456789ab" }) } : undefined,
    () => new SigningKey("signing", { key: pulumi.secret(KEY), password: "pw-of-key" }),
  ));
  await valueOf(key.publicKey);
});

describe("SigningKey", () => {
  it("runs signing-public-key with the key and password as secrets, and outputs the public key only", async () => {
    const run = monitor.find(CMD, signingChildren("signing").publicKey);
    assert.equal(run.name, "signing-public-key");
    assert.equal(run.inputs.create, stepRun(SIGNING_PUBLIC_KEY.name));
    const env = unsecret<Record<string, unknown>>(run.inputs.environment);
    assert.ok(isSecret(run.inputs.environment) || (isSecret(env.COSIGN_PRIVATE_KEY) && isSecret(env.COSIGN_PASSWORD)));
    assert.equal(unsecret(env.COSIGN_PRIVATE_KEY), KEY);
    assert.equal(unsecret(env.COSIGN_PASSWORD), "pw-of-key");
    for (const r of monitor.resources) {
      assert.equal(inPlaintext(r.inputs, "c2VjcmV0"), false, r.name);
      assert.equal(inPlaintext(r.inputs, "pw-of-key"), false, r.name);
    }
    assert.equal(await valueOf(key.publicKey), PUB);
    assert.equal(await valueOf(key.fingerprint), "sha256:0123456789ab");
  });
});
