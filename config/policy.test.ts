// What a tag release and a branch build mean, and how explicit settings override the defaults.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { releasePolicy, type PolicySettings } from "./policy";

const defaults: PolicySettings = { deploy: true, atomic: undefined, verify: undefined, githubRelease: undefined };

describe("releasePolicy", () => {
  it("a tag release is atomic, immutable, guarded, pinned, announced and kept", () => {
    assert.deepEqual(releasePolicy(defaults, { mode: "tag", app: "1.2.3" }), {
      tagRelease: true,
      atomic: true,
      immutable: true,
      forbidMovingTags: true,
      rollbackGuard: true,
      githubRelease: true,
      retainGithubRelease: true,
      releaseTitle: "SPLAI 1.2.3",
      verify: true,
      requireRealNode: false,
      helmWaits: false,
    });
  });

  it("a branch build is none of those, and its release (when asked for) is a prerelease that goes with its stack", () => {
    const p = releasePolicy({ ...defaults, githubRelease: true }, { mode: "branch", app: "0.0.0-main-abc1234" });
    assert.equal(p.atomic || p.immutable || p.rollbackGuard || p.forbidMovingTags || p.retainGithubRelease, false);
    assert.equal(p.githubRelease, true);
    assert.equal(p.releaseTitle, "SPLAI 0.0.0-main-abc1234 (prerelease)");
  });

  it("explicit settings win; without a deployment nothing is verified or guarded, and Helm waits when nothing verifies", () => {
    assert.equal(releasePolicy({ ...defaults, atomic: false }, { mode: "tag", app: "1.0.0" }).atomic, false);
    const undeployed = releasePolicy({ ...defaults, deploy: false }, { mode: "tag", app: "1.0.0" });
    assert.equal(undeployed.verify, false);
    assert.equal(undeployed.rollbackGuard, false);
    const unverified = releasePolicy({ ...defaults, verify: false }, { mode: "branch", app: "x" });
    assert.equal(unverified.helmWaits, true);
    assert.equal(releasePolicy({ ...defaults, verify: true }, { mode: "branch", app: "x" }).requireRealNode, true);
  });
});
