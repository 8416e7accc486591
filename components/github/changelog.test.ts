// The changelog: Conventional Commits parsed, reverts cancelled, the range read from a real git history, rendered.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  changes,
  parseCommit,
  previousReleaseTag,
  readHistory,
  renderChangelog,
  repositoryUrl,
  unknownPlaceholders,
  type ChangelogOptions,
  type GitCommit,
  type History,
} from "./changelog";
import { fixtureHistory, type FixtureHistory } from "../../test/support/history";

const commit = (subject: string, body = "", o: Partial<GitCommit> = {}): GitCommit => ({
  sha: "a".repeat(40),
  shortSha: "aaaaaaa",
  parents: 1,
  author: "Alice Archer",
  subject,
  body,
  ...o,
});

describe("parseCommit", () => {
  it("reads type, scope, ! and description; the type in any case", () => {
    const c = parseCommit(commit("feat(api)!: serve the planner under /v2"));
    assert.deepEqual(
      [c.group, c.type, c.scope, c.description],
      ["features", "feat", "api", "serve the planner under /v2"],
    );
    assert.deepEqual(c.breaking, ["serve the planner under /v2"], "! without a footer: the description breaks");
    assert.deepEqual(
      [parseCommit(commit("Fix: retry")).group, parseCommit(commit("PERF: faster")).group],
      ["fixes", "performance"],
    );
  });

  it("puts other types, and subjects that are not Conventional Commits, under Others", () => {
    const docs = parseCommit(commit("docs: describe the planner API"));
    assert.deepEqual([docs.group, docs.type, docs.description], ["others", "docs", "describe the planner API"]);
    const plain = parseCommit(commit("Tidy the Makefile"));
    assert.deepEqual([plain.group, plain.type, plain.description], ["others", undefined, "Tidy the Makefile"]);
    assert.equal(parseCommit(commit("feat:no space")).type, undefined, "the colon needs a space after it");
  });

  it("collects BREAKING CHANGE and BREAKING-CHANGE footers, over several lines, up to the next footer", () => {
    const c = parseCommit(
      commit(
        "fix(scheduler)!: drop the legacy queue flag",
        "Why.\n\nBREAKING CHANGE: the --legacy-queue flag is gone;\nuse --queue\nRefs: #42\n" +
          "BREAKING-CHANGE: the queue default moved\nSigned-off-by: Bob",
      ),
    );
    assert.deepEqual(c.breaking, ["the --legacy-queue flag is gone; use --queue", "the queue default moved"]);
    assert.deepEqual(
      parseCommit(commit("Tidy", "BREAKING CHANGE: the Makefile's targets changed")).breaking,
      ["the Makefile's targets changed"],
      "a footer breaks even without a conventional subject",
    );
    assert.deepEqual(parseCommit(commit("fix: x", "breaking change: lower case is no footer")).breaking, []);
  });

  it("reads the commit a git revert or a revert: commit reverts", () => {
    const git = parseCommit(commit('Revert "feat: add a cache"', `This reverts commit ${"b".repeat(40)}.`));
    assert.deepEqual(
      [git.group, git.description, git.reverts],
      ["others", 'Revert "feat: add a cache"', "b".repeat(40)],
    );
    assert.equal(parseCommit(commit("revert: feat: add a cache", "This reverts commit bbbbbbb.")).reverts, "bbbbbbb");
  });
});

describe("changes", () => {
  const a = commit("feat: add a cache", "", { sha: "1".repeat(40) });
  const revert = (of: GitCommit, n: string): GitCommit =>
    commit(`Revert "${of.subject}"`, `This reverts commit ${of.sha}.`, { sha: n.repeat(40) });
  it("leaves merge commits out", () => {
    const merge = commit("Merge branch 'x'", "", { sha: "9".repeat(40), parents: 2 });
    assert.deepEqual(
      changes([a, merge]).map((c) => c.subject),
      ["feat: add a cache"],
    );
  });
  it("cancels a revert with the commit it reverts, and keeps a change whose revert was reverted", () => {
    const r1 = revert(a, "2");
    const r2 = revert(r1, "3");
    assert.deepEqual(changes([a, r1]), []);
    assert.deepEqual(
      changes([a, r1, r2]).map((c) => c.subject),
      ["feat: add a cache"],
    );
    assert.deepEqual(
      changes([r1]).map((c) => c.subject),
      ['Revert "feat: add a cache"'],
      "a revert of an earlier release's commit is listed",
    );
  });
});

