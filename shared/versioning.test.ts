// Table-driven tests of release versioning: tags, branches, prerelease identifiers and refusals.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as semver from "semver";
import { branchIdentifier, computeVersions, nextReleaseTag, parseReleaseTag, VersionError } from "./versioning";

const sha = "0123456789abcdef0123456789abcdef01234567";

describe("tag releases", () => {
  for (const [tag, want] of [
    ["v0.2.0", "0.2.0"],
    ["v1.10.3", "1.10.3"],
    ["v2.0.0-rc.1", "2.0.0-rc.1"],
  ] as const) {
    it(`${tag} → ${want} everywhere`, () => {
      const v = computeVersions({ mode: "tag", ref: tag, sha, buildNumber: 7 }, "0.1.0");
      assert.equal(v.app, want);
      assert.equal(v.chart, want);
      assert.deepEqual(v.imageTags, [want]);
      assert.equal(v.immutableTag, want);
      assert.equal(v.releaseTag, tag);
      assert.equal(v.prerelease, want.includes("-"));
    });
  }

  for (const bad of ["0.2.0", "v0.2", "v01.2.3", "vX.Y.Z", "release-1", "v1.2.3.4", "v 1.2.3", "V1.2.3"]) {
    it(`refuses '${bad}' naming the expected form`, () => {
      assert.throws(
        () => parseReleaseTag(bad),
        (e: Error) =>
          e instanceof VersionError && e.message.includes(`'${bad}'`) && e.message.includes("v<major>.<minor>.<patch>"),
      );
    });
  }

  it("refuses build metadata, which OCI tags cannot carry", () => {
    assert.throws(() => parseReleaseTag("v1.2.3+build.5"), /build metadata/);
  });
});

describe("branch builds", () => {
  it("main → 0.0.0-main-<sha7>, latest + sha tag, chart <base>-main.<n>", () => {
    const v = computeVersions({ mode: "branch", ref: "main", sha, buildNumber: 42 }, "0.1.0");
    assert.equal(v.app, "0.0.0-main-0123456");
    assert.deepEqual(v.imageTags, ["sha-0123456", "latest"]);
    assert.equal(v.immutableTag, "sha-0123456");
    assert.equal(v.chart, "0.1.0-main.42");
    assert.equal(v.prerelease, true);
    assert.ok(semver.valid(v.app) && semver.valid(v.chart));
  });

  it("chart versions increase with the build number", () => {
    const a = computeVersions({ mode: "branch", ref: "main", sha, buildNumber: 9 }, "0.1.0").chart;
    const b = computeVersions({ mode: "branch", ref: "main", sha, buildNumber: 10 }, "0.1.0").chart;
    assert.ok(semver.gt(b, a), `${b} > ${a}`);
  });

  for (const [branch, id] of [
    ["feature/Login_UI", "feature-login-ui"],
    ["refs/heads/main", "main"],
    ["dependabot/npm_and_yarn/x--y", "dependabot-npm-and-yarn-x-y"],
    ["release/1.2", "release-1-2"],
    ["007", "b007"],
    ["42", "42"],
    ["-weird-", "weird"],
    ["a".repeat(80), "a".repeat(40)],
  ] as const) {
    it(`branch '${branch}' → identifier '${id}' giving valid semver`, () => {
      assert.equal(branchIdentifier(branch), id);
      const v = computeVersions({ mode: "branch", ref: branch, sha, buildNumber: 1 }, "0.1.0");
      assert.ok(semver.valid(v.app), v.app);
      assert.ok(semver.valid(v.chart), v.chart);
      assert.match(v.chart, /^[\w.-]{1,128}$/, "usable as an OCI tag");
    });
  }

  it("refuses a branch with nothing usable", () => {
    assert.throws(() => branchIdentifier("///"), /no characters usable/);
  });

  it("keeps a prerelease Chart.yaml version valid", () => {
    assert.equal(
      computeVersions({ mode: "branch", ref: "dev", sha, buildNumber: 3 }, "0.3.0-alpha").chart,
      "0.3.0-alpha.dev.3",
    );
  });

  it("refuses a non-semver Chart.yaml version and a bad sha", () => {
    assert.throws(
      () => computeVersions({ mode: "branch", ref: "main", sha, buildNumber: 1 }, "one"),
      /Chart.yaml version 'one'/,
    );
    assert.throws(
      () => computeVersions({ mode: "branch", ref: "main", sha: "xyz", buildNumber: 1 }, "0.1.0"),
      /not a git SHA/,
    );
  });
});

describe("the next release tag (previewing prod from a pull request)", () => {
  for (const [tags, chart, want, why] of [
    [
      ["v0.1.0", "v0.2.0", "v0.10.1", "v0.3.0"],
      "0.1.0",
      "v0.10.2",
      "next patch after the newest tag, compared as semver",
    ],
    [["v0.2.0", "v0.3.0-rc.1", "nightly"], "0.1.0", "v0.2.1", "prereleases and other tags are ignored"],
    [["v0.2.0"], "0.3.0", "v0.3.0", "a Chart.yaml version ahead of every tag is the next release"],
    [["v0.2.0"], "0.2.0", "v0.2.1", "a released Chart.yaml version is not reused"],
    [[], "0.4.0", "v0.4.0", "no tag yet: the chart's version"],
    [[], "0.4.0-dev", "v0.1.0", "no tag and a prerelease chart version: v0.1.0"],
  ] as const) {
    it(`${why}: ${JSON.stringify(tags)} + chart ${chart} → ${want}`, () => {
      assert.equal(nextReleaseTag(tags, chart), want);
      assert.equal(parseReleaseTag(want), want.slice(1));
    });
  }
});
