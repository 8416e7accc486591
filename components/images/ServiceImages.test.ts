// ServiceImages on its own under mocks: an Image per service from its own binaries, staged context, tag guard, secrets.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { binaryFile, SPLAI_MAINS, type Target } from "../../shared/layout";
import { programRoot, stepRun } from "../../shared/step/command";
import {
  inPlaintext,
  isSecret,
  unsecret,
  valueOf,
  withMocks,
  type MockMonitor,
  type Recorded,
} from "../../test/support/mocks";
import type { BinaryBuild } from "../binaries/GoBinaries";
import { attestationChildren } from "../supplychain/contract";
import { CHECK_IMMUTABLE, imageChildren, type PublishedImage } from "./contract";
import { CONTEXT_LABEL, generatedDockerfile, stagingScript } from "./dockerfile";
import { ServiceImages, type ServiceImagesArgs } from "./ServiceImages";

const CMD = "command:local:Command";
const IMAGE = "docker-build:index:Image";
const REGISTRY = "reg.example:5443";
const PASSWORD = "s3cret-registry";
const TAGS = ["v1.2.3", "1.2", "latest"];
const PLATFORMS = ["linux/amd64", "linux/arm64"];
const STAGING = "/work/images";
const TARGETS: readonly Target[] = [
  { goos: "linux", goarch: "amd64" },
  { goos: "linux", goarch: "arm64" },
  { goos: "darwin", goarch: "arm64" },
];
const IMAGES = SPLAI_MAINS.filter((m) => m.image !== undefined);
const LABELS = { "org.opencontainers.image.revision": "0123456789abcdef0123456789abcdef01234567" };
const fakeSha = (s: string): string => createHash("sha256").update(s).digest("hex");
const digestOf = (name: string): string => `sha256:${fakeSha(name)}`;
const ATTESTED = [{ platform: "linux/amd64", manifest: digestOf("m"), attestation: digestOf("a") }];

/** GoBinaries' `builds` for every main and target; `salt` changes the checksums of one binary. */
const builds = (salt: Record<string, string> = {}): BinaryBuild[] =>
  SPLAI_MAINS.flatMap((m) =>
    TARGETS.map((t) => {
      const name = binaryFile(m.binary, t);
      return {
        name,
        binary: m.binary,
        goos: t.goos,
        goarch: t.goarch,
        path: join("/dist", name),
        sha256: pulumi.output(fakeSha(`${name}${salt[m.binary] ?? ""}`)),
      };
    }),
  );

let monitor: MockMonitor;
let images: ServiceImages;
let plain: ServiceImages;
let rebuilt: ServiceImages;
let preflight: pulumi.Resource;

const base = (): ServiceImagesArgs => ({
  mains: SPLAI_MAINS,
  binaries: builds(),
  registry: REGISTRY,
  owner: "splai",
  tags: TAGS,
  platforms: PLATFORMS,
  dockerfiles: {},
  source: "/src/splai",
  stagingDir: STAGING,
  registryUsername: "robot",
  registryPassword: PASSWORD,
  labels: LABELS,
  sourceDateEpoch: 1700000000,
});

before(async () => {
  ({ monitor, value: images } = await withMocks(
    ({ type, name, inputs }) => {
      if (type === IMAGE) return { digest: digestOf(name), ref: `${(inputs.tags as string[])[0]}@${digestOf(name)}` };
      if (type !== CMD) return undefined;
      if (name.endsWith("-context")) return { stdout: `${fakeSha(name)}\n` };
      if (name.endsWith("-immutable"))
        return { stdout: `checked\n${JSON.stringify({ tag: TAGS[0], existing: null })}` };
      if (name.endsWith("-attest")) return { stdout: JSON.stringify({ attestations: ATTESTED }) };
      return undefined;
    },
    () => {
      preflight = new pulumi.ComponentResource("splai:test:Preflight", "preflight");
      const tagRelease = new ServiceImages("images", {
        ...base(),
        builder: "splai-local",
        immutableTags: true,
        after: [preflight],
        attest: { buildkitAddr: "unix:///run/buildkitd.sock", sbomGenerator: "docker/buildkit-syft-scanner:1" },
      });
      const dockerfiles = { operator: "deploy/operator.Dockerfile" };
      plain = new ServiceImages("plain", { ...base(), dockerfiles });
      // The same release with only the planner rebuilt (other checksums): only the planner's image may change.
      rebuilt = new ServiceImages("rebuilt", { ...base(), dockerfiles, binaries: builds({ "splai-planner": "x" }) });
      return tagRelease;
    },
  ));
  await Promise.all([valueOf(images.images), valueOf(plain.images)]);
});

const imageOf = (component: string, image: string): Recorded =>
  monitor.find(IMAGE, imageChildren(component, image).image);
const labelsOf = (component: string, image: string) =>
  imageOf(component, image).inputs.labels as Record<string, string>;
