// Which ref a run releases: explicit config beats CI variables, which beat the source tree's git state.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { resolveRef, type GitReader } from "./gitref";

const sha = "89abcdef0123456789abcdef0123456789abcdef";
const git = (o: Partial<{ tags: string[]; branch: string; sha: string; count: number }> = {}): GitReader => ({
  tagsAtHead: () => o.tags ?? [],
  branch: () => o.branch,
  sha: () => o.sha,
  commitCount: () => o.count,
});

describe("resolveRef", () => {
  it("reads a v* tag at HEAD as a tag release", () => {
    assert.deepEqual(
      resolveRef({ mode: "auto" }, {}, git({ tags: ["v0.2.0", "other"], branch: "main", sha, count: 12 })),
      {
        mode: "tag",
        ref: "v0.2.0",
        sha,
        buildNumber: 12,
      },
    );
  });

  it("reads the branch and commit count otherwise", () => {
    assert.deepEqual(resolveRef({ mode: "auto" }, {}, git({ branch: "feature/x", sha, count: 5 })), {
      mode: "branch",
      ref: "feature/x",
      sha,
      buildNumber: 5,
    });
  });

  it("prefers GitHub Actions variables over git", () => {
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REF_TYPE: "tag",
      GITHUB_REF_NAME: "v1.0.0",
      GITHUB_SHA: sha,
      GITHUB_RUN_NUMBER: "77",
    };
    assert.deepEqual(resolveRef({ mode: "auto" }, env, git({ branch: "main", sha: "0".repeat(40), count: 1 })), {
      mode: "tag",
      ref: "v1.0.0",
      sha,
      buildNumber: 77,
    });
  });

  it("uses the head branch of a pull request", () => {
    const env = {
      GITHUB_ACTIONS: "true",
      GITHUB_REF_TYPE: "branch",
      GITHUB_REF_NAME: "12/merge",
      GITHUB_HEAD_REF: "fix/typo",
      GITHUB_SHA: sha,
      GITHUB_RUN_NUMBER: "3",
    };
    assert.equal(resolveRef({ mode: "auto" }, env, git()).ref, "fix/typo");
  });

  it("reads GitLab CI tags", () => {
    assert.equal(
      resolveRef({ mode: "auto" }, { GITLAB_CI: "true", CI_COMMIT_TAG: "v2.0.0", CI_COMMIT_SHA: sha }, git()).mode,
      "tag",
    );
  });

  it("lets explicit config win", () => {
    const r = resolveRef(
      { mode: "tag", ref: "v9.9.9", sha: "abcdef1", buildNumber: 4 },
      { GITHUB_ACTIONS: "true", GITHUB_REF_NAME: "main" },
      git({ branch: "main", sha }),
    );
    assert.deepEqual(r, { mode: "tag", ref: "v9.9.9", sha: "abcdef1", buildNumber: 4 });
  });

  it("explains how to fix a tag release without a tag", () => {
    assert.throws(
      () => resolveRef({ mode: "tag" }, {}, git({ branch: "main", sha })),
      /carries no v\* tag; tag the commit .* or set splai-release:ref/,
    );
  });

  it("explains how to fix a detached HEAD", () => {
    assert.throws(() => resolveRef({ mode: "branch" }, {}, git({ sha })), /set splai-release:ref to the branch name/);
  });

  it("refuses ambiguous tags", () => {
    assert.throws(
      () => resolveRef({ mode: "auto" }, {}, git({ tags: ["v1.0.0", "v1.0.1"], sha })),
      /several release tags/,
    );
  });
});
