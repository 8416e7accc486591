// PromotedImages on its own under mocks: dev's digests published under the release tags, guarded, attestations copied.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SPLAI_MAINS } from "../../shared/layout";
import { programRoot, stepRun } from "../../shared/step/command";
import {
  collectRejections,
  inPlaintext,
  isSecret,
  unsecret,
  valueOf,
  withMocks,
  type MockMonitor,
} from "../../test/support/mocks";
import type { DevImage } from "../promotion/promotion";
import type { TrustPolicy } from "../signing/cosign";
import { COPY_SIGNATURES, SIGNATURE_GATE_TYPE, VERIFY_SIGNATURES, signingChildren } from "../signing/contract";
import { COPY_ATTESTATIONS } from "../supplychain/contract";
import { CHECK_IMMUTABLE, imageChildren, type PublishedImage } from "./contract";
import { PromotedImages, type PromotedImagesArgs } from "./PromotedImages";

const CMD = "command:local:Command";
const INDEX = "docker-build:index:Index";
const REGISTRY = "reg.example:5443";
const PASSWORD = "s3cret-registry";
const TAGS = ["v1.2.3", "1.2", "latest"];
const IMAGES = SPLAI_MAINS.flatMap((m) => (m.image === undefined ? [] : [m.image]));
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const DEV: Record<string, DevImage> = Object.fromEntries(
  IMAGES.map((image, i) => [image, { repository: `dev.example:5000/splai-dev/splai-${image}`, digest: d(String(i)) }]),
);
const attestationsOf = (image: string) => [
  { platform: "linux/amd64", manifest: DEV[image].digest, attestation: d("a"), sbom: d("b"), provenance: d("c") },
];
/** The tag the registry re-wrapped in the `bad` release: its ref names another digest. */
const TRUST: TrustPolicy = {
  mode: "key",
  keys: ["-----BEGIN PUBLIC KEY-----\nk\n-----END PUBLIC KEY-----\n"],
  tlog: false,
};
const REWRAPPED = { component: "bad", image: "planner", tag: 1 };

let monitor: MockMonitor;
let images: PromotedImages;
let auto: PromotedImages;
let none: PromotedImages;
let preflight: pulumi.Resource;
let rejections: ReturnType<typeof collectRejections>;

const base = (): PromotedImagesArgs => ({
  mains: SPLAI_MAINS,
  sources: pulumi.output(DEV),
  registry: REGISTRY,
  owner: "splai",
  tags: TAGS,
  registryUsername: "robot",
  registryPassword: PASSWORD,
});

before(async () => {
  rejections = collectRejections();
  ({ monitor, value: images } = await withMocks(
    ({ type, name, inputs }) => {
      if (type === INDEX) {
        const { sources, tag } = inputs as { sources: string[]; tag: string };
        const bad = imageChildren(REWRAPPED.component, REWRAPPED.image).tagIndex(REWRAPPED.tag);
        // What the registry answers: the tag with the digest of its one source index (or, re-wrapped, another one).
        return { ref: `${tag}@${name === bad ? d("f") : sources[0].split("@")[1]}` };
      }
      if (type !== CMD) return undefined;
      const env = unsecret<Record<string, string>>(inputs.environment);
      if (name.endsWith("-signatures-verify")) return { stdout: JSON.stringify({ verified: [] }) };
      if (name.endsWith("-signatures")) return { stdout: JSON.stringify({ signatures: [] }) };
      if (name.endsWith("-immutable")) return { stdout: JSON.stringify({ tag: env.TAG, existing: null }) };
      const image = IMAGES.find((i) => env.SOURCE?.endsWith(`/splai-${i}`));
      if (name.endsWith("-attestations") && image !== undefined)
        return { stdout: `copied\n${JSON.stringify({ attestations: attestationsOf(image) })}` };
      return undefined;
    },
    () => {
      preflight = new pulumi.ComponentResource("splai:test:Preflight", "preflight");
      const tagRelease = new PromotedImages("images", { ...base(), attestations: "required", after: [preflight] });
      auto = new PromotedImages("auto", { ...base(), sources: DEV });
      none = new PromotedImages("none", { ...base(), attestations: false });
      new PromotedImages(REWRAPPED.component, base());
      new PromotedImages("signed", { ...base(), trust: TRUST, after: [preflight] });
      return tagRelease;
    },
  ));
  await Promise.all([valueOf(images.images), valueOf(auto.images), valueOf(none.images)]);
});

after(() => rejections.restore());

const indexOf = (component: string, image: string, i: number) =>
  monitor.find(INDEX, imageChildren(component, image).tagIndex(i));