describe("previousReleaseTag", () => {
  const tags = [
    { name: "v0.1.0", commit: "c1" },
    { name: "v0.10.0", commit: "c3" },
    { name: "v0.9.0", commit: "c2" },
    { name: "v0.11.0-rc.1", commit: "c4" },
    { name: "vnext", commit: "c4" },
    { name: "v0.11.0", commit: "c5" },
  ];
  it("is the highest release version, never a prerelease", () => {
    assert.equal(previousReleaseTag(tags.slice(0, 5), "c4", "tag")?.name, "v0.10.0");
  });
  it("leaves out a tag release's own tags, not a branch build's", () => {
    assert.equal(previousReleaseTag(tags, "c5", "tag")?.name, "v0.10.0");
    assert.equal(previousReleaseTag(tags, "c5", "branch")?.name, "v0.11.0");
    assert.equal(previousReleaseTag([{ name: "v0.1.0", commit: "c1" }], "c1", "tag"), undefined);
  });
});

describe("repositoryUrl", () => {
  it("is github.com for the public API and the Enterprise host otherwise", () => {
    assert.equal(repositoryUrl("https://api.github.com/", "acme", "splai"), "https://github.com/acme/splai");
    assert.equal(repositoryUrl("https://ghe.example/api/v3/", "acme", "splai"), "https://ghe.example/acme/splai");
    assert.equal(repositoryUrl("https://ghe.example/", "acme", "splai"), "https://ghe.example/acme/splai");
    assert.equal(repositoryUrl("http://127.0.0.1:8443/", "o", "r"), "http://127.0.0.1:8443/o/r");
  });
});

