// ServiceImages with `splitPlatforms` (a BuildKit fleet) under mocks: one Image per platform pushed by digest, joined by Index per tag.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { binaryFile, SPLAI_MAINS, type Target } from "../../shared/layout";
import { unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import type { BinaryBuild } from "../binaries/GoBinaries";
import { attestationChildren } from "../supplychain/contract";
import { imageChildren } from "./contract";
import { ServiceImages, type ServiceImagesArgs } from "./ServiceImages";

const CMD = "command:local:Command";
const IMAGE = "docker-build:index:Image";
const INDEX = "docker-build:index:Index";
const REGISTRY = "reg.example:5443";
const TAGS = ["sha-0123456", "latest"];
const PLATFORMS = ["linux/amd64", "linux/arm64"];
const TARGETS: readonly Target[] = [
  { goos: "linux", goarch: "amd64" },
  { goos: "linux", goarch: "arm64" },
];
const IMAGES = SPLAI_MAINS.filter((m) => m.image !== undefined);
const sha = (s: string): string => `sha256:${createHash("sha256").update(s).digest("hex")}`;
const repositoryOf = (image: string): string => `${REGISTRY}/splai/splai-${image}`;

const args = (): ServiceImagesArgs => ({
  mains: SPLAI_MAINS,
  binaries: SPLAI_MAINS.flatMap((m) =>
    TARGETS.map((t): BinaryBuild => {
      const name = binaryFile(m.binary, t);
      return { name, binary: m.binary, ...t, path: join("/dist", name), sha256: pulumi.output(sha(name).slice(7)) };
    }),
  ),
  registry: REGISTRY,
  owner: "splai",
  tags: TAGS,
  platforms: PLATFORMS,
  dockerfiles: {},
  source: "/src/splai",
  stagingDir: "/work/images",
  builder: "splai-dev",
  splitPlatforms: true,
  registryUsername: "robot",
  registryPassword: "s3cret-registry",
  labels: {},
  sourceDateEpoch: 1700000000,
  attest: { buildkitAddr: "unix:///run/amd64.sock", sbomGenerator: "scanner:1" },
});

let monitor: MockMonitor;
let images: ServiceImages;

before(async () => {
  ({ monitor, value: images } = await withMocks(
    ({ type, name, inputs }) => {
      if (type === IMAGE) return { digest: sha(name), ref: "" };
      // `imagetools create` pushes the index under the tag; every tag of one image holds the same index.
      if (type === INDEX) {
        const [repository, tag] = (inputs.tag as string).split(/:(?=[^:]+$)/);
        return { ref: `${repository}:${tag}@${sha(`index ${repository}`)}` };
      }
      if (type !== CMD) return undefined;
      if (name.endsWith("-context")) return { stdout: "staged\n" };
      if (name.endsWith("-attest")) return { stdout: JSON.stringify({ attestations: [] }) };
      return undefined;
    },
    () => new ServiceImages("images", args()),
  ));
  await valueOf(images.images);
});

describe("ServiceImages on a fleet (splitPlatforms)", () => {
  it("builds each platform as an Image of its own on the fleet's builder, pushed by digest with no tag", () => {
    for (const m of IMAGES) {
      for (const p of PLATFORMS) {
        const img = monitor.find(IMAGE, imageChildren("images", m.image!).platformImage(p));
        assert.deepEqual(img.inputs.platforms, [p]);
        assert.equal(img.inputs.tags, undefined, "no tag names a lone platform image");
        assert.deepEqual(img.inputs.builder, { name: "splai-dev" });
        assert.deepEqual(img.inputs.exports, [
          { raw: `type=registry,rewrite-timestamp=true,push-by-digest=true,name=${repositoryOf(m.image!)}` },
        ]);
        assert.deepEqual(img.inputs.buildArgs, { SOURCE_DATE_EPOCH: "1700000000" });
      }
    }
    assert.equal(monitor.ofType(IMAGE).length, IMAGES.length * PLATFORMS.length);
  });

  it("joins them in an Index under the first tag, and points every other tag at that index", () => {
    for (const m of IMAGES) {
      const child = imageChildren("images", m.image!);
      const repository = repositoryOf(m.image!);
      const first = monitor.find(INDEX, child.tagIndex(0));
      assert.equal(first.inputs.tag, `${repository}:${TAGS[0]}`);
      assert.deepEqual(
        first.inputs.sources,
        PLATFORMS.map((p) => `${repository}@${sha(child.platformImage(p))}`),
      );
      assert.equal(first.inputs.push, true);
      const latest = monitor.find(INDEX, child.tagIndex(1));
      assert.equal(latest.inputs.tag, `${repository}:latest`);
      assert.deepEqual(latest.inputs.sources, [`${repository}:${TAGS[0]}@${sha(`index ${repository}`)}`]);
      assert.equal(unsecret<{ password: string }>(first.inputs.registry).password, "s3cret-registry");
      assert.equal(monitor.optionsOf(first).retainOnDelete, true, "a released index stays when the stack goes");
    }
  });

  it("publishes the index digest every tag holds", async () => {
    const published = await valueOf(images.images);
    for (const m of IMAGES) assert.equal(published[m.image!].digest, sha(`index ${repositoryOf(m.image!)}`));
  });

  it("attests the index, on the BuildKit address it was given", () => {
    for (const m of IMAGES) {
      const run = monitor.find(CMD, attestationChildren(imageChildren("images", m.image!).image).attest);
      const env = unsecret<Record<string, string>>(run.inputs.environment);
      assert.equal(env.BUILDKIT_ADDR, "unix:///run/amd64.sock");
      assert.equal(env.PLATFORMS, PLATFORMS.join(","));
    }
  });
});
