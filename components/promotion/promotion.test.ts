// Promotion checks: a dev build of another commit, missing images or binaries, another registry and mismatched checksums are refused with the fix.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  checkPromotion,
  parseChecksums,
  PromotionError,
  sameCommit,
  type DevStackOutputs,
  type PromotionTarget,
} from "./promotion";

const SHA = "0123456789abcdef0123456789abcdef01234567";
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const IMAGES = ["api-gateway", "planner"];
const target: PromotionTarget = {
  stack: "organization/splai-release/dev",
  tag: "v0.3.0",
  sha: SHA,
  registry: "127.0.0.1:5443",
  images: IMAGES,
};
const files = ["splaictl-linux-amd64", "splai-planner-linux-arm64"].map((name, i) => ({
  name,
  binary: name.replace(/-linux-.*/, ""),
  goos: "linux",
  goarch: name.endsWith("arm64") ? "arm64" : "amd64",
  path: `/dist/dev/${name}`,
  sha256: String(i + 1).repeat(64),
}));
const dev: DevStackOutputs = {
  versions: { app: "0.0.0-main-0123456", commit: SHA },
  releaseImages: Object.fromEntries(
    IMAGES.map((n, i) => [n, { repository: `127.0.0.1:5443/e2e/splai-${n}`, digest: d(String(i)) }]),
  ),
  releaseBinaries: { dir: "/dist/dev", files },
  binaryChecksums: files.map((f) => `${f.sha256}  ${f.name}\n`).join(""),
};

function refusal(outputs: DevStackOutputs, t: PromotionTarget = target): string[] {
  try {
    checkPromotion(outputs, t);
  } catch (e) {
    assert.ok(e instanceof PromotionError, String(e));
    assert.match(
      e.message,
      /^promotion from stack 'organization\/splai-release\/dev' was refused; nothing was changed:/,
    );
    return e.problems;
  }
  assert.fail("expected a refusal");
}

describe("checkPromotion", () => {
  it("returns the dev build's digests, binaries and checksums", () => {
    const src = checkPromotion(dev, target);
    assert.equal(src.version, "0.0.0-main-0123456");
    assert.deepEqual(src.images.planner, { repository: "127.0.0.1:5443/e2e/splai-planner", digest: d("1") });
    assert.deepEqual(
      src.binaries.map((b) => b.name),
      ["splai-planner-linux-arm64", "splaictl-linux-amd64"],
    );
    assert.ok(Object.isFrozen(src));
  });
  it("accepts an abbreviated commit on either side", () => {
    assert.doesNotThrow(() => checkPromotion(dev, { ...target, sha: SHA.slice(0, 7) }));
    assert.doesNotThrow(() => checkPromotion({ ...dev, versions: { app: "x", commit: SHA.slice(0, 12) } }, target));
  });
  it("refuses a build of another commit, naming both commits and the fix", () => {
    const p = refusal({
      ...dev,
      versions: { app: "0.0.0-main-fedcba9", commit: "fedcba9876543210fedcba9876543210fedcba98" },
    });
    assert.equal(p.length, 1);
    assert.match(
      p[0],
      /built commit fedcba98.* \(version 0\.0\.0-main-fedcba9\), but v0\.3\.0 is commit 0123456789abcdef.*; only the build of the release commit can be promoted — run 'pulumi up --stack organization\/splai-release\/dev' at commit 0123456789ab first/,
    );
  });
  it("refuses a stack without images, or without one the release needs", () => {
    assert.match(refusal({ ...dev, releaseImages: undefined }).join("\n"), /has no images output \(releaseImages\)/);
    assert.match(refusal({ ...dev, releaseImages: {} }).join("\n"), /has no images output/);
    assert.match(
      refusal(dev, { ...target, images: [...IMAGES, "scheduler"] }).join("\n"),
      /exported no image scheduler with a repository and a sha256 digest/,
    );
  });
  it("refuses images in another registry", () => {
    assert.match(
      refusal(dev, { ...target, registry: "ghcr.io" }).join("\n"),
      /image api-gateway .* is in registry 127\.0\.0\.1:5443, this release publishes to ghcr\.io; promotion copies within one registry/,
    );
  });
  it("refuses missing versions, binaries or checksums, listing every problem at once", () => {
    const p = refusal({});
    assert.equal(p.length, 4, p.join("\n"));
    assert.match(p.join("\n"), /no versions output/);
    assert.match(p.join("\n"), /no binaries output \(releaseBinaries\)/);
    assert.match(p.join("\n"), /no binaryChecksums output/);
  });
  it("refuses binaries whose checksum is not the one in SHA256SUMS", () => {
    const p = refusal({ ...dev, binaryChecksums: `${"9".repeat(64)}  splaictl-linux-amd64\n` });
    assert.match(p.join("\n"), /binary splaictl-linux-amd64 .* has sha256 1{64}, its SHA256SUMS says 9{64}/);
    assert.match(p.join("\n"), /binary splai-planner-linux-arm64 .* its SHA256SUMS says nothing/);
  });
  it("refuses a binary name that is a path", () => {
    assert.match(
      refusal({ ...dev, releaseBinaries: { files: [{ ...files[0], name: "../x" }] } }).join("\n"),
      /malformed binary/,
    );
  });
});

describe("sameCommit and parseChecksums", () => {
  it("compares full and abbreviated SHAs", () => {
    assert.ok(sameCommit(SHA, SHA.toUpperCase()));
    assert.ok(sameCommit(SHA.slice(0, 7), SHA));
    assert.ok(!sameCommit(SHA.slice(0, 6), SHA), "fewer than 7 characters never match");
    assert.ok(!sameCommit("fedcba9", SHA));
  });
  it("reads sha256sum output, text and binary mode", () => {
    const m = parseChecksums(`${"a".repeat(64)}  one\n${"b".repeat(64)} *two\nnot a line\n`);
    assert.deepEqual(
      [...m],
      [
        ["one", "a".repeat(64)],
        ["two", "b".repeat(64)],
      ],
    );
  });
});
