// The release rules on their own: what each refuses, naming the resource and the fix, and what each lets through.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { releaseDescription, releaseTagOf } from "../components/deploy/rollback";
import {
  chartNotReleaseVersion,
  imagesNotOnReleaseTag,
  latestOnRelease,
  prereleaseOfReleaseTag,
  unpinnedImages,
} from "./rules";

const D = `sha256:${"a".repeat(64)}`;
const values = (tag: string): Record<string, unknown> => ({
  planner: { image: { repository: "r/splai-planner", tag, pullPolicy: "IfNotPresent" } },
  redis: { enabled: false },
});

describe("release rules", () => {
  it("images pinned by digest: a tag without @sha256 is refused naming the value key and the fix", () => {
    assert.deepEqual(unpinnedImages("splai", values(`1.2.3@${D}`)), []);
    const [p] = unpinnedImages("splai", values("latest"));
    assert.match(p, /Helm release 'splai': values\.planner\.image\.tag "latest" is not pinned by digest/);
    assert.match(p, /remove any helmValues\.planner\.image\.tag/);
  });

  it("no latest on a release chart: X.Y.Z charts never run latest, branch charts are not judged", () => {
    assert.match(
      latestOnRelease("splai", "1.2.3", values(`latest@${D}`))[0],
      /deploys release chart 1\.2\.3 but values\.planner\.image\.tag is 'latest@/,
    );
    assert.deepEqual(latestOnRelease("splai", "0.1.0-main.4", values(`latest@${D}`)), []);
    assert.deepEqual(latestOnRelease("splai", "1.2.3", values(`1.2.3@${D}`)), []);
  });

  it("a vX.Y.Z GitHub release is no prerelease; branch builds' tags may be", () => {
    assert.match(
      prereleaseOfReleaseTag("github-release", "v1.2.3", true)[0],
      /GitHub release 'github-release' of tag v1\.2\.3 is marked prerelease/,
    );
    assert.deepEqual(prereleaseOfReleaseTag("github-release", "v1.2.3", false), []);
    assert.deepEqual(prereleaseOfReleaseTag("github-release", "v0.0.0-main-abc1234", true), []);
  });

  it("a tag release deploys the tag's chart version and pins images by that tag", () => {
    const tag = releaseTagOf(releaseDescription("org/splai-release/prod", "v1.2.3"));
    assert.equal(tag, "v1.2.3");
    assert.deepEqual(chartNotReleaseVersion(tag, "splai", "1.2.3"), []);
    assert.match(
      chartNotReleaseVersion(tag, "splai", "1.2.3-main.4")[0],
      /deploys chart 1\.2\.3-main\.4, but the release is v1\.2\.3.*a prerelease chart is a branch build's/,
    );
    assert.match(
      chartNotReleaseVersion(tag, "splai", "1.2.4")[0],
      /a tag release deploys chart 1\.2\.3; release the chart at the tag's version/,
    );
    assert.deepEqual(imagesNotOnReleaseTag(tag, "splai", values(`1.2.3@${D}`)), []);
    assert.match(
      imagesNotOnReleaseTag(tag, "splai", values(`sha-abc1234@${D}`))[0],
      /pins 'sha-abc1234', but the release is v1\.2\.3/,
    );
    // A branch build names a prerelease tag: none of this applies.
    const branch = releaseTagOf(releaseDescription("org/splai-release/dev", "v0.0.0-main-abc1234"));
    assert.deepEqual(chartNotReleaseVersion(branch, "splai", "0.1.0-main.4"), []);
    assert.deepEqual(imagesNotOnReleaseTag(branch, "splai", values(`latest@${D}`)), []);
  });
});