describe("the changelog of a git history", () => {
  let h: FixtureHistory;
  const URL = "https://github.com/acme/splai";
  const options = (commitSha: string, o: Partial<ChangelogOptions> = {}): ChangelogOptions => ({
    style: "grouped",
    version: "0.2.0",
    commit: commitSha,
    breakingChanges: ["The planner API moved to /v2."],
    repositoryUrl: URL,
    ...o,
  });
  /** The link of a commit as every entry ends. */
  const link = (subject: string): string => `([${h.short(subject)}](${URL}/commit/${h.sha(subject)}))`;
  const scratch: string[] = [];
  const tempDir = (prefix: string): string => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    scratch.push(dir);
    return dir;
  };
  before(() => {
    h = fixtureHistory();
  });
  after(() => {
    for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
  });

  it("a tag release counts from the previous release tag, skipping the prerelease, merges' commits included", () => {
    const r = readHistory(h.dir, h.tag("v0.2.0"), "tag");
    assert.equal(r.previousTag, "v0.1.0");
    assert.equal(r.problem, undefined);
    assert.deepEqual(
      r.commits.map((c) => c.subject),
      [
        "feat: add the workers' heartbeat",
        "fix: retry a lost lease",
        "perf: cache the plan lookups",
        "docs: describe the planner API",
        "chore(deps): bump yaml to 2.9.1",
        "Tidy the Makefile",
        "feat(api)!: serve the planner under /v2",
        "fix(scheduler): drop the legacy queue flag",
        "feat(metrics): export the queue depth",
        "fix(metrics): name the gauge in snake case",
        "Merge branch 'feature/metrics'",
        "feat: add an experimental planner cache",
        'Revert "feat: add an experimental planner cache"',
        'Revert "feat: add the scheduler queue"',
      ],
    );
    const merge = r.commits.find((c) => c.subject.startsWith("Merge"))!;
    assert.deepEqual([merge.parents, merge.author], [2, "Alice Archer"]);
    const footer = r.commits.find((c) => c.subject.startsWith("fix(scheduler)"))!;
    assert.deepEqual([footer.sha, footer.shortSha], [h.sha(footer.subject), h.short(footer.subject)]);
    assert.match(footer.body, /^The flag only ever selected the old queue\.\n\nBREAKING CHANGE: /);
  });

  it("a prerelease tag release counts from the last release too", () => {
    const r = readHistory(h.dir, h.tag("v0.2.0-rc.1"), "tag");
    assert.equal(r.previousTag, "v0.1.0");
    assert.deepEqual(
      r.commits.map((c) => c.subject),
      ["feat: add the workers' heartbeat", "fix: retry a lost lease"],
    );
  });

  it("a branch build counts from the last release tag reachable from its commit", () => {
    const head = h.git("rev-parse", "HEAD");
    const r = readHistory(h.dir, head, "branch");
    assert.equal(r.previousTag, "v0.2.0");
    assert.deepEqual(
      r.commits.map((c) => c.subject),
      ["fix: handle an empty plan"],
    );
    const onTag = readHistory(h.dir, h.tag("v0.2.0"), "branch");
    assert.deepEqual([onTag.previousTag, onTag.commits.length], ["v0.2.0", 0], "a branch build of the release itself");
    assert.match(renderChangelog(onTag, options(h.tag("v0.2.0"))), /No commits since `v0\.2\.0`\./);
  });

  it("a first release lists every commit", () => {
    const r = readHistory(h.dir, h.tag("v0.1.0"), "tag");
    assert.equal(r.previousTag, undefined);
    assert.deepEqual(
      r.commits.map((c) => c.subject),
      ["chore: initial layout", "feat: add the scheduler queue"],
    );
    assert.match(
      renderChangelog(r, options(h.tag("v0.1.0"))),
      /^## Changelog\n\nEvery commit up to this one: there is no earlier release tag\.\n/,
    );
  });

  it("renders the groups, breaking changes first with the configured ones, links and authors", () => {
    const release = h.tag("v0.2.0");
    const md = renderChangelog(readHistory(h.dir, release, "tag"), options(release));
    assert.equal(
      md,
      [
        "## Changelog",
        "",
        `Changes since \`v0.1.0\` ([compare](${URL}/compare/v0.1.0...${release})).`,
        "",
        "### Breaking changes",
        "",
        "- The planner API moved to /v2.",
        `- **api:** serve the planner under /v2 ${link("feat(api)!: serve the planner under /v2")}`,
        "- **scheduler:** the --legacy-queue flag is gone; start the scheduler with --queue instead " +
          link("fix(scheduler): drop the legacy queue flag"),
        "",
        "### Features",
        "",
        `- add the workers' heartbeat ${link("feat: add the workers' heartbeat")}`,
        `- **api:** serve the planner under /v2 ${link("feat(api)!: serve the planner under /v2")}`,
        `- **metrics:** export the queue depth ${link("feat(metrics): export the queue depth")}`,
        "",
        "### Fixes",
        "",
        `- retry a lost lease ${link("fix: retry a lost lease")}`,
        `- **scheduler:** drop the legacy queue flag ${link("fix(scheduler): drop the legacy queue flag")}`,
        `- **metrics:** name the gauge in snake case ${link("fix(metrics): name the gauge in snake case")}`,
        "",
        "### Performance",
        "",
        `- cache the plan lookups ${link("perf: cache the plan lookups")}`,
        "",
        "### Others",
        "",
        `- describe the planner API ${link("docs: describe the planner API")}`,
        `- **deps:** bump yaml to 2.9.1 ${link("chore(deps): bump yaml to 2.9.1")}`,
        `- Tidy the Makefile ${link("Tidy the Makefile")}`,
        `- Revert "feat: add the scheduler queue" ${link('Revert "feat: add the scheduler queue"')}`,
        "",
        "### Authors",
        "",
        "Alice Archer (2), Bob Baker (5), Carol Chen (2), Dave Diaz (2)",
        "",
      ].join("\n"),
    );
    assert.doesNotMatch(md, /Merge branch|experimental planner cache/, "the merge, and the cancelled revert pair");
  });

  it("leaves empty groups out", () => {
    const head = h.git("rev-parse", "HEAD");
    const md = renderChangelog(readHistory(h.dir, head, "branch"), options(head, { breakingChanges: [] }));
    assert.deepEqual(
      md.split("\n").filter((l) => l.startsWith("#")),
      ["## Changelog", "### Fixes", "### Authors"],
    );
  });

  it("flat: one list of the subjects, still with links and authors", () => {
    const release = h.tag("v0.2.0");
    const md = renderChangelog(readHistory(h.dir, release, "tag"), options(release, { style: "flat" }));
    assert.deepEqual(
      md.split("\n").filter((l) => l.startsWith("#")),
      ["## Changelog", "### Breaking changes", "### Commits", "### Authors"],
    );
    const list = md.slice(md.indexOf("### Commits"), md.indexOf("### Authors")).trim().split("\n").slice(2);
    assert.equal(list.length, 11);
    assert.equal(list[0], `- feat: add the workers' heartbeat ${link("feat: add the workers' heartbeat")}`);
    assert.ok(list.includes(`- chore(deps): bump yaml to 2.9.1 ${link("chore(deps): bump yaml to 2.9.1")}`));
    assert.match(md, /### Authors\n\nAlice Archer \(2\), Bob Baker \(5\), Carol Chen \(2\), Dave Diaz \(2\)\n$/);
  });

  it("off: no commits, only the configured breaking changes, or nothing", () => {
    const release = h.tag("v0.2.0");
    const history = readHistory(h.dir, release, "tag");
    assert.equal(
      renderChangelog(history, options(release, { style: "off" })),
      "### Breaking changes\n\n- The planner API moved to /v2.\n",
    );
    assert.equal(renderChangelog(history, options(release, { style: "off", breakingChanges: [] })), "");
  });

  it("a template replaces the rendering, each placeholder a Markdown list", () => {
    const release = h.tag("v0.2.0");
    const template = [
      "# SPLAI {{version}}, since {{ previousTag }}",
      "## Breaks",
      "{{breaking}}",
      "## New",
      "{{features}}",
      "## Fixed",
      "{{fixes}}",
      "## Faster",
      "{{performance}}",
      "## Rest",
      "{{others}}",
      "## All",
      "{{commits}}",
      "## Thanks",
      "{{authors}}",
    ].join("\n");
    const md = renderChangelog(readHistory(h.dir, release, "tag"), options(release, { template }));
    const section = (title: string): string[] => {
      const rest = md.slice(md.indexOf(`## ${title}\n`) + title.length + 4);
      return rest.slice(0, rest.includes("\n## ") ? rest.indexOf("\n## ") : undefined).split("\n");
    };
    assert.match(md, /^# SPLAI 0\.2\.0, since v0\.1\.0\n/);
    assert.equal(section("Breaks").length, 3);
    assert.deepEqual(section("New"), [
      `- add the workers' heartbeat ${link("feat: add the workers' heartbeat")}`,
      `- **api:** serve the planner under /v2 ${link("feat(api)!: serve the planner under /v2")}`,
      `- **metrics:** export the queue depth ${link("feat(metrics): export the queue depth")}`,
    ]);
    assert.equal(section("Fixed").length, 3);
    assert.deepEqual(section("Faster"), [`- cache the plan lookups ${link("perf: cache the plan lookups")}`]);
    assert.equal(section("Rest").length, 4);
    assert.equal(section("All").length, 11);
    assert.deepEqual(section("Thanks"), [
      "- Alice Archer (2)",
      "- Bob Baker (5)",
      "- Carol Chen (2)",
      "- Dave Diaz (2)",
    ]);
    assert.doesNotMatch(md, /\{\{|## Changelog/);
    const first = renderChangelog(readHistory(h.dir, h.tag("v0.1.0"), "tag"), options(h.tag("v0.1.0"), { template }));
    assert.match(first, /^# SPLAI 0\.2\.0, since \n/, "a first release has no previous tag");
    assert.match(first, /## Fixed\n\n## Faster/, "an empty list is empty");
  });

  it("finds the placeholders a template must not use", () => {
    assert.deepEqual(unknownPlaceholders("{{version}} {{ features }} {{feature}} {{ a b }} {{feature}}"), [
      "feature",
      "a b",
    ]);
  });

  it("cuts a changelog over the limit at a whole line, pointing at the full list", () => {
    const release = h.tag("v0.2.0");
    const history = readHistory(h.dir, release, "tag");
    const whole = renderChangelog(history, options(release));
    const md = renderChangelog(history, options(release, { maxChars: 900 }));
    assert.ok(md.length <= 900, `${md.length} characters`);
    const more = Number(/\((\d+) more lines\)/.exec(md)?.[1]);
    const kept = md.split("\n").length - 3;
    assert.equal(kept + more, whole.split("\n").length, "the count of lines left out");
    assert.ok(whole.startsWith(md.split("\n").slice(0, kept).join("\n")), "what is kept is unchanged");
    assert.ok(
      md.endsWith(
        `\n\n_The changelog is cut here (${more} more lines); the full list: ${URL}/compare/v0.1.0...${release}_\n`,
      ),
    );
    for (const line of md.split("\n").filter((l) => l.startsWith("- ")))
      assert.match(line, /\)\)$|^- The planner/, "no entry is cut in the middle");
  });

  it("says why when git cannot list the commits, and still lists the configured breaking changes", () => {
    const none = tempDir("splai-nogit-");
    const notRepo = readHistory(none, "0123456", "branch");
    assert.match(notRepo.problem ?? "", /^The source tree .* is not a git repository .*; release from a git checkout$/);
    const md = renderChangelog(notRepo, options("0123456"));
    assert.match(
      md,
      /^## Changelog\n\n_The source tree .* is not a git repository .*\._\n\n### Breaking changes\n\n- The planner API/,
    );
    const unknown = readHistory(h.dir, "0123456789abcdef0123456789abcdef01234567", "tag");
    assert.match(
      unknown.problem ?? "",
      /^Commit 0123456789abcdef0123456789abcdef01234567 is not in the git history of /,
    );
    assert.deepEqual(unknown.commits, []);
  });

  it("warns that a shallow clone without a release tag may miss commits", () => {
    const shallow = join(tempDir("splai-shallow-"), "clone");
    execFileSync("git", ["clone", "-q", "--depth", "1", `file://${h.dir}`, shallow], { stdio: "ignore" });
    const r: History = readHistory(shallow, h.git("rev-parse", "HEAD"), "branch");
    assert.deepEqual(
      r.commits.map((c) => c.subject),
      ["fix: handle an empty plan"],
    );
    assert.match(r.problem ?? "", /shallow clone without an earlier release tag, so the list may miss commits; fetch/);
  });
});