const repositoryOf = (image: string) => `${REGISTRY}/splai/splai-${image}`;

describe("ServiceImages", () => {
  it("builds one Image per main with an image: five of SPLAI's six", () => {
    assert.equal(IMAGES.length, 5);
    const own = monitor.ofType(IMAGE).filter((r) => r.name.startsWith("images-"));
    assert.deepEqual(own.map((r) => r.name).sort(), IMAGES.map((m) => imageChildren("images", m.image!).image).sort());
  });

  it("tags every image <repository>:<tag> for every tag, for every platform, never built on preview", () => {
    for (const m of IMAGES) {
      const img = imageOf("images", m.image!);
      assert.deepEqual(
        img.inputs.tags,
        TAGS.map((t) => `${repositoryOf(m.image!)}:${t}`),
      );
      assert.deepEqual(img.inputs.platforms, PLATFORMS);
      assert.equal(img.inputs.buildOnPreview, false);
      assert.deepEqual(img.inputs.builder, { name: "splai-local" });
      assert.deepEqual(img.inputs.buildArgs, { SOURCE_DATE_EPOCH: "1700000000" });
      assert.equal(imageOf("plain", m.image!).inputs.builder, undefined, "the current buildx builder by default");
    }
  });

  it("pushes through a registry export with timestamps rewritten, never by docker-build's own push", () => {
    for (const m of IMAGES) {
      const img = imageOf("images", m.image!);
      assert.deepEqual(img.inputs.exports, [{ raw: "type=registry,rewrite-timestamp=true" }]);
      assert.equal(img.inputs.push, false);
    }
  });

  it("retains what was pushed on delete and keeps its registry credentials secret in the outputs", () => {
    for (const r of monitor.ofType(IMAGE)) {
      const opts = monitor.optionsOf(r);
      assert.equal(opts.retainOnDelete, true, r.name);
      assert.ok(opts.additionalSecretOutputs?.includes("registries"), r.name);
      const owners: Record<string, ServiceImages | undefined> = { images, plain, rebuilt };
      const owner = owners[r.name.split("-")[0]];
      assert.ok(owner !== undefined && opts.parent === owner, `${r.name}: its component is its parent`);
    }
  });

  it("gives the registry password to the build only inside a secret", () => {
    for (const r of monitor.ofType(IMAGE)) {
      assert.equal(inPlaintext(r.inputs, PASSWORD), false, r.name);
      // The SDK makes the whole list secret once the password in it is.
      const [registry] = unsecret<Record<string, unknown>[]>(r.inputs.registries);
      assert.ok(isSecret(r.inputs.registries) || isSecret(registry.password), r.name);
    }
  });

  it("uses the registry's address and user, and the given password, for every build", () => {
    for (const r of monitor.ofType(IMAGE)) {
      const [registry] = unsecret<Record<string, unknown>[]>(r.inputs.registries);
      assert.deepEqual(
        { ...unsecret<Record<string, unknown>>(registry), password: unsecret(registry.password) },
        { address: REGISTRY, username: "robot", password: PASSWORD },
      );
    }
  });

  it("stages each generated image's context from its own linux binaries, and builds from it", () => {
    for (const m of IMAGES) {
      const dir = join(STAGING, m.image!);
      const own = builds()
        .filter((b) => b.binary === m.binary && b.goos === "linux")
        .map((b) => ({ ...b, sha256: fakeSha(b.name) }));
      assert.equal(own.length, 2);
      const stage = monitor.find(CMD, imageChildren("images", m.image!).context);
      assert.equal(stage.inputs.create, stagingScript(dir, m.binary, own, true));
      assert.deepEqual(stage.inputs.triggers, [own.map((b) => `${b.name}=${b.sha256}`).join(","), "scratch"]);
      assert.equal(monitor.optionsOf(stage).parent, images);
      const img = imageOf("images", m.image!);
      assert.deepEqual(img.inputs.context, { location: dir });
      assert.deepEqual(img.inputs.dockerfile, { inline: generatedDockerfile({ binary: m.binary }) });
    }
  });

  it("builds an image with its own Dockerfile from the source tree, with nothing staged", () => {
    assert.deepEqual(imageOf("plain", "operator").inputs.context, { location: "/src/splai" });
    assert.deepEqual(imageOf("plain", "operator").inputs.dockerfile, {
      location: "/src/splai/deploy/operator.Dockerfile",
    });
    assert.throws(() => monitor.find(CMD, imageChildren("plain", "operator").context), /no command:local:Command/);
    monitor.find(CMD, imageChildren("plain", "planner").context);
  });

  it("labels every image with the given labels and the hash of what it is made of", () => {
    for (const m of IMAGES) {
      const labels = labelsOf("images", m.image!);
      assert.equal(labels["org.opencontainers.image.revision"], LABELS["org.opencontainers.image.revision"]);
      assert.match(labels[CONTEXT_LABEL], /^[0-9a-f]{64}$/);
    }
    const hashes = IMAGES.map((m) => labelsOf("images", m.image!)[CONTEXT_LABEL]);
    assert.equal(new Set(hashes).size, IMAGES.length, "each image its own content");
  });

  it("depends on its own binaries only: a rebuilt planner changes the planner's image and nothing else", () => {
    for (const m of IMAGES) {
      const changed = labelsOf("rebuilt", m.image!)[CONTEXT_LABEL] !== labelsOf("plain", m.image!)[CONTEXT_LABEL];
      assert.equal(changed, m.image === "planner", m.image);
      // The staging script copies by path; its trigger carries the checksums.
      const stage = (c: string) =>
        JSON.stringify(monitor.find(CMD, imageChildren(c, m.image!).context).inputs.triggers);
      if (m.image !== "operator") assert.equal(stage("rebuilt") !== stage("plain"), m.image === "planner", m.image);
    }
  });

  it("checks with the check-immutable step, before building, that the first tag holds no other content", async () => {
    for (const m of IMAGES) {
      const child = imageChildren("images", m.image!);
      const guard = monitor.find(CMD, child.immutable);
      assert.equal(guard.inputs.create, stepRun(CHECK_IMMUTABLE.name));
      assert.equal(guard.inputs.dir, programRoot);
      const env = unsecret<Record<string, unknown>>(guard.inputs.environment);
      const hash = labelsOf("images", m.image!)[CONTEXT_LABEL];
      assert.deepEqual(
        { ...env, REGISTRY_PASSWORD: unsecret(env.REGISTRY_PASSWORD) },
        {
          REGISTRY,
          REPOSITORY: `splai/splai-${m.image!}`,
          TAG: TAGS[0],
          CONTEXT_HASH: hash,
          REGISTRY_USERNAME: "robot",
          REGISTRY_PASSWORD: PASSWORD,
        },
      );
      assert.equal("DIGEST" in env, false, "a built image is compared by content, not digest");
      assert.ok(isSecret(guard.inputs.environment) || isSecret(env.REGISTRY_PASSWORD));
      assert.equal(inPlaintext(guard.inputs, PASSWORD), false);
      assert.deepEqual(guard.inputs.triggers, [hash, TAGS[0]]);
      assert.deepEqual(monitor.optionsOf(guard).dependsOn, [preflight]);
      const [check, ...rest] = monitor.optionsOf(imageOf("images", m.image!)).dependsOn as pulumi.Resource[];
      assert.equal((await valueOf(check.urn)).split("::").pop(), child.immutable, "the build waits for its check");
      assert.deepEqual(rest, [preflight]);
    }
  });

  it("runs no tag check unless tags are immutable", () => {
    const guards = monitor.ofType(CMD).filter((r) => r.name.endsWith("-immutable"));
    assert.deepEqual(
      guards.map((r) => r.name).sort(),
      IMAGES.map((m) => imageChildren("images", m.image!).immutable).sort(),
    );
    for (const m of IMAGES) assert.deepEqual(monitor.optionsOf(imageOf("plain", m.image!)).dependsOn, []);
  });

  it("attests each pushed image by its digest when BuildKit is known, and not otherwise", () => {
    const runs = monitor.ofType(CMD).filter((r) => r.name.endsWith("-attest"));
    assert.deepEqual(
      runs.map((r) => r.name).sort(),
      IMAGES.map((m) => attestationChildren(imageChildren("images", m.image!).image).attest).sort(),
    );
    for (const m of IMAGES) {
      const run = monitor.find(CMD, attestationChildren(imageChildren("images", m.image!).image).attest);
      const env = unsecret<Record<string, string>>(run.inputs.environment);
      assert.equal(env.DIGEST, digestOf(imageChildren("images", m.image!).image));
      assert.equal(env.CONTEXT_DIR, join(STAGING, m.image!));
      assert.deepEqual(JSON.parse(env.LABELS), labelsOf("images", m.image!));
    }
  });

  it("publishes each image by short name: repository, tags, digest, ref and the digest-pinned first tag", async () => {
    const published = await valueOf(images.images);
    assert.deepEqual(Object.keys(published).sort(), IMAGES.map((m) => m.image!).sort());
    for (const m of IMAGES) {
      const digest = digestOf(imageChildren("images", m.image!).image);
      const repository = repositoryOf(m.image!);
      assert.deepEqual(published[m.image!], {
        name: `splai-${m.image!}`,
        repository,
        tags: TAGS,
        digest,
        ref: `${repository}@${digest}`,
        pinnedTag: `${TAGS[0]}@${digest}`,
        attestations: ATTESTED,
      } satisfies PublishedImage);
    }
    const unattested = await valueOf(plain.images);
    assert.deepEqual(unattested.planner.attestations, []);
  });
});