const guardOf = (component: string, image: string) => monitor.find(CMD, imageChildren(component, image).immutable);
const copyOf = (component: string, image: string) => monitor.find(CMD, imageChildren(component, image).attestations);
/** The names of resources, from their URNs (`…::<name>`). */
const namesOf = (rs: pulumi.Resource[]): Promise<string[]> =>
  Promise.all(rs.map(async (r) => (await valueOf(r.urn)).split("::").pop()!));
const ownedBy = (component: string) => monitor.resources.filter((r) => r.name.startsWith(`${component}-`));

describe("PromotedImages", () => {
  it("with a trust, verifies every dev digest before any check or push, then copies the signatures", async () => {
    const gate = monitor.find(CMD, signingChildren("signed-signatures").verify);
    assert.equal(gate.inputs.create, stepRun(VERIFY_SIGNATURES.name));
    const env = unsecret<Record<string, string>>(gate.inputs.environment);
    assert.deepEqual(
      JSON.parse(env.TARGETS),
      IMAGES.map((image) => ({ name: `image ${image}`, ref: `${DEV[image].repository}@${DEV[image].digest}` })),
    );
    assert.deepEqual(JSON.parse(env.TRUST), TRUST);
    assert.equal(env.WITHHELD, "nothing was promoted or pushed");
    assert.equal(inPlaintext(gate.inputs, PASSWORD), false);
    const component = monitor.find(SIGNATURE_GATE_TYPE, "signed-signatures");
    assert.deepEqual(await namesOf(monitor.optionsOf(component).dependsOn as pulumi.Resource[]), ["preflight"]);
    for (const image of IMAGES) {
      const guard = guardOf("signed", image);
      assert.ok(
        (await namesOf(monitor.optionsOf(guard).dependsOn as pulumi.Resource[])).includes(gate.name),
        `${image}: the immutability check (and so every push) waits for the signatures`,
      );
      const copy = monitor.find(CMD, imageChildren("signed", image).signatures);
      assert.equal(copy.inputs.create, stepRun(COPY_SIGNATURES.name));
      const cenv = unsecret<Record<string, string>>(copy.inputs.environment);
      assert.equal(cenv.SOURCE, DEV[image].repository);
      assert.equal(cenv.DIGEST, DEV[image].digest);
      assert.equal(cenv.REPOSITORY, `splai/splai-${image}`);
      assert.deepEqual(
        (await namesOf(monitor.optionsOf(copy).dependsOn as pulumi.Resource[])).sort(),
        [...TAGS.map((_, i) => imageChildren("signed", image).tagIndex(i)), gate.name].sort(),
      );
    }
    assert.equal(ownedBy("images").filter((r) => r.name.endsWith("-signatures")).length, 0, "no trust: no copy");
  });

  it("publishes one Index per image and tag from dev's repository@digest, nothing built", () => {
    assert.equal(monitor.ofType("docker-build:index:Image").length, 0);
    assert.equal(ownedBy("images").filter((r) => r.type === INDEX).length, IMAGES.length * TAGS.length);
    for (const image of IMAGES)
      TAGS.forEach((tag, i) => {
        const index = indexOf("images", image, i);
        assert.deepEqual(index.inputs.sources, [`${DEV[image].repository}@${DEV[image].digest}`]);
        assert.equal(index.inputs.tag, `${REGISTRY}/splai/splai-${image}:${tag}`);
        assert.equal(index.inputs.push, true);
      });
    assert.equal(imageChildren("images", "planner").tagIndex(0), imageChildren("images", "planner").image);
  });

  it("never deletes a pushed tag, and keeps the registry password secret", () => {
    for (const r of ownedBy("images").filter((x) => x.type === INDEX)) {
      const opts = monitor.optionsOf(r);
      assert.equal(opts.retainOnDelete, true, r.name);
      assert.ok(opts.additionalSecretOutputs?.includes("registry"), r.name);
      assert.equal(opts.parent, images, r.name);
      const registry = unsecret<Record<string, unknown>>(r.inputs.registry);
      assert.equal(registry.address, REGISTRY);
      assert.equal(registry.username, "robot");
      assert.ok(isSecret(r.inputs.registry) || isSecret(registry.password), r.name);
      assert.equal(unsecret(registry.password), PASSWORD);
    }
    for (const r of monitor.resources) assert.equal(inPlaintext(r.inputs, PASSWORD), false, r.name);
  });

  it("checks each image's first tag by dev's digest with the check-immutable step", () => {
    for (const image of IMAGES) {
      const guard = guardOf("images", image);
      assert.equal(guard.inputs.create, stepRun(CHECK_IMMUTABLE.name));
      assert.equal(guard.inputs.dir, programRoot);
      const env = unsecret<Record<string, unknown>>(guard.inputs.environment);
      assert.deepEqual(
        { ...env, REGISTRY_PASSWORD: unsecret(env.REGISTRY_PASSWORD) },
        {
          REGISTRY,
          REPOSITORY: `splai/splai-${image}`,
          TAG: TAGS[0],
          DIGEST: DEV[image].digest,
          REGISTRY_USERNAME: "robot",
          REGISTRY_PASSWORD: PASSWORD,
        },
      );
      assert.equal("CONTEXT_HASH" in env, false, "a promoted image is compared by digest");
      assert.deepEqual(guard.inputs.triggers, [DEV[image].digest, TAGS[0]]);
      assert.deepEqual(monitor.optionsOf(guard).dependsOn, [preflight]);
      assert.equal(monitor.optionsOf(guard).parent, images);
    }
  });

  it("pushes no tag of any image before every image's check passed", async () => {
    const guards = IMAGES.map((image) => guardOf("images", image).name).sort();
    for (const r of ownedBy("images").filter((x) => x.type === INDEX)) {
      const deps = monitor.optionsOf(r).dependsOn as pulumi.Resource[];
      assert.deepEqual((await namesOf(deps)).sort(), guards, r.name);
    }
  });

  it("copies dev's attestations after the push, required when the release requires them", async () => {
    for (const image of IMAGES) {
      const copy = copyOf("images", image);
      assert.equal(copy.inputs.create, stepRun(COPY_ATTESTATIONS.name));
      assert.equal(copy.inputs.dir, programRoot);
      const env = unsecret<Record<string, unknown>>(copy.inputs.environment);
      assert.deepEqual(
        { ...env, REGISTRY_PASSWORD: unsecret(env.REGISTRY_PASSWORD) },
        {
          REGISTRY,
          REPOSITORY: `splai/splai-${image}`,
          SOURCE: DEV[image].repository,
          DIGEST: DEV[image].digest,
          REQUIRE_ATTESTATIONS: "true",
          REGISTRY_USERNAME: "robot",
          REGISTRY_PASSWORD: PASSWORD,
        },
      );
      assert.ok(isSecret(copy.inputs.environment) || isSecret(env.REGISTRY_PASSWORD));
      assert.deepEqual(copy.inputs.triggers, [
        DEV[image].repository,
        DEV[image].digest,
        `${REGISTRY}/splai/splai-${image}`,
      ]);
      assert.deepEqual(
        (await namesOf(monitor.optionsOf(copy).dependsOn as pulumi.Resource[])).sort(),
        TAGS.map((_, i) => imageChildren("images", image).tagIndex(i)).sort(),
        "after the tags are pushed",
      );
      const auto = unsecret<Record<string, string>>(copyOf("auto", image).inputs.environment);
      assert.equal(auto.REQUIRE_ATTESTATIONS, "false", "copied when dev has them, by default");
    }
    assert.equal(ownedBy("none").filter((r) => r.name.endsWith("-attestations")).length, 0, "nothing copied when off");
  });

  it("publishes each image pinned by its first tag at dev's digest, with the copied attestations", async () => {
    const published = await valueOf(images.images);
    assert.deepEqual(Object.keys(published).sort(), [...IMAGES].sort());
    for (const image of IMAGES) {
      const repository = `${REGISTRY}/splai/splai-${image}`;
      assert.deepEqual(published[image], {
        name: `splai-${image}`,
        repository,
        tags: TAGS,
        digest: DEV[image].digest,
        ref: `${repository}@${DEV[image].digest}`,
        pinnedTag: `${TAGS[0]}@${DEV[image].digest}`,
        attestations: attestationsOf(image),
      } satisfies PublishedImage);
    }
    assert.deepEqual((await valueOf(none.images)).planner.attestations, []);
    assert.equal((await valueOf(auto.images)).planner.pinnedTag, `${TAGS[0]}@${DEV.planner.digest}`);
  });

  it("fails with a ResourceError when a pushed tag does not hold dev's digest", async () => {
    const errors = await rejections.first();
    assert.ok(errors.length > 0, "the release failed");
    const ref = `${REGISTRY}/splai/splai-${REWRAPPED.image}:${TAGS[REWRAPPED.tag]}@${d("f")}`;
    // Every failure is this one: the other images and releases publish.
    for (const e of errors) {
      assert.ok(e instanceof pulumi.ResourceError, String(e));
      assert.ok(e.message.includes(`${ref} is not the promoted digest ${DEV[REWRAPPED.image].digest}`), e.message);
    }
  });
});
