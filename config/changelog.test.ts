// The changelog's config: refusals name the key, the value and the fix; the load reads the released range from git.
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { releaseChangelog } from "./changelog";
import { ConfigError, validateSettings, type RawSettings, type Settings } from "./validate";
import { computeVersions, type ReleaseRef } from "../shared/versioning";
import { fixtureHistory, type FixtureHistory } from "../test/support/history";
import { makeTree } from "../test/support/tree";

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
contexts: [{ name: dev, context: { cluster: c, user: u } }]
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]
users: [{ name: u, user: {} }]
`;
const ok: RawSettings = { owner: "acme", hasRegistryPassword: true, hasGithubToken: true, kubeconfig: KUBECONFIG };

/** A SPLAI tree with `docs/changelog.md` holding `template`. */
function treeWith(template: string): string {
  const tree = makeTree();
  mkdirSync(join(tree, "docs"));
  writeFileSync(join(tree, "docs", "changelog.md"), template);
  return tree;
}

function problems(raw: RawSettings, tree = makeTree()): string[] {
  try {
    validateSettings({ ...ok, ...raw, source: tree }, "/", "/nonexistent-home");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  return [];
}

describe("changelog config", () => {
  it("defaults to the grouped changelog without a template", () => {
    const s = validateSettings({ ...ok, source: makeTree() }, "/", "/nonexistent-home");
    assert.deepEqual([s.changelog, s.changelogTemplate], ["grouped", undefined]);
  });

  it("accepts flat, off, and a template under the source tree (by its absolute path)", () => {
    const tree = treeWith("{{features}}\n{{ authors }}\n");
    for (const changelog of ["flat", "off"]) assert.deepEqual(problems({ changelog }), [], changelog);
    const s = validateSettings({ ...ok, source: tree, changelogTemplate: "docs/changelog.md" }, "/", "/nonexistent");
    assert.equal(s.changelogTemplate, join(tree, "docs", "changelog.md"));
  });

  it("refuses an unknown style, saying which are accepted", () => {
    assert.deepEqual(problems({ changelog: "sorted" }), [
      "changelog 'sorted' is not accepted; use grouped (the default), flat or off",
    ]);
  });

  it("refuses a template that does not exist, naming where it was looked for", () => {
    const tree = makeTree();
    assert.deepEqual(problems({ changelogTemplate: "docs/changelog.md" }, tree), [
      `changelogTemplate 'docs/changelog.md' does not exist under the source directory (${tree}/docs/changelog.md); ` +
        "create it or unset splai-release:changelogTemplate for the built-in rendering",
    ]);
  });

  it("refuses a directory as template", () => {
    const tree = treeWith("");
    assert.deepEqual(problems({ changelogTemplate: "docs" }, tree), [
      `changelogTemplate 'docs' is not a file (${tree}/docs); ` +
        "name a Markdown file or unset splai-release:changelogTemplate for the built-in rendering",
    ]);
  });

  it("refuses a template with placeholders it does not know, listing the ones it does", () => {
    const tree = treeWith("## {{version}}\n{{feature}}\n{{ fixes }}\n{{bugs}}\n");
    assert.deepEqual(problems({ changelogTemplate: "docs/changelog.md" }, tree), [
      "changelogTemplate 'docs/changelog.md' uses unknown placeholders {{feature}}, {{bugs}}; the placeholders are " +
        "{{version}}, {{previousTag}}, {{features}}, {{fixes}}, {{performance}}, {{others}}, {{breaking}}, " +
        "{{authors}}, {{commits}}",
    ]);
  });
});

describe("releaseChangelog (the load's reading)", () => {
  let h: FixtureHistory;
  let base: Settings;
  before(() => {
    h = fixtureHistory();
    base = validateSettings(
      { ...ok, source: makeTree(), githubBaseUrl: "https://ghe.example/api/v3/", breakingChanges: ["Moved to /v2."] },
      "/",
      "/nonexistent-home",
    );
  });
  const tagRelease = (): ReleaseRef => ({ mode: "tag", ref: "v0.2.0", sha: h.tag("v0.2.0"), buildNumber: 1 });

  it("reads the released range from the source tree and links commits on the GitHub host of githubBaseUrl", () => {
    const warnings: string[] = [];
    const md = releaseChangelog({ ...base, source: h.dir }, tagRelease(), computeVersions(tagRelease(), "0.1.0"), (w) =>
      warnings.push(w),
    );
    assert.deepEqual(warnings, []);
    assert.match(
      md,
      /^## Changelog\n\nChanges since `v0\.1\.0` \(\[compare\]\(https:\/\/ghe\.example\/acme\/splai\/compare\//,
    );
    assert.match(md, /### Breaking changes\n\n- Moved to \/v2\.\n- \*\*api:\*\* serve the planner under \/v2 /);
    const sha = h.sha("perf: cache the plan lookups");
    assert.ok(
      md.includes(`- cache the plan lookups ([${sha.slice(0, 7)}](https://ghe.example/acme/splai/commit/${sha}))`),
    );
  });

  it("fills the stack's template with the release's version", () => {
    const tree = treeWith("# {{version}} since {{previousTag}}\n{{performance}}\n");
    const s = validateSettings(
      { ...ok, source: tree, changelogTemplate: "docs/changelog.md" },
      "/",
      "/nonexistent-home",
    );
    const md = releaseChangelog(
      { ...s, source: h.dir },
      tagRelease(),
      computeVersions(tagRelease(), "0.1.0"),
      () => {},
    );
    const sha = h.sha("perf: cache the plan lookups");
    const link = `[${h.short("perf: cache the plan lookups")}](https://github.com/acme/splai/commit/${sha})`;
    assert.equal(md, `# 0.2.0 since v0.1.0\n- cache the plan lookups (${link})\n`);
  });

  it("warns, and says in the notes, what git could not tell; off reads no git at all", () => {
    const warnings: string[] = [];
    const ref = tagRelease();
    const md = releaseChangelog(
      base,
      ref,
      computeVersions(ref, "0.1.0"),
      (w) => warnings.push(w),
      () => ({ commits: [], problem: "The source tree /x is not a git repository" }),
    );
    assert.deepEqual(warnings, ["changelog: The source tree /x is not a git repository"]);
    assert.match(
      md,
      /^## Changelog\n\n_The source tree \/x is not a git repository\._\n\n### Breaking changes\n\n- Moved/,
    );
    const off = releaseChangelog({ ...base, changelog: "off" }, ref, computeVersions(ref, "0.1.0"), assert.fail, () =>
      assert.fail("read git although the changelog is off"),
    );
    assert.equal(off, "### Breaking changes\n\n- Moved to /v2.\n");
  });
});
