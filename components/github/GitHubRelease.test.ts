// GitHubRelease on its own under mocks: provider with the token secret, the Release, the github-assets step, outputs.
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { programRoot, stepRun } from "../../shared/step/command";
import { inPlaintext, isSecret, unsecret, valueOf, withMocks, type MockMonitor } from "../../test/support/mocks";
import { githubChildren, SYNC_ASSETS, type ReleaseAsset } from "./contract";
import { GitHubRelease, type GitHubReleaseArgs } from "./GitHubRelease";

const CMD = "command:local:Command";
const RELEASE = "github:index/release:Release";
const PROVIDER = "pulumi:providers:github";
const TOKEN = "s3cret-token";
const SHA = "0123456789abcdef0123456789abcdef01234567";
const FILES = ["/dist/splaictl-linux-amd64", "/dist/splai-planner-linux-arm64", "/dist/SHA256SUMS"];
const SUMS = `${"1".repeat(64)}  splaictl-linux-amd64\n${"2".repeat(64)}  splai-planner-linux-arm64\n`;
const ASSETS: ReleaseAsset[] = FILES.map((f, i) => ({
  name: f.split("/").pop()!,
  id: 500 + i,
  size: 1000 + i,
  sha256: String(i + 1).repeat(64),
  url: `https://ghe.example/api/v3/repos/splai/splai/releases/assets/${500 + i}`,
}));

let monitor: MockMonitor;
let release: GitHubRelease;
let branch: GitHubRelease;

const base = (): GitHubReleaseArgs => ({
  owner: "splai",
  repository: "splai",
  token: TOKEN,
  tag: "v1.2.3",
  commit: SHA,
  title: "SPLAI v1.2.3",
  notes: pulumi.output("## Images\n\n- planner\n"),
  prerelease: false,
  assets: pulumi.output(FILES),
  assetChecksums: pulumi.output(SUMS),
});

