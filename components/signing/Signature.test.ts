// Signature on its own under mocks: an image signed by digest, a chart without recursion, SHA256SUMS into a bundle;
// the key and its password only as secrets, the step by its stable name.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { SIGN_BLOB, SIGN_IMAGE, signingChildren } from "./contract";
import { Signature, type SignatureArgs } from "./Signature";

const CMD = "command:local:Command";
const KEY =
  "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n";
const KEY_PASSWORD = "k3y-passw0rd";
const PASSWORD = "s3cret-registry";
const REF = `reg.example:5443/splai/splai-planner@sha256:${"d".repeat(64)}`;
const SUMS = "e".repeat(64);

let monitor: MockMonitor;
let image: Signature;
let chart: Signature;
let blob: Signature;
let keyless: Signature;

const creds = { registry: "reg.example:5443", registryUsername: "robot", registryPassword: PASSWORD };
const keySigner: SignatureArgs["signer"] = {
  mode: "key",
  tlog: false,
  key: pulumi.secret(KEY),
  password: KEY_PASSWORD,
};

before(async () => {
  ({ monitor, value: image } = await withMocks(
    ({ type, name, inputs }) => {
      if (type !== CMD) return undefined;
      const env = unsecret<Record<string, string>>(inputs.environment);
      if (name.includes("checksums"))
        return { stdout: JSON.stringify({ file: env.FILE, bundle: env.BUNDLE, bundleSha256: "b".repeat(64) }) };
      return {
        stdout: `signing\n${JSON.stringify({ ref: env.REF, signatures: ["splai/splai-planner:sha256-d.sig"] })}`,
      };
    },
    () => {
      chart = new Signature("sign-chart", { target: { ref: REF, recursive: false }, signer: keySigner, ...creds });
      blob = new Signature("sign-checksums", {
        target: { file: "/dist/SHA256SUMS", sha256: pulumi.output(SUMS), bundle: "/dist/SHA256SUMS.cosign.bundle" },
        signer: keySigner,
        ...creds,
      });
      keyless = new Signature("sign-keyless", {
        target: { ref: pulumi.output(REF), recursive: true },
        signer: { mode: "keyless", tlog: true },
        ...creds,
      });
      return new Signature("sign-planner", {
        target: { ref: pulumi.output(REF), recursive: true },
        signer: keySigner,
        ...creds,
      });
    },
  ));
  await Promise.all([image, chart, blob, keyless].map((s) => valueOf(s.signatures)));
});

const runOf = (name: string) => monitor.find(CMD, signingChildren(name).sign);
const envOf = (name: string) => {
  const env = unsecret<Record<string, unknown>>(runOf(name).inputs.environment);
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, unsecret(v)]));
};

describe("Signature", () => {
  it("signs an image index and its platform images by digest with the sign-image step", async () => {
    const run = runOf("sign-planner");
    assert.equal(run.inputs.create, stepRun(SIGN_IMAGE.name));
    assert.equal(run.inputs.create, "node --use-openssl-ca step.js sign-image");
    assert.equal(run.inputs.dir, programRoot);
    assert.deepEqual(envOf("sign-planner"), {
      MODE: "key",
      TLOG: "false",
      COSIGN_PRIVATE_KEY: KEY,
      COSIGN_PASSWORD: KEY_PASSWORD,
      REF,
      RECURSIVE: "true",
      REGISTRY: "reg.example:5443",
      REGISTRY_USERNAME: "robot",
      REGISTRY_PASSWORD: PASSWORD,
    });
    assert.deepEqual(run.inputs.triggers, [REF, "key", false]);
    assert.deepEqual(await valueOf(image.signatures), ["splai/splai-planner:sha256-d.sig"]);
    assert.equal(envOf("sign-chart").RECURSIVE, "false", "a chart has no platform images");
  });

  it("keeps the private key, its password and the registry password secret, never in plaintext", () => {
    for (const name of ["sign-planner", "sign-chart", "sign-checksums"]) {
      const env = unsecret<Record<string, unknown>>(runOf(name).inputs.environment);
      for (const k of ["COSIGN_PRIVATE_KEY", "COSIGN_PASSWORD"])
        assert.ok(isSecret(runOf(name).inputs.environment) || isSecret(env[k]), `${name} ${k}`);
    }
    for (const r of monitor.resources)
      for (const secret of [KEY, KEY_PASSWORD, PASSWORD, "c2VjcmV0LWtleS1ieXRlcw=="])
        assert.equal(inPlaintext(r.inputs, secret), false, `${r.name} leaks a secret`);
  });

  it("signs SHA256SUMS into a bundle with the sign-blob step, once per content", async () => {
    const run = runOf("sign-checksums");
    assert.equal(run.inputs.create, stepRun(SIGN_BLOB.name));
    const env = envOf("sign-checksums");
    assert.equal(env.FILE, "/dist/SHA256SUMS");
    assert.equal(env.BUNDLE, "/dist/SHA256SUMS.cosign.bundle");
    assert.equal(env.SHA256, SUMS);
    assert.deepEqual(run.inputs.triggers, [SUMS, "key", false]);
    assert.deepEqual(await valueOf(blob.signatures), ["/dist/SHA256SUMS.cosign.bundle"]);
    assert.equal(await valueOf(blob.bundleSha256), "b".repeat(64));
  });

  it("keyless: no key at all, Rekor on", () => {
    const env = envOf("sign-keyless");
    assert.equal(env.MODE, "keyless");
    assert.equal(env.TLOG, "true");
    assert.equal(env.COSIGN_PRIVATE_KEY, "");
    assert.equal(env.COSIGN_PASSWORD, "");
  });

  it("parents its step to the component", () => {
    for (const [name, c] of [
      ["sign-planner", image],
      ["sign-checksums", blob],
    ] as const)
      assert.equal(monitor.optionsOf(runOf(name)).parent, c);
  });
});
