// What users download, end to end on the fixture with GitHub's immutable releases on: archives and packages, the
// Homebrew formula in the tap, the changelog, and a release that is a draft until every asset is attached — also when
// an upload dies in the middle.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertDownloads, assertGithubRelease, type Versions } from "../support/release-checks";
import { repoRoot } from "../../tools/lib/paths";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

interface Logged {
  seq: number;
  method: string;
  path: string;
  status: number;
  fault: boolean;
}
interface Asset {
  id: number;
  name: string;
  digest: string;
  browser_download_url: string;
}
interface Release {
  id: number;
  tag_name: string;
  draft: boolean;
  immutable?: boolean;
  body: string;
  upload_url: string;
}

describe("downloads: archives, packages, Homebrew, changelog, draft-then-publish", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let out: OutputMap;
  // A minor of its own per run: immutable releases never give a tag back, and the emulator's state outlives a run.
  const minor = Math.floor(Date.now() / 1000) % 1_000_000;
  const previous = `v0.${minor}.0`;
  const tag = `v0.${minor}.1`;
  const repo = (): string => `${p.state.github.owner}/${p.state.github.repo}`;
  const tap = (): string => `${p.state.github.owner}/homebrew-tap`;
  const log = (s: string): boolean => process.stderr.write(s);
  const requests = async (): Promise<Logged[]> => (await p.emulator("requests")) as Logged[];
  /** The release of `tag`, drafts included (the tag lookup does not show drafts). */
  const releaseOf = async (): Promise<Release | undefined> =>
    ((await (await p.github(`repos/${repo()}/releases?per_page=100`)).json()) as Release[]).find(
      (r) => r.tag_name === tag,
    );
  const assetsOf = async (id: number): Promise<Asset[]> =>
    (await (await p.github(`repos/${repo()}/releases/${id}/assets?per_page=100`)).json()) as Asset[];
  const setImmutable = async (on: boolean): Promise<void> => {
    const r = await fetch(new URL(`_emulator/repos/${repo()}`, p.state.github.url), {
      method: "PATCH",
      body: JSON.stringify({ immutable_releases: on }),
      headers: { "content-type": "application/json" },
    });
    assert.equal(r.status, 200, `immutable releases ${on ? "on" : "off"}: ${await r.text()}`);
  };

  before(async () => {
    p = platform();
    await p.emulator("faults", "DELETE");
    await setImmutable(true);
    proj = await releaseProject(p, {
      config: { "splai-release:mode": { value: "auto" }, "splai-release:githubRelease": { value: "auto" } },
    });
    // A history with every kind of commit since the previous release tag, by two authors.
    const commit = (file: string, subject: string, author = "Ada <ada@example.invalid>", body?: string): string => {
      writeFileSync(join(proj.source, file), `${subject}\n`);
      proj.git("add", file);
      proj.git("commit", "-q", "--author", author, "-m", subject, ...(body ? ["-m", body] : []));
      return proj.git("rev-parse", "HEAD");
    };
    proj.git("tag", previous);
    commit("queue.txt", "feat(scheduler): priority queues");
    commit("lease.txt", "fix: retry a lost lease", "Bo <bo@example.invalid>");
    commit("plan.txt", "perf(planner): cache compiled plans");
    commit("notes.txt", "tidy the release notes");
    commit("api.txt", "feat(api)!: drop the v1 submit endpoint");
    commit(
      "store.txt",
      "fix: store keys are case-sensitive",
      "Bo <bo@example.invalid>",
      "BREAKING CHANGE: keys differ by case",
    );
    proj.git("checkout", "-q", "-b", "feature/metrics");
    commit("metrics.txt", "feat: export queue metrics");
    proj.git("checkout", "-q", "main");
    proj.git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature/metrics'", "feature/metrics");
    commit("flag.txt", "feat: an experimental flag");
    proj.git("revert", "--no-edit", "HEAD");
    proj.git("tag", tag);
  });
  after(async () => {
    await p.emulator("faults", "DELETE").catch(() => undefined);
    await proj?.cleanup();
    await setImmutable(false).catch(() => undefined);
  });

  it("an upload killed at the fourth asset fails the update and leaves a draft nobody can download", async () => {
    await p.emulator("requests", "DELETE");
    await p.emulator("faults", "POST", { drop: true, method: "POST", match: "/assets", after: 3, count: 1 });
    const err = await proj.stack.up({ onOutput: log }).then(
      () => assert.fail("up succeeded with a dropped upload"),
      (e: Error) => e.message,
    );
    assert.match(err, /github-assets/);
    const draft = await releaseOf();
    assert.ok(draft, "the release exists");
    assert.equal(draft.draft, true, "still a draft");
    assert.equal((await assetsOf(draft.id)).length, 3, "the three uploads before the killed one");
    assert.equal((await p.github(`repos/${repo()}/releases/tags/${tag}`)).status, 404, "not visible by its tag");
  });

  it("the rerun completes the draft, uploading nothing twice, and publishes it last", async () => {
    const up = await proj.stack.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    out = up.outputs;
    const rel = await releaseOf();
    assert.ok(rel);
    assert.equal(rel.draft, false);
    assert.equal(rel.immutable, true, "published while the repository has immutable releases on");
    const log2 = await requests();
    const uploads = log2.filter((r) => r.method === "POST" && r.path.endsWith("/assets") && r.status === 201);
    const assets = await assetsOf(rel.id);
    const released = (out.releaseChecksums.value as string).trim().split("\n").length + 1;
    assert.equal(assets.length, released, "every file and SHA256SUMS");
    assert.equal(uploads.length, released, `each asset uploaded once in all (3 before the fault + ${released - 3})`);
    // Order: created (as a draft), every upload, then the one PATCH that publishes it.
    const created = log2.findIndex((r) => r.method === "POST" && r.path.endsWith(`/repos/${repo()}/releases`));
    const publish = log2.findIndex((r) => r.method === "PATCH" && r.path.includes(`/releases/${rel.id}`));
    const lastUpload = Math.max(...uploads.map((u) => log2.indexOf(u)));
    assert.ok(created >= 0 && created < log2.indexOf(uploads[0]), "the release was created before any upload");
    assert.ok(publish > lastUpload, "published after the last upload");
    await assertGithubRelease(p, proj, out, false);
  });

  it("the published release is immutable: GitHub refuses new and deleted assets", async () => {
    const rel = (await releaseOf())!;
    const upload = await fetch(`${rel.upload_url.replace(/\{.*$/, "")}?name=late.txt`, {
      method: "POST",
      body: "late",
      headers: { authorization: `Bearer ${p.state.github.token}`, "content-type": "text/plain" },
    });
    assert.equal(upload.status, 422);
    assert.match(await upload.text(), /Cannot upload assets to an immutable release/);
    const first = (await assetsOf(rel.id))[0];
    const del = await p.github(`repos/${repo()}/releases/assets/${first.id}`, { method: "DELETE" });
    assert.equal(del.status, 422);
  });

  it("archives and deb, rpm and apk packages, read by their own tools; the deb's splaictl prints the version", () => {
    assertDownloads(proj, out, true);
    assert.equal((out.versions.value as Versions).app, tag.slice(1));
  });

  it("the tap's formula points at the released archives by url and sha256, and Ruby parses it", async () => {
    const r = await p.github(`repos/${tap()}/contents/Formula/splaictl.rb?ref=main`, {
      headers: { accept: "application/vnd.github.raw+json" },
    });
    assert.equal(r.status, 200);
    const formula = await r.text();
    assert.equal(formula, out.homebrewFormula.value);
    const rel = (await releaseOf())!;
    const assets = await assetsOf(rel.id);
    const pairs = [...formula.matchAll(/url "([^"]+)"\s+sha256 "([0-9a-f]{64})"/g)].map((m) => [m[1], m[2]]);
    assert.equal(pairs.length, 3, "darwin/arm64, linux/amd64, linux/arm64");
    for (const [url, sum] of pairs) {
      const asset = assets.find((a) => a.browser_download_url === url);
      assert.ok(asset, `${url} is a released asset`);
      assert.equal(asset.digest, `sha256:${sum}`, url);
      assert.match(asset.name, /^splai_.*_(darwin_arm64|linux_amd64|linux_arm64)\.tar\.gz$/);
    }
    assert.match(formula, new RegExp(`version "${tag.slice(1).replace(/\./g, "\\.")}"`));
    const dir = mkdtempSync(join(tmpdir(), "formula-"));
    try {
      writeFileSync(join(dir, "splaictl.rb"), formula);
      assert.match(execFileSync("ruby", ["-c", join(dir, "splaictl.rb")], { encoding: "utf8" }), /Syntax OK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the notes' changelog groups the commits since the previous tag, with links and authors", async () => {
    const body = (await releaseOf())!.body;
    // Kept for docs/downloads.md, which shows a release page as a user sees it.
    mkdirSync(join(repoRoot, ".state", "examples"), { recursive: true });
    writeFileSync(join(repoRoot, ".state", "examples", "release-notes.md"), body);
    const section = (title: string): string => {
      const m = new RegExp(`### ${title}\\n\\n([\\s\\S]*?)(?=\\n### |\\n## |$)`).exec(body);
      assert.ok(m, `a ${title} section in\n${body}`);
      return m[1];
    };
    assert.match(body, new RegExp(`Changes since \`${previous.replace(/\./g, "\\.")}\``));
    assert.match(section("Breaking changes"), /drop the v1 submit endpoint/);
    assert.match(section("Breaking changes"), /keys differ by case/);
    assert.match(section("Features"), /priority queues/);
    assert.match(section("Features"), /export queue metrics/, "the merged branch's commit");
    assert.match(section("Fixes"), /retry a lost lease/);
    assert.match(section("Performance"), /cache compiled plans/);
    assert.match(section("Others"), /tidy the release notes/);
    assert.doesNotMatch(body, /experimental flag/, "a commit and its revert cancel out");
    assert.doesNotMatch(body, /Merge branch/, "merge commits are left out");
    const sha = proj.git("log", "-1", "--format=%H", "--grep=priority queues");
    // Links are on the repository's web address: the emulator's, as GitHub Enterprise's would be.
    assert.ok(body.includes(`${p.state.github.url}${repo()}/commit/${sha}`), "entries link their commit");
    assert.match(section("Authors"), /Ada \(\d+\).*Bo \(2\)|Bo \(2\).*Ada \(\d+\)/);
  });

  it("a second build of the same commit gives byte-identical binaries, archives and packages", async () => {
    const again = await proj.addStack(`${proj.id}-again`, {
      "splai-release:mode": { value: "auto" },
      "splai-release:distDir": { value: join(proj.dir, "dist", "again") },
      "splai-release:deploy": { value: "false" },
      "splai-release:githubRelease": { value: "false" },
      "splai-release:homebrewTap": { value: "none" },
    });
    const up = await again.up({ onOutput: log });
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.releaseChecksums.value, out.releaseChecksums.value);
  });
});
