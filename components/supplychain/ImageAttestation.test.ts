// ImageAttestation on its own under mocks: the attest-image step with the image's build inputs, triggers, its record.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { ATTEST_IMAGE, attestationChildren } from "./contract";
import { ImageAttestation, type ImageAttestationArgs } from "./ImageAttestation";

const CMD = "command:local:Command";
const PASSWORD = "s3cret-registry";
const DIGEST = `sha256:${"d".repeat(64)}`;
const DOCKERFILE = "FROM scratch\nCOPY ${TARGETOS}-${TARGETARCH}/ /\n";
const LABELS = { "org.opencontainers.image.version": "1.2.3", "io.splai.release.context-sha256": "e".repeat(64) };
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const RECORD = {
  attestations: ["linux/amd64", "linux/arm64"].map((platform, i) => ({
    platform,
    manifest: d(String(i)),
    attestation: d("a"),
    sbom: d("b"),
    provenance: d("c"),
  })),
};

let monitor: MockMonitor;
let generated: ImageAttestation;
let custom: ImageAttestation;

const base = (): ImageAttestationArgs => ({
  registry: "reg.example:5443",
  repository: "splai/splai-planner",
  // Known only once the image is pushed, as in a release.
  digest: pulumi.output(DIGEST),
  contextDir: pulumi.output("/work/images/planner"),
  dockerfile: { inline: DOCKERFILE },
  platforms: ["linux/amd64", "linux/arm64"],
  labels: { ...LABELS, "org.opencontainers.image.revision": pulumi.output("0123456") },
  sourceDateEpoch: 1700000000,
  buildkitAddr: "unix:///run/buildkitd.sock",
  sbomGenerator: "docker/buildkit-syft-scanner:1",
  registryUsername: "robot",
  registryPassword: PASSWORD,
});

before(async () => {
  ({ monitor, value: generated } = await withMocks(
    ({ type }) => (type === CMD ? { stdout: `attesting\nattached 2\n${JSON.stringify(RECORD)}\n` } : undefined),
    () => {
      custom = new ImageAttestation("custom", { ...base(), dockerfile: { path: "/src/deploy/operator.Dockerfile" } });
      return new ImageAttestation("images-planner", base());
    },
  ));
  await Promise.all([valueOf(generated.attestations), valueOf(custom.attestations)]);
});

const runOf = (name: string) => monitor.find(CMD, attestationChildren(name).attest);
const envOf = (name: string) => unsecret<Record<string, unknown>>(runOf(name).inputs.environment);

describe("ImageAttestation", () => {
  it("runs the attest-image step by its stable name from the program's root", () => {
    const run = runOf("images-planner");
    assert.equal(run.name, "images-planner-attest");
    assert.equal(run.inputs.create, stepRun(ATTEST_IMAGE.name));
    assert.equal(run.inputs.create, "node --use-openssl-ca step.js attest-image");
    assert.equal(run.inputs.dir, programRoot);
  });

  it("passes the image's build inputs as the contract's fields, the Dockerfile inline", () => {
    const env = envOf("images-planner");
    assert.deepEqual(
      { ...env, REGISTRY_PASSWORD: unsecret(env.REGISTRY_PASSWORD) },
      {
        BUILDKIT_ADDR: "unix:///run/buildkitd.sock",
        REGISTRY: "reg.example:5443",
        REPOSITORY: "splai/splai-planner",
        DIGEST,
        CONTEXT_DIR: "/work/images/planner",
        DOCKERFILE_INLINE: DOCKERFILE,
        PLATFORMS: "linux/amd64,linux/arm64",
        SOURCE_DATE_EPOCH: "1700000000",
        LABELS: JSON.stringify({ ...LABELS, "org.opencontainers.image.revision": "0123456" }),
        SBOM_GENERATOR: "docker/buildkit-syft-scanner:1",
        PROVENANCE: "mode=max",
        REGISTRY_USERNAME: "robot",
        REGISTRY_PASSWORD: PASSWORD,
      },
    );
  });

  it("names a custom Dockerfile by its path, and then sets no inline one", () => {
    const env = envOf("custom");
    assert.equal(env.DOCKERFILE_PATH, "/src/deploy/operator.Dockerfile");
    assert.equal("DOCKERFILE_INLINE" in env, false);
    assert.equal("DOCKERFILE_PATH" in envOf("images-planner"), false);
  });

  it("keeps the registry password inside a secret", () => {
    for (const name of ["images-planner", "custom"]) {
      const raw = runOf(name).inputs.environment;
      assert.ok(isSecret(raw) || isSecret(unsecret<Record<string, unknown>>(raw).REGISTRY_PASSWORD), name);
      assert.equal(inPlaintext(runOf(name).inputs, PASSWORD), false, name);
    }
  });

  it("attests again exactly when the pushed digest or the SBOM generator changes", () => {
    assert.deepEqual(runOf("images-planner").inputs.triggers, [DIGEST, "docker/buildkit-syft-scanner:1"]);
  });

  it("is the parent of its command and exposes the attestations the step printed last", async () => {
    assert.equal(monitor.optionsOf(runOf("images-planner")).parent, generated);
    assert.equal(monitor.optionsOf(runOf("custom")).parent, custom);
    assert.deepEqual(await valueOf(generated.attestations), RECORD.attestations);
  });
});