before(async () => {
  const ambient = process.env.GITHUB_BASE_URL;
  delete process.env.GITHUB_BASE_URL;
  try {
    ({ monitor, value: release } = await withMocks(
      ({ type, name }) => {
        if (type === RELEASE)
          return {
            releaseId: name.startsWith("github-") ? 101 : 7,
            htmlUrl: `https://ghe.example/splai/splai/${name}`,
          };
        if (type === CMD && name.endsWith("-publish"))
          return {
            stdout: `${JSON.stringify({
              url: `https://ghe.example/splai/splai/releases/tag/${name}`,
              downloads: Object.fromEntries(ASSETS.map((a) => [a.name, `https://ghe.example/dl/v1.2.3/${a.name}`])),
            })}\n`,
          };
        if (type === CMD) return { stdout: `uploaded 3\n${JSON.stringify(ASSETS)}\n` };
        return undefined;
      },
      () => {
        const tagRelease = new GitHubRelease("github", {
          ...base(),
          baseUrl: "https://ghe.example/api/v3/",
          retainOnDelete: true,
        });
        branch = new GitHubRelease("branch", { ...base(), tag: "v0.0.0-main-0123456", prerelease: true });
        // The provider alone reads GITHUB_BASE_URL; see the `todo` below.
        process.env.GITHUB_BASE_URL = "https://ghe.example/api/v3/";
        new GitHubRelease("ambient", base());
        return tagRelease;
      },
    ));
  } finally {
    if (ambient === undefined) delete process.env.GITHUB_BASE_URL;
    else process.env.GITHUB_BASE_URL = ambient;
  }
  await Promise.all([valueOf(release.assets), valueOf(branch.assets)]);
});

const releaseOf = (name: string) => monitor.find(RELEASE, githubChildren(name).release);
const providerOf = (name: string) => monitor.find(PROVIDER, githubChildren(name).provider);
const assetsOf = (name: string) => monitor.find(CMD, githubChildren(name).assets);
const envOf = (name: string) => unsecret<Record<string, unknown>>(assetsOf(name).inputs.environment);

describe("GitHubRelease", () => {
  it("talks to GitHub through its own provider for the owner and API, the token secret", async () => {
    const provider = providerOf("github");
    assert.equal(provider.inputs.owner, "splai");
    assert.equal(provider.inputs.baseUrl, "https://ghe.example/api/v3/");
    assert.ok(isSecret(provider.inputs.token));
    assert.equal(unsecret(provider.inputs.token), TOKEN);
    const used = monitor.optionsOf(releaseOf("github")).provider as github.Provider;
    assert.equal((await valueOf(used.urn)).split("::").pop(), githubChildren("github").provider);
  });

  it("creates the release of the tag at the commit, with its title and notes, as a draft published only later", () => {
    const rel = releaseOf("github").inputs;
    assert.deepEqual(
      {
        repository: rel.repository,
        tagName: rel.tagName,
        targetCommitish: rel.targetCommitish,
        name: rel.name,
        body: rel.body,
        draft: rel.draft,
        prerelease: rel.prerelease,
      },
      {
        repository: "splai",
        tagName: "v1.2.3",
        targetCommitish: SHA,
        name: "SPLAI v1.2.3",
        body: "## Images\n\n- planner\n",
        draft: true,
        prerelease: false,
      },
    );
    // Once published it is never made a draft again: the provider's updates (which send `draft` from its state) are
    // never made; title, notes and prerelease change through the publish step.
    assert.deepEqual(monitor.optionsOf(releaseOf("github")).ignoreChanges, ["draft", "name", "body", "prerelease"]);
    assert.equal(releaseOf("branch").inputs.prerelease, true);
    assert.equal(releaseOf("branch").inputs.tagName, "v0.0.0-main-0123456");
  });

  it("keeps a published release on GitHub when asked, and not by default", () => {
    assert.equal(monitor.optionsOf(releaseOf("github")).retainOnDelete, true);
    assert.notEqual(monitor.optionsOf(releaseOf("branch")).retainOnDelete, true);
  });

  it("runs the github-assets step by its stable name with the contract's fields, one asset path per line", () => {
    const assets = assetsOf("github");
    assert.equal(assets.inputs.create, stepRun(SYNC_ASSETS.name));
    assert.equal(assets.inputs.create, "node --use-openssl-ca step.js github-assets");
    assert.equal(assets.inputs.dir, programRoot);
    const env = envOf("github");
    assert.deepEqual(
      { ...env, GITHUB_TOKEN: unsecret(env.GITHUB_TOKEN) },
      {
        GITHUB_BASE_URL: "https://ghe.example/api/v3/",
        GITHUB_TOKEN: TOKEN,
        GITHUB_OWNER: "splai",
        GITHUB_REPO: "splai",
        RELEASE_ID: "101",
        ASSET_FILES: FILES.join("\n"),
      },
    );
    assert.equal(envOf("branch").GITHUB_BASE_URL, "https://api.github.com/");
  });

  it("keeps the token inside a secret everywhere", () => {
    for (const name of ["github", "branch"]) {
      const raw = assetsOf(name).inputs.environment;
      assert.ok(isSecret(raw) || isSecret(unsecret<Record<string, unknown>>(raw).GITHUB_TOKEN), name);
    }
    for (const r of monitor.resources) assert.equal(inPlaintext(r.inputs, TOKEN), false, `${r.type} '${r.name}'`);
  });

  it("uploads again exactly when the release or the checksums of the assets change", () => {
    assert.deepEqual(assetsOf("github").inputs.triggers, ["101", SUMS]);
    assert.deepEqual(assetsOf("branch").inputs.triggers, ["7", SUMS]);
  });

  it("uploads the assets to the API the release was created through", () => {
    assert.equal(envOf("ambient").GITHUB_BASE_URL, providerOf("ambient").inputs.baseUrl);
  });

  it("publishes the draft with the github-publish step only after every asset is attached", () => {
    const publish = monitor.find(CMD, githubChildren("github").publish);
    assert.equal(publish.inputs.create, "node --use-openssl-ca step.js github-publish");
    const env = unsecret<Record<string, unknown>>(publish.inputs.environment);
    assert.equal(env.RELEASE_ID, "101");
    assert.equal(env.GITHUB_BASE_URL, "https://ghe.example/api/v3/");
    assert.equal(env.TITLE, "SPLAI v1.2.3");
    assert.equal(env.NOTES, "## Images\n\n- planner\n");
    assert.equal(env.PRERELEASE, "false");
    assert.deepEqual(publish.inputs.triggers, ["101"]);
    const after = monitor.optionsOf(publish).dependsOn as pulumi.Resource[];
    assert.ok(Array.isArray(after) && after.length === 1, "it waits for the asset upload");
  });

  it("exposes the published release's URL and id, the uploaded assets, and is the parent of what it creates", async () => {
    assert.equal(await valueOf(release.url), "https://ghe.example/splai/splai/releases/tag/github-publish");
    assert.equal(await valueOf(release.releaseId), "101");
    assert.deepEqual(
      await valueOf(release.assets),
      ASSETS.map((a) => ({ ...a, url: `https://ghe.example/dl/v1.2.3/${a.name}` })),
      "the uploaded assets, at their download URLs as published",
    );
    for (const r of [providerOf("github"), releaseOf("github"), assetsOf("github")])
      assert.equal(monitor.optionsOf(r).parent, release, r.name);
  });
});
