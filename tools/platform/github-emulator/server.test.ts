// Tests for the loopback GitHub REST emulator that integration tests put in place of api.github.com.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { blobSha, commitSha, lineStats, treeSha, wrappedBase64 } from "./git";
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from "./server";

const TOKEN = "ghp_emulatortesttoken000000000000000000";
const RO_TOKEN = "ghp_readonlytesttoken00000000000000000";
const REPO = "splai/splai";
const TAP = "splai/homebrew-tap";

interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
  bytes: Buffer;
}

interface Release {
  id: number;
  node_id: string;
  tag_name: string;
  target_commitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  html_url: string;
  url: string;
  upload_url: string;
  assets_url: string;
  tarball_url: string | null;
  zipball_url: string | null;
  created_at: string;
  published_at: string | null;
  assets: Asset[];
}

interface Asset {
  id: number;
  name: string;
  label: string | null;
  size: number;
  content_type: string;
  url: string;
  browser_download_url: string;
  download_count: number;
  digest: string;
}

interface ErrorBody {
  message: string;
  documentation_url?: string;
  errors?: { resource: string; code: string; field?: string; message?: string }[];
}

interface ContentFile {
  name: string;
  path: string;
  sha: string;
  size: number;
  url: string;
  html_url: string;
  git_url: string;
  download_url: string | null;
  type: "file" | "dir";
  content?: string;
  encoding?: string;
}

interface GitPersonJson {
  name: string;
  email: string;
  date: string;
}

interface GitCommit {
  sha: string;
  message: string;
  author: GitPersonJson;
  committer: GitPersonJson;
  tree: { sha: string };
  parents: { sha: string }[];
  verification: { verified: boolean; reason: string };
}

interface ContentResponse {
  content: ContentFile | null;
  commit: GitCommit;
}

interface RepoCommit {
  sha: string;
  commit: { message: string; author: GitPersonJson; committer: GitPersonJson; tree: { sha: string } };
  author: { login: string } | null;
  committer: { login: string } | null;
  parents: { sha: string }[];
  stats?: { total: number; additions: number; deletions: number };
  files?: { filename: string; status: string; sha: string; additions: number; deletions: number; changes: number }[];
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gh-emulator-"));
  cleanups.unshift(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function start(overrides: Partial<GitHubEmulatorOptions> = {}): Promise<GitHubEmulator> {
  const emulator = await startGitHubEmulator({
    port: 0,
    stateDir: overrides.stateDir ?? tempDir(),
    tokens: [{ value: TOKEN }, { value: RO_TOKEN, readOnly: true }],
    repos: [REPO],
    ...overrides,
  });
  cleanups.push(() => emulator.close());
  return emulator;
}

async function call(
  emu: GitHubEmulator,
  path: string,
  opts: { method?: string; token?: string | null; body?: unknown; raw?: Buffer; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { Accept: "application/vnd.github+json", ...opts.headers };
  const token = opts.token === undefined ? TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | Uint8Array<ArrayBuffer> | undefined;
  // fetch's typings want a plain ArrayBuffer-backed view, which a pooled Buffer is not.
  if (opts.raw !== undefined) body = new Uint8Array(opts.raw);
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(new URL(path.replace(/^\//, ""), emu.url), { method: opts.method ?? "GET", headers, body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const isJson = (res.headers.get("content-type") ?? "").startsWith("application/json");
  return {
    status: res.status,
    headers: res.headers,
    json: isJson ? JSON.parse(bytes.toString("utf8")) : undefined,
    bytes,
  };
}

async function createRelease(emu: GitHubEmulator, body: Record<string, unknown>): Promise<Release> {
  const r = await call(emu, `/api/v3/repos/${REPO}/releases`, { method: "POST", body });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json as Release;
}

/** Uploads the way go-github does: to the release's upload_url template with name/label in the query. */
async function upload(
  emu: GitHubEmulator,
  release: Release,
  name: string,
  data: Buffer,
  contentType = "application/gzip",
  label?: string,
): Promise<Reply> {
  const target = new URL(release.upload_url.replace(/\{\?name,label\}$/, ""));
  target.searchParams.set("name", name);
  if (label !== undefined) target.searchParams.set("label", label);
  return call(emu, target.pathname + target.search, {
    method: "POST",
    raw: data,
    headers: { "Content-Type": contentType },
  });
}

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

function b64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** PUT contents with the body go-github's CreateFile/UpdateFile sends for github_repository_file. */
async function putFile(
  emu: GitHubEmulator,
  repo: string,
  path: string,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<Reply> {
  return call(emu, `/api/v3/repos/${repo}/contents/${path}`, {
    method: "PUT",
    body: { message: `Add ${path}`, content: b64(text), branch: "main", ...extra },
  });
}

/** The request log as `METHOD path status` lines, the way the sequences below are written down. */
async function requestLog(emu: GitHubEmulator): Promise<string[]> {
  const log = (await call(emu, "/_emulator/requests", { token: null })).json as {
    method: string;
    path: string;
    status: number;
  }[];
  return log.map((e) => `${e.method} ${e.path} ${e.status}`);
}

async function clearLog(emu: GitHubEmulator): Promise<void> {
  assert.equal((await call(emu, "/_emulator/requests", { method: "DELETE", token: null })).status, 204);
}

async function adminRepo(emu: GitHubEmulator, repo: string, patch?: unknown): Promise<Reply> {
  return call(emu, `/_emulator/repos/${repo}`, {
    method: patch === undefined ? "GET" : "PATCH",
    token: null,
    body: patch,
  });
}

describe("github emulator: auth and owners", () => {
  it("answers 401 without a token and with a bad one, and names the token's user on GET /user", async () => {
    const emu = await start();
    const missing = await call(emu, "/api/v3/user", { token: null });
    assert.equal(missing.status, 401);
    assert.equal((missing.json as ErrorBody).message, "Requires authentication");

    const bad = await call(emu, `/api/v3/repos/${REPO}`, { token: "ghp_wrong" });
    assert.equal(bad.status, 401);
    assert.equal((bad.json as ErrorBody).message, "Bad credentials");

    const ok = await call(emu, "/api/v3/user");
    assert.equal(ok.status, 200);
    assert.deepEqual(
      { login: (ok.json as { login: string }).login, type: (ok.json as { type: string }).type },
      { login: "splai", type: "User" },
    );

    const viaTokenScheme = await call(emu, "/api/v3/user", {
      token: null,
      headers: { Authorization: `token ${TOKEN}` },
    });
    assert.equal(viaTokenScheme.status, 200);
  });

  it("answers GET /orgs/{user} with 404 like GitHub, and serves organisations and /users/{login}", async () => {
    const emu = await start({ repos: [REPO, "acme/tools"], owners: [{ login: "acme", type: "Organization" }] });
    assert.equal((await call(emu, "/api/v3/orgs/splai")).status, 404);

    const org = await call(emu, "/api/v3/orgs/acme");
    assert.equal(org.status, 200);
    assert.equal((org.json as { login: string; type: string }).type, "Organization");
    assert.ok((org.json as { id: number }).id > 0);

    const user = await call(emu, "/api/v3/users/splai");
    assert.equal((user.json as { type: string }).type, "User");
    const orgAsUser = await call(emu, "/api/v3/users/acme");
    assert.equal((orgAsUser.json as { type: string }).type, "Organization");
    assert.equal((await call(emu, "/api/v3/users/nobody-here")).status, 404);
  });

  it("serves a read-only token for reads but answers 403 on every write", async () => {
    const emu = await start();
    const published = await createRelease(emu, { tag_name: "v0.1.0" });
    const read = await call(emu, `/api/v3/repos/${REPO}/releases/${published.id}`, { token: RO_TOKEN });
    assert.equal(read.status, 200);

    const write = await call(emu, `/api/v3/repos/${REPO}/releases`, {
      method: "POST",
      token: RO_TOKEN,
      body: { tag_name: "v9.9.9" },
    });
    assert.equal(write.status, 403);
    assert.equal((write.json as ErrorBody).message, "Resource not accessible by personal access token");
    const del = await call(emu, `/api/v3/repos/${REPO}/releases/${published.id}`, {
      method: "DELETE",
      token: RO_TOKEN,
    });
    assert.equal(del.status, 403);
    assert.equal(
      (await call(emu, `/api/v3/repos/${REPO}/releases/${published.id}`)).status,
      200,
      "the release survived the refused delete",
    );
  });
});

describe("github emulator: repositories", () => {
  it("answers 404 Not Found for an unknown repository, with and without the /api/v3 prefix", async () => {
    const emu = await start();
    for (const prefix of ["/api/v3", ""]) {
      const r = await call(emu, `${prefix}/repos/splai/nope`);
      assert.equal(r.status, 404);
      assert.equal((r.json as ErrorBody).message, "Not Found");
      assert.equal((await call(emu, `${prefix}/repos/nobody/splai/releases`)).status, 404);
    }
  });

  it("describes a declared repository with the fields the provider's data source reads, case-insensitively", async () => {
    const emu = await start();
    const r = await call(emu, "/api/v3/repos/SPLAI/Splai");
    assert.equal(r.status, 200);
    const repo = r.json as Record<string, unknown>;
    assert.equal(repo.full_name, "splai/splai");
    assert.equal(repo.default_branch, "main");
    assert.equal(repo.has_pages, false);
    assert.equal(repo.license, null);
    assert.equal(repo.visibility, "public");
    assert.deepEqual(repo.topics, []);
    assert.match(String(repo.node_id), /^R_/);
    assert.equal(r.headers.get("content-type"), "application/json; charset=utf-8");
    assert.equal(r.headers.get("x-github-media-type"), "github.v3; format=json");
    assert.equal(r.headers.get("x-ratelimit-limit"), "5000");
    assert.ok(Number(r.headers.get("x-ratelimit-remaining")) < 5000);

    const etag = r.headers.get("etag");
    assert.ok(etag !== null);
    const again = await call(emu, "/api/v3/repos/splai/splai", { headers: { "If-None-Match": etag } });
    assert.equal(again.status, 304, "a stored ETag replays as 304 Not Modified");
  });
});

describe("github emulator: releases", () => {
  it("creates, reads by id and by tag, lists, updates and deletes a release", async () => {
    const emu = await start();
    const created = await call(emu, `/api/v3/repos/${REPO}/releases`, {
      method: "POST",
      body: {
        tag_name: "v1.2.3",
        target_commitish: "main",
        name: "SPLAI v1.2.3",
        body: "notes",
        draft: false,
        prerelease: false,
        make_latest: "true",
        generate_release_notes: false,
      },
    });
    assert.equal(created.status, 201);
    const rel = created.json as Release;
    assert.equal(created.headers.get("location"), rel.url);
    assert.equal(rel.tag_name, "v1.2.3");
    assert.equal(rel.name, "SPLAI v1.2.3");
    assert.equal(rel.body, "notes");
    assert.equal(rel.draft, false);
    assert.equal(rel.prerelease, false);
    assert.match(rel.node_id, /^RE_/);
    assert.ok(rel.published_at !== null);
    assert.equal(rel.html_url, `${emu.url}splai/splai/releases/tag/v1.2.3`);
    assert.equal(rel.upload_url, `${emu.url}api/uploads/repos/splai/splai/releases/${rel.id}/assets{?name,label}`);
    assert.equal(rel.tarball_url, `${emu.url}api/v3/repos/splai/splai/tarball/v1.2.3`);
    assert.equal(rel.zipball_url, `${emu.url}api/v3/repos/splai/splai/zipball/v1.2.3`);
    assert.match(rel.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    const byId = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`);
    assert.equal(byId.status, 200);
    assert.equal((byId.json as Release).id, rel.id);
    const withoutPrefix = await call(emu, `/repos/${REPO}/releases/${rel.id}`);
    assert.equal((withoutPrefix.json as Release).id, rel.id);

    const byTag = await call(emu, `/api/v3/repos/${REPO}/releases/tags/v1.2.3`);
    assert.equal((byTag.json as Release).id, rel.id);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/tags/v0.0.0`)).status, 404);

    const latest = await call(emu, `/api/v3/repos/${REPO}/releases/latest`);
    assert.equal((latest.json as Release).id, rel.id);

    const list = await call(emu, `/api/v3/repos/${REPO}/releases`);
    assert.deepEqual(
      (list.json as Release[]).map((r) => r.id),
      [rel.id],
    );

    const patched = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, {
      method: "PATCH",
      body: { name: "renamed", body: "new notes", prerelease: true },
    });
    assert.equal(patched.status, 200);
    const after = (await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).json as Release;
    assert.deepEqual(
      { name: after.name, body: after.body, prerelease: after.prerelease, tag: after.tag_name },
      { name: "renamed", body: "new notes", prerelease: true, tag: "v1.2.3" },
    );
    assert.equal(
      (await call(emu, `/api/v3/repos/${REPO}/releases/latest`)).status,
      404,
      "a prerelease is never the latest release",
    );

    const del = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, { method: "DELETE" });
    assert.equal(del.status, 204);
    assert.equal(del.bytes.length, 0);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).status, 404);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, { method: "DELETE" })).status, 404);
  });

  it("answers 422 already_exists for a second published release with the same tag, while drafts may share it", async () => {
    const emu = await start();
    await createRelease(emu, { tag_name: "v2.0.0" });
    const dup = await call(emu, `/api/v3/repos/${REPO}/releases`, { method: "POST", body: { tag_name: "v2.0.0" } });
    assert.equal(dup.status, 422);
    const err = dup.json as ErrorBody;
    assert.equal(err.message, "Validation Failed");
    assert.deepEqual(err.errors, [{ resource: "Release", code: "already_exists", field: "tag_name" }]);

    const draft = await createRelease(emu, { tag_name: "v2.0.0", draft: true });
    assert.equal(draft.published_at, null);
    assert.match(draft.html_url, /\/releases\/tag\/untagged-[0-9a-f]+$/);
    const publish = await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, {
      method: "PATCH",
      body: { draft: false },
    });
    assert.equal(publish.status, 422, "publishing the draft would claim a tag that is taken");

    const missingTag = await call(emu, `/api/v3/repos/${REPO}/releases`, { method: "POST", body: { name: "no tag" } });
    assert.equal(missingTag.status, 422);
    const badType = await call(emu, `/api/v3/repos/${REPO}/releases`, {
      method: "POST",
      body: { tag_name: "v3", draft: "yes" },
    });
    assert.equal(badType.status, 422);
    assert.match((badType.json as ErrorBody).message, /draft/);
    const badJson = await call(emu, `/api/v3/repos/${REPO}/releases`, {
      method: "POST",
      raw: Buffer.from("{"),
      headers: { "Content-Type": "application/json" },
    });
    assert.equal(badJson.status, 400);
  });

  it("hides drafts from read-only tokens and from the tag lookup, and publishes them on PATCH", async () => {
    const emu = await start();
    const draft = await createRelease(emu, { tag_name: "v4.0.0", draft: true });
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, { token: RO_TOKEN })).status, 404);
    assert.equal(
      ((await call(emu, `/api/v3/repos/${REPO}/releases`, { token: RO_TOKEN })).json as Release[]).length,
      0,
    );
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/tags/v4.0.0`)).status, 404);

    const published = await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, {
      method: "PATCH",
      body: { draft: false },
    });
    assert.equal(published.status, 200);
    assert.ok((published.json as Release).published_at !== null);
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/tags/v4.0.0`)).json as Release).id, draft.id);
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/latest`)).json as Release).id, draft.id);
  });

  it("paginates the release list with per_page/page and Link headers", async () => {
    const emu = await start();
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) ids.push((await createRelease(emu, { tag_name: `v0.0.${i}` })).id);
    const newestFirst = [...ids].reverse();

    const first = await call(emu, `/api/v3/repos/${REPO}/releases?per_page=2`);
    assert.deepEqual(
      (first.json as Release[]).map((r) => r.id),
      newestFirst.slice(0, 2),
    );
    const link = first.headers.get("link") ?? "";
    assert.match(link, /<[^>]*[?&]page=2[^>]*>; rel="next"/);
    assert.match(link, /<[^>]*[?&]page=3[^>]*>; rel="last"/);
    assert.doesNotMatch(link, /rel="prev"/);

    const next = /<([^>]+)>; rel="next"/.exec(link)?.[1];
    assert.ok(next !== undefined);
    const second = await call(emu, new URL(next).pathname + new URL(next).search);
    assert.deepEqual(
      (second.json as Release[]).map((r) => r.id),
      newestFirst.slice(2, 4),
    );

    const last = await call(emu, `/api/v3/repos/${REPO}/releases?per_page=2&page=3`);
    assert.deepEqual(
      (last.json as Release[]).map((r) => r.id),
      newestFirst.slice(4),
    );
    const lastLink = last.headers.get("link") ?? "";
    assert.match(lastLink, /page=2[^>]*>; rel="prev"/);
    assert.match(lastLink, /page=1[^>]*>; rel="first"/);
    assert.doesNotMatch(lastLink, /rel="next"/);

    const all = await call(emu, `/api/v3/repos/${REPO}/releases?per_page=100`);
    assert.equal((all.json as Release[]).length, 5);
    assert.equal(all.headers.get("link"), null);
  });

  it("generates a name and changelog body when generate_release_notes is set", async () => {
    const emu = await start();
    await createRelease(emu, { tag_name: "v1.0.0" });
    const rel = await createRelease(emu, { tag_name: "v1.1.0", generate_release_notes: true, body: "Intro" });
    assert.equal(rel.name, "v1.1.0");
    assert.equal(rel.body, `Intro\n\n**Full Changelog**: ${emu.url}splai/splai/compare/v1.0.0...v1.1.0`);
  });
});

describe("github emulator: release assets", () => {
  it("uploads, lists, downloads identical bytes, refuses a duplicate name and deletes an asset", async () => {
    const emu = await start();
    const rel = await createRelease(emu, { tag_name: "v5.0.0" });
    const data = randomBytes(256 * 1024 + 17);

    const up = await upload(emu, rel, "splai_linux_amd64.tar.gz", data, "application/gzip", "Linux amd64");
    assert.equal(up.status, 201, JSON.stringify(up.json));
    const asset = up.json as Asset;
    assert.equal(up.headers.get("location"), asset.url);
    assert.equal(asset.name, "splai_linux_amd64.tar.gz");
    assert.equal(asset.label, "Linux amd64");
    assert.equal(asset.size, data.length);
    assert.equal(asset.content_type, "application/gzip");
    assert.equal(asset.digest, `sha256:${sha256(data)}`);
    assert.equal(asset.browser_download_url, `${emu.url}splai/splai/releases/download/v5.0.0/splai_linux_amd64.tar.gz`);

    const listed = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}/assets`);
    assert.deepEqual(
      (listed.json as Asset[]).map((a) => a.id),
      [asset.id],
    );
    const inRelease = (await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).json as Release;
    assert.deepEqual(
      inRelease.assets.map((a) => a.name),
      ["splai_linux_amd64.tar.gz"],
    );

    const meta = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`);
    assert.equal((meta.json as Asset).id, asset.id);
    const raw = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`, {
      headers: { Accept: "application/octet-stream" },
    });
    assert.equal(raw.status, 200);
    assert.equal(sha256(raw.bytes), sha256(data));
    const browser = await fetch(asset.browser_download_url);
    assert.equal(browser.status, 200);
    assert.equal(sha256(Buffer.from(await browser.arrayBuffer())), sha256(data));
    assert.equal(
      ((await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`)).json as Asset).download_count,
      2,
    );

    const dup = await upload(emu, rel, "splai_linux_amd64.tar.gz", Buffer.from("other"));
    assert.equal(dup.status, 422);
    assert.deepEqual((dup.json as ErrorBody).errors, [
      { resource: "ReleaseAsset", code: "already_exists", field: "name" },
    ]);

    const renamed = await upload(emu, rel, "checksums file.txt", Buffer.from("abc"), "text/plain");
    assert.equal((renamed.json as Asset).name, "checksums.file.txt", "GitHub rewrites spaces in asset names to dots");

    const del = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`, { method: "DELETE" });
    assert.equal(del.status, 204);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`)).status, 404);
    assert.equal((await fetch(asset.browser_download_url)).status, 404);
    const remaining = (await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}/assets`)).json as Asset[];
    assert.deepEqual(
      remaining.map((a) => a.name),
      ["checksums.file.txt"],
    );
  });

  it("accepts uploads under /uploads/ too and answers 404 for an unknown release", async () => {
    const emu = await start();
    const rel = await createRelease(emu, { tag_name: "v6.0.0" });
    const plain = await call(emu, `/uploads/repos/${REPO}/releases/${rel.id}/assets?name=a.bin`, {
      method: "POST",
      raw: Buffer.from("a"),
      headers: { "Content-Type": "application/octet-stream" },
    });
    assert.equal(plain.status, 201);
    const missing = await call(emu, `/api/uploads/repos/${REPO}/releases/999/assets?name=b.bin`, {
      method: "POST",
      raw: Buffer.from("b"),
      headers: { "Content-Type": "application/octet-stream" },
    });
    assert.equal(missing.status, 404);
    const wrongHost = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}/assets?name=c.bin`, {
      method: "POST",
      raw: Buffer.from("c"),
    });
    assert.equal(wrongHost.status, 404, "uploads live only on the upload URL, as on GitHub");
  });

  it("deletes a release's assets with it", async () => {
    const emu = await start();
    const rel = await createRelease(emu, { tag_name: "v7.0.0" });
    const asset = (await upload(emu, rel, "x.bin", Buffer.from("x"))).json as Asset;
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, { method: "DELETE" })).status, 204);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`)).status, 404);
  });
});

describe("github emulator: persistence", () => {
  it("keeps releases, assets and ids across close and restart on the same state dir", async () => {
    const stateDir = tempDir();
    const data = randomBytes(64 * 1024);
    const first = await start({ stateDir });
    const rel = await createRelease(first, { tag_name: "v8.0.0", name: "persisted" });
    const asset = (await upload(first, rel, "bin.tar.gz", data)).json as Asset;
    await first.close();

    const second = await start({ stateDir });
    const again = (await call(second, `/api/v3/repos/${REPO}/releases/tags/v8.0.0`)).json as Release;
    assert.equal(again.id, rel.id);
    assert.equal(again.name, "persisted");
    assert.deepEqual(
      again.assets.map((a) => a.id),
      [asset.id],
    );
    const raw = await call(second, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`, {
      headers: { Accept: "application/octet-stream" },
    });
    assert.equal(sha256(raw.bytes), sha256(data));
    const browser = await fetch(again.assets[0]?.browser_download_url ?? "");
    assert.equal(sha256(Buffer.from(await browser.arrayBuffer())), sha256(data));

    const newer = await createRelease(second, { tag_name: "v8.1.0" });
    assert.ok(newer.id > rel.id, "ids keep increasing after a restart");
    const newerAsset = (await upload(second, newer, "bin.tar.gz", data)).json as Asset;
    assert.ok(newerAsset.id > asset.id);

    const state = (await call(second, "/_emulator/state", { token: null })).json as {
      releases: { id: number }[];
      assets: { id: number }[];
    };
    assert.deepEqual(
      state.releases.map((r) => r.id),
      [rel.id, newer.id],
    );
  });
});

describe("github emulator: fault injection and admin endpoints", () => {
  it("lets `after` matching requests through before a fault applies", async () => {
    const emu = await start();
    const rel = await createRelease(emu, { tag_name: "v9.2.0" });
    const set = await call(emu, "/_emulator/faults", {
      method: "POST",
      token: null,
      body: { status: 500, count: 1, after: 2, match: `/releases/${rel.id}` },
    });
    assert.equal(set.status, 201);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).status);
    assert.deepEqual(statuses, [200, 200, 500, 200]);
    const bad = await call(emu, "/_emulator/faults", { method: "POST", token: null, body: { status: 500, after: -1 } });
    assert.equal(bad.status, 400);
  });

  it("fails the next N matching requests with the configured status, then recovers", async () => {
    const emu = await start();
    const rel = await createRelease(emu, { tag_name: "v9.0.0" });
    const set = await call(emu, "/_emulator/faults", {
      method: "POST",
      token: null,
      body: { status: 503, count: 2, match: "/releases" },
    });
    assert.equal(set.status, 201);

    assert.equal((await call(emu, `/api/v3/repos/${REPO}`)).status, 200, "a path that does not match is untouched");
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).status);
    assert.deepEqual(statuses, [503, 503, 200]);

    await call(emu, "/_emulator/faults", {
      method: "POST",
      token: null,
      body: { status: 502, count: 1, match: "/releases", method: "POST" },
    });
    assert.equal(
      (await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).status,
      200,
      "a GET does not match a POST-only fault",
    );
    assert.equal(
      (await call(emu, `/api/v3/repos/${REPO}/releases`, { method: "POST", body: { tag_name: "v9.1.0" } })).status,
      502,
    );
    assert.equal(
      (await call(emu, `/api/v3/repos/${REPO}/releases/tags/v9.1.0`)).status,
      404,
      "the failed create changed nothing",
    );

    const log = (await call(emu, "/_emulator/requests", { token: null })).json as {
      method: string;
      path: string;
      status: number;
      fault: boolean;
    }[];
    const faulted = log.filter((e) => e.fault).map((e) => `${e.method} ${e.status}`);
    assert.deepEqual(faulted, ["GET 503", "GET 503", "POST 502"]);
    assert.ok(log.some((e) => e.path === `/api/v3/repos/${REPO}` && e.status === 200));
    assert.ok(!JSON.stringify(log).includes(TOKEN), "no token is ever recorded");
  });

  it("rejects malformed fault specs and can drop the connection", async () => {
    const emu = await start();
    assert.equal(
      (await call(emu, "/_emulator/faults", { method: "POST", token: null, body: { status: 42 } })).status,
      400,
    );
    assert.equal(
      (await call(emu, "/_emulator/faults", { method: "POST", token: null, body: { status: 500, count: 0 } })).status,
      400,
    );
    await call(emu, "/_emulator/faults", { method: "POST", token: null, body: { drop: true, match: "/user" } });
    await assert.rejects(call(emu, "/api/v3/user"));
    assert.equal((await call(emu, "/api/v3/user")).status, 200);
  });

  it("reports health, dumps state without secrets and resets to the declared repositories", async () => {
    const emu = await start();
    const health = await call(emu, "/_emulator/health", { token: null });
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: "ok", repos: ["splai/splai"] });

    const rel = await createRelease(emu, { tag_name: "v10.0.0" });
    await upload(emu, rel, "a.txt", Buffer.from("a"), "text/plain");
    const state = await call(emu, "/_emulator/state", { token: null });
    assert.ok(!state.bytes.toString("utf8").includes(TOKEN));
    assert.equal((state.json as { assets: unknown[] }).assets.length, 1);

    assert.equal((await call(emu, "/_emulator/reset", { method: "POST", token: null })).status, 200);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).status, 404);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}`)).status, 200);
    const after = await createRelease(emu, { tag_name: "v10.0.0" });
    assert.ok(after.id > rel.id, "a reset never reuses ids");
  });
});

describe("github emulator: CLI", () => {
  it("reads the token from GITHUB_EMULATOR_TOKEN, prints its URL and exits cleanly on SIGTERM", async () => {
    const stateDir = tempDir();
    const script = join(__dirname, "main.ts");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", script, "--port", "0", "--state", stateDir, "--repo", REPO],
      {
        env: { ...process.env, GITHUB_EMULATOR_TOKEN: TOKEN },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 20s: ${out}`)), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    const res = await fetch(`${url}/api/v3/repos/${REPO}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});

describe("github emulator: draft releases", () => {
  it("gives a draft an untagged-<hex> html_url, no published_at and no source archives until it is published", async () => {
    const emu = await start();
    const draft = await createRelease(emu, { tag_name: "v11.0.0", draft: true });
    assert.match(draft.html_url, /\/splai\/splai\/releases\/tag\/untagged-[0-9a-f]{20}$/);
    assert.equal(draft.published_at, null);
    assert.equal(draft.tarball_url, null, "GitHub has no tag to archive for a draft");
    assert.equal(draft.zipball_url, null);
    assert.equal(draft.tag_name, "v11.0.0", "the tag a draft will take is still reported");
  });

  it("lists a draft to a token with push access but never finds it by tag", async () => {
    const emu = await start();
    const draft = await createRelease(emu, { tag_name: "v11.1.0", draft: true });
    const listed = (await call(emu, `/api/v3/repos/${REPO}/releases`)).json as Release[];
    assert.deepEqual(
      listed.map((r) => [r.id, r.draft]),
      [[draft.id, true]],
    );
    const byTag = await call(emu, `/api/v3/repos/${REPO}/releases/tags/v11.1.0`);
    assert.equal(byTag.status, 404);
    assert.equal((byTag.json as ErrorBody).message, "Not Found");
  });

  it("publishes a draft on PATCH draft:false: published_at, the tag URL, tag lookup and asset URLs follow", async () => {
    const emu = await start();
    const draft = await createRelease(emu, { tag_name: "v11.2.0", draft: true });
    const asset = (await upload(emu, draft, "splaictl.tar.gz", Buffer.from("bin"))).json as Asset;
    assert.match(asset.browser_download_url, /\/releases\/download\/untagged-[0-9a-f]{20}\/splaictl\.tar\.gz$/);

    const published = await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, {
      method: "PATCH",
      body: { draft: false },
    });
    assert.equal(published.status, 200);
    const rel = published.json as Release;
    assert.equal(rel.draft, false);
    assert.match(rel.published_at ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(rel.html_url, `${emu.url}splai/splai/releases/tag/v11.2.0`);
    assert.equal(rel.tarball_url, `${emu.url}api/v3/repos/splai/splai/tarball/v11.2.0`);
    assert.equal(
      rel.assets[0]?.browser_download_url,
      `${emu.url}splai/splai/releases/download/v11.2.0/splaictl.tar.gz`,
    );
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/tags/v11.2.0`)).json as Release).id, draft.id);
    assert.equal((await fetch(rel.assets[0]?.browser_download_url ?? "")).status, 200);
  });
});

describe("github emulator: immutable releases", () => {
  it("stamps immutable: true on a release published while the setting is on, false without it", async () => {
    const on = await start({ immutableReleases: true });
    const rel = await createRelease(on, { tag_name: "v12.0.0" });
    assert.equal(rel.immutable, true);
    assert.equal(((await call(on, `/api/v3/repos/${REPO}/releases/${rel.id}`)).json as Release).immutable, true);
    const draft = await createRelease(on, { tag_name: "v12.0.1", draft: true });
    assert.equal(draft.immutable, false, "a draft is not immutable yet");

    const off = await start();
    assert.equal((await createRelease(off, { tag_name: "v12.0.0" })).immutable, false);
  });

  it("refuses an asset upload to a published immutable release with GitHub's 422", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v12.1.0" });
    const up = await upload(emu, rel, "late.tar.gz", randomBytes(64 * 1024));
    assert.equal(up.status, 422);
    assert.deepEqual(
      { message: (up.json as ErrorBody).message, doc: (up.json as ErrorBody).documentation_url },
      { message: "Cannot upload assets to an immutable release.", doc: "https://docs.github.com/rest" },
    );
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}/assets`)).json as Asset[]).length, 0);
  });

  it("refuses deleting an asset of an immutable release with 422 Validation Failed", async () => {
    const emu = await start({ immutableReleases: true });
    const draft = await createRelease(emu, { tag_name: "v12.2.0", draft: true });
    const asset = (await upload(emu, draft, "a.tar.gz", Buffer.from("a"))).json as Asset;
    await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, { method: "PATCH", body: { draft: false } });

    const del = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`, { method: "DELETE" });
    assert.equal(del.status, 422);
    const err = del.json as ErrorBody;
    assert.equal(err.message, "Validation Failed");
    assert.deepEqual(err.errors, [
      { resource: "ReleaseAsset", code: "custom", message: "Cannot delete asset from an immutable release" },
    ]);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`)).status, 200);
  });

  it("refuses renaming or relabelling an asset of an immutable release", async () => {
    const emu = await start({ immutableReleases: true });
    const draft = await createRelease(emu, { tag_name: "v12.3.0", draft: true });
    const asset = (await upload(emu, draft, "a.tar.gz", Buffer.from("a"))).json as Asset;
    await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, { method: "PATCH", body: { draft: false } });

    const edit = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`, {
      method: "PATCH",
      body: { name: "b.tar.gz", label: "B" },
    });
    assert.equal(edit.status, 422);
    assert.match((edit.json as ErrorBody).errors?.[0]?.message ?? "", /immutable release/);
    const after = (await call(emu, `/api/v3/repos/${REPO}/releases/assets/${asset.id}`)).json as Asset;
    assert.deepEqual([after.name, after.label], ["a.tar.gz", null]);
  });

  it("refuses moving the tag_name or target_commitish of an immutable release", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v12.4.0", target_commitish: "main" });
    const tag = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, {
      method: "PATCH",
      body: { tag_name: "v12.4.1" },
    });
    assert.equal(tag.status, 422);
    assert.deepEqual((tag.json as ErrorBody).errors, [
      {
        resource: "Release",
        code: "custom",
        field: "tag_name",
        message: "Cannot change the tag_name of an immutable release",
      },
    ]);
    const target = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, {
      method: "PATCH",
      body: { target_commitish: "release-branch" },
    });
    assert.equal(target.status, 422);
    assert.equal((target.json as ErrorBody).errors?.[0]?.field, "target_commitish");
    const after = (await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).json as Release;
    assert.deepEqual([after.tag_name, after.target_commitish], ["v12.4.0", "main"]);
  });

  it("edits the title, notes and prerelease flag of an immutable release, which stays immutable", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v12.5.0", target_commitish: "main", prerelease: true });
    // github_release sends tag_name and target_commitish unchanged on every update, as here.
    const edit = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, {
      method: "PATCH",
      body: {
        tag_name: "v12.5.0",
        target_commitish: "main",
        name: "SPLAI v12.5.0",
        body: "edited notes",
        draft: false,
        prerelease: false,
        make_latest: "legacy",
      },
    });
    assert.equal(edit.status, 200);
    const after = edit.json as Release;
    assert.deepEqual(
      [after.name, after.body, after.prerelease, after.immutable],
      ["SPLAI v12.5.0", "edited notes", false, true],
    );
  });

  it("refuses turning an immutable release back into a draft", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v12.6.0" });
    const back = await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, {
      method: "PATCH",
      body: { draft: true },
    });
    assert.equal(back.status, 422);
    assert.equal((back.json as ErrorBody).errors?.[0]?.field, "draft");
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`)).json as Release).draft, false);
  });

  it("deletes an immutable release but never lets a release publish its tag again", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v12.7.0" });
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, { method: "DELETE" })).status, 204);

    const again = await call(emu, `/api/v3/repos/${REPO}/releases`, { method: "POST", body: { tag_name: "v12.7.0" } });
    assert.equal(again.status, 422);
    assert.deepEqual((again.json as ErrorBody).errors, [
      { resource: "Release", code: "custom", field: "tag_name", message: "tag_name was used by an immutable release" },
    ]);
    const draft = await createRelease(emu, { tag_name: "v12.7.0", draft: true });
    const publish = await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, {
      method: "PATCH",
      body: { draft: false },
    });
    assert.equal(publish.status, 422, "the draft cannot publish the retired tag either");
  });

  it("keeps drafts fully editable with the setting on, and locks them when they are published", async () => {
    const emu = await start({ immutableReleases: true });
    const draft = await createRelease(emu, { tag_name: "v12.8.0", draft: true });
    const a = (await upload(emu, draft, "a.tar.gz", Buffer.from("a"))).json as Asset;
    const b = (await upload(emu, draft, "b.tar.gz", Buffer.from("b"))).json as Asset;
    const relabel = await call(emu, `/api/v3/repos/${REPO}/releases/assets/${a.id}`, {
      method: "PATCH",
      body: { label: "A" },
    });
    assert.equal(relabel.status, 200);
    assert.equal((await call(emu, `/api/v3/repos/${REPO}/releases/assets/${b.id}`, { method: "DELETE" })).status, 204);
    const retag = await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, {
      method: "PATCH",
      body: { tag_name: "v12.8.1", target_commitish: "release" },
    });
    assert.equal(retag.status, 200);

    const published = (
      await call(emu, `/api/v3/repos/${REPO}/releases/${draft.id}`, { method: "PATCH", body: { draft: false } })
    ).json as Release;
    assert.equal(published.immutable, true);
    assert.deepEqual(
      published.assets.map((x) => x.name),
      ["a.tar.gz"],
    );
    assert.equal((await upload(emu, published, "c.tar.gz", Buffer.from("c"))).status, 422);
  });

  it("judges immutability per release: turning the setting on or off changes only later publications", async () => {
    const emu = await start();
    const before = await createRelease(emu, { tag_name: "v12.9.0" });
    assert.equal((await adminRepo(emu, REPO, { immutable_releases: true })).status, 200);
    const locked = await createRelease(emu, { tag_name: "v12.9.1" });
    assert.equal((await adminRepo(emu, REPO, { immutable_releases: false })).status, 200);

    assert.equal((await upload(emu, before, "x.bin", Buffer.from("x"))).status, 201, "published before: mutable");
    assert.equal((await upload(emu, locked, "x.bin", Buffer.from("x"))).status, 422, "immutable stays immutable");
    assert.equal(((await call(emu, `/api/v3/repos/${REPO}/releases/${locked.id}`)).json as Release).immutable, true);
  });

  it("serves the setting as GitHub's REST API does: 404 when off, 200 when on, PUT/DELETE 204 with push access", async () => {
    const emu = await start();
    const path = `/api/v3/repos/${REPO}/immutable-releases`;
    assert.equal((await call(emu, path)).status, 404);
    assert.equal((await call(emu, path, { method: "PUT", token: RO_TOKEN })).status, 403);
    assert.equal((await call(emu, path, { method: "PUT" })).status, 204);
    const on = await call(emu, path);
    assert.equal(on.status, 200);
    assert.deepEqual(on.json, { enabled: true, enforced_by_owner: false });
    assert.equal((await createRelease(emu, { tag_name: "v13.0.0" })).immutable, true);
    assert.equal((await call(emu, path, { method: "DELETE" })).status, 204);
    assert.equal((await call(emu, path)).status, 404);
  });

  it("reads and changes the setting through the admin API, refusing bad input and unknown repositories", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    assert.deepEqual((await adminRepo(emu, TAP)).json, {
      full_name: TAP,
      default_branch: "main",
      immutable_releases: false,
    });
    const on = await adminRepo(emu, TAP, { immutable_releases: true });
    assert.equal(on.status, 200);
    assert.equal((on.json as { immutable_releases: boolean }).immutable_releases, true);
    assert.equal(((await adminRepo(emu, REPO)).json as { immutable_releases: boolean }).immutable_releases, false);
    assert.equal((await adminRepo(emu, TAP, { immutable_releases: "yes" })).status, 400);
    assert.equal((await adminRepo(emu, TAP, { immutable: true })).status, 400);
    assert.equal((await adminRepo(emu, "splai/nope")).status, 404);
    const all = (await call(emu, "/_emulator/repos", { token: null })).json as { full_name: string }[];
    assert.deepEqual(
      all.map((r) => r.full_name),
      [REPO, TAP],
    );
  });

  it("takes the start option per repository, and refuses a repository it does not serve", async () => {
    const emu = await start({ repos: [REPO, TAP], immutableReleases: [TAP] });
    assert.equal(((await adminRepo(emu, TAP)).json as { immutable_releases: boolean }).immutable_releases, true);
    assert.equal(((await adminRepo(emu, REPO)).json as { immutable_releases: boolean }).immutable_releases, false);
    await assert.rejects(start({ immutableReleases: ["splai/other"] }), /not a declared repo/);
  });

  it("goes back to the start setting and frees retired tags on reset", async () => {
    const emu = await start({ immutableReleases: true });
    const rel = await createRelease(emu, { tag_name: "v13.1.0" });
    await call(emu, `/api/v3/repos/${REPO}/releases/${rel.id}`, { method: "DELETE" });
    await adminRepo(emu, REPO, { immutable_releases: false });
    assert.equal((await call(emu, "/_emulator/reset", { method: "POST", token: null })).status, 200);
    assert.equal(((await adminRepo(emu, REPO)).json as { immutable_releases: boolean }).immutable_releases, true);
    assert.equal((await createRelease(emu, { tag_name: "v13.1.0" })).immutable, true);
  });

  it("keeps the immutable stamp and retired tags across a restart", async () => {
    const stateDir = tempDir();
    const first = await start({ stateDir, immutableReleases: true });
    const kept = await createRelease(first, { tag_name: "v13.2.0" });
    const gone = await createRelease(first, { tag_name: "v13.2.1" });
    await call(first, `/api/v3/repos/${REPO}/releases/${gone.id}`, { method: "DELETE" });
    await first.close();

    const second = await start({ stateDir });
    assert.equal((await upload(second, kept, "x.bin", Buffer.from("x"))).status, 422);
    assert.equal(
      (await call(second, `/api/v3/repos/${REPO}/releases`, { method: "POST", body: { tag_name: "v13.2.1" } })).status,
      422,
    );
  });
});

describe("github emulator: git object ids", () => {
  it("computes blob, tree and commit shas exactly as git does", () => {
    const formula = Buffer.from('class Splaictl < Formula\n  version "0.17.0"\nend\n');
    assert.equal(blobSha(Buffer.from("hello\n")), "ce013625030ba8dba906f756967f9e9ca394464a");
    assert.equal(blobSha(formula), "929226ee5711b7dc14603510270c63ace5343d38");
    assert.equal(treeSha({}), "4b825dc642cb6eb9a060e54bf8d69288fbee4904");
    assert.equal(treeSha({ "Formula/splaictl.rb": blobSha(formula) }), "99bd6266246be4ec04833e115ff395888e1cf795");
    // git sorts a directory as if its name ended in "/": a-b, a.txt, a/, a0.
    const files = {
      "a.txt": blobSha(Buffer.from("x\n")),
      "a/b.txt": blobSha(Buffer.from("y\n")),
      "a-b": blobSha(Buffer.from("z")),
      a0: blobSha(Buffer.alloc(0)),
    };
    assert.equal(treeSha(files), "0adec4ab1e8369471fde7e65235609a9524b5bdf");
    // Checked with `git commit-tree` on the same tree, parent, people, dates and message.
    const user = { name: "splai", email: "1001+splai@users.noreply.github.com" };
    const initial = commitSha({
      tree: treeSha({}),
      parents: [],
      author: { ...user, date: "2026-12-02T17:35:24Z" },
      committer: { ...user, date: "2026-12-02T17:35:24Z" },
      message: "Initial commit",
    });
    assert.equal(initial, "427ec8c624c89388ca45f4d6cc5ab4a01f9fe7b3");
    const next = commitSha({
      tree: "99bd6266246be4ec04833e115ff395888e1cf795",
      parents: [initial],
      author: { ...user, date: "2026-12-02T17:35:35Z" },
      committer: { name: "GitHub", email: "noreply@github.com", date: "2026-12-02T17:35:35Z" },
      message: "splaictl 0.17.0",
    });
    assert.equal(next, "f2bbdb4d45afa2ce061744e555f8867b4f344de8");
  });

  it("wraps base64 at 60 columns and counts changed lines", () => {
    const wrapped = wrappedBase64(Buffer.alloc(100, 0x61));
    assert.ok(
      wrapped
        .split("\n")
        .slice(0, -2)
        .every((l) => l.length === 60),
    );
    assert.ok(wrapped.endsWith("\n"));
    assert.equal(Buffer.from(wrapped, "base64").length, 100);
    assert.deepEqual(lineStats(Buffer.from("a\nb\nc\n"), Buffer.from("a\nB\nc\nd\n")), { additions: 2, deletions: 1 });
    assert.deepEqual(lineStats(null, Buffer.from("a\nb\n")), { additions: 2, deletions: 0 });
  });
});

describe("github emulator: repository contents", () => {
  it("creates a file with PUT: 201, git's blob sha, a commit on main and the ref in the content URL", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const text = 'class Splaictl < Formula\n  version "0.17.0"\nend\n';
    const head = (await call(emu, `/api/v3/repos/${TAP}/branches/main`)).json as { commit: { sha: string } };
    const put = await putFile(emu, TAP, "Formula/splaictl.rb", text, { message: "splaictl 0.17.0" });
    assert.equal(put.status, 201, JSON.stringify(put.json));
    const res = put.json as ContentResponse;
    assert.equal(res.content?.sha, "929226ee5711b7dc14603510270c63ace5343d38");
    assert.equal(res.content?.path, "Formula/splaictl.rb");
    assert.equal(res.content?.name, "splaictl.rb");
    assert.equal(res.content?.size, Buffer.byteLength(text));
    assert.equal(res.content?.url, `${emu.url}api/v3/repos/${TAP}/contents/Formula/splaictl.rb?ref=main`);
    assert.equal(res.commit.message, "splaictl 0.17.0");
    assert.deepEqual(
      res.commit.parents.map((p) => p.sha),
      [head.commit.sha],
    );
    assert.equal(res.commit.tree.sha, "99bd6266246be4ec04833e115ff395888e1cf795");
    const after = (await call(emu, `/api/v3/repos/${TAP}/branches/main`)).json as { commit: { sha: string } };
    assert.equal(after.commit.sha, res.commit.sha, "the branch moved to the new commit");
  });

  it("serves a file base64-wrapped with its sha, raw with the raw media type, and at its download_url", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const text = `${"x".repeat(100)}\nsecond line\n`;
    await putFile(emu, TAP, "Formula/long.rb", text);
    const got = await call(emu, `/api/v3/repos/${TAP}/contents/Formula/long.rb?ref=main`);
    assert.equal(got.status, 200);
    const file = got.json as ContentFile;
    assert.equal(file.type, "file");
    assert.equal(file.encoding, "base64");
    assert.match(file.content ?? "", /^[A-Za-z0-9+/=]{60}\n/);
    assert.equal(Buffer.from(file.content ?? "", "base64").toString("utf8"), text);
    assert.equal(file.sha, blobSha(Buffer.from(text)));

    const raw = await call(emu, `/api/v3/repos/${TAP}/contents/Formula/long.rb`, {
      headers: { Accept: "application/vnd.github.raw+json" },
    });
    assert.equal(raw.bytes.toString("utf8"), text);
    const download = await fetch(file.download_url ?? "");
    assert.equal(await download.text(), text);
  });

  it("lists a directory and the repository root", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    await putFile(emu, TAP, "Formula/a.rb", "a\n");
    await putFile(emu, TAP, "Formula/b.rb", "b\n");
    await putFile(emu, TAP, "README.md", "tap\n");
    const dir = (await call(emu, `/api/v3/repos/${TAP}/contents/Formula`)).json as ContentFile[];
    assert.deepEqual(
      dir.map((e) => [e.path, e.type]),
      [
        ["Formula/a.rb", "file"],
        ["Formula/b.rb", "file"],
      ],
    );
    const root = (await call(emu, `/api/v3/repos/${TAP}/contents`)).json as ContentFile[];
    assert.deepEqual(
      root.map((e) => [e.name, e.type]),
      [
        ["Formula", "dir"],
        ["README.md", "file"],
      ],
    );
  });

  it("answers 404 Not Found for a missing file and 404 'No commit found for the ref' for an unknown ref", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const missing = await call(emu, `/api/v3/repos/${TAP}/contents/Formula/nope.rb?ref=main`);
    assert.equal(missing.status, 404);
    assert.equal((missing.json as ErrorBody).message, "Not Found");
    const badRef = await call(emu, `/api/v3/repos/${TAP}/contents/Formula/nope.rb?ref=nobranch`);
    assert.equal(badRef.status, 404);
    assert.equal((badRef.json as ErrorBody).message, "No commit found for the ref nobranch");
    assert.equal((await call(emu, `/api/v3/repos/splai/nope/contents/x`)).status, 404);
  });

  it("updates a file given its blob sha (200), and refuses a missing sha (422) or a stale one (409)", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const first = (await putFile(emu, TAP, "Formula/splaictl.rb", "v1\n")).json as ContentResponse;
    const noSha = await putFile(emu, TAP, "Formula/splaictl.rb", "v2\n");
    assert.equal(noSha.status, 422);
    assert.equal((noSha.json as ErrorBody).message, 'Invalid request.\n\n"sha" wasn\'t supplied.');
    const stale = await putFile(emu, TAP, "Formula/splaictl.rb", "v2\n", { sha: "deadbeef" });
    assert.equal(stale.status, 409);
    assert.equal((stale.json as ErrorBody).message, "Formula/splaictl.rb does not match deadbeef");

    const update = await putFile(emu, TAP, "Formula/splaictl.rb", "v2\n", { sha: first.content?.sha });
    assert.equal(update.status, 200);
    const res = update.json as ContentResponse;
    assert.equal(res.content?.sha, blobSha(Buffer.from("v2\n")));
    assert.deepEqual(
      res.commit.parents.map((p) => p.sha),
      [first.commit.sha],
    );
    const got = (await call(emu, `/api/v3/repos/${TAP}/contents/Formula/splaictl.rb?ref=main`)).json as ContentFile;
    assert.equal(Buffer.from(got.content ?? "", "base64").toString("utf8"), "v2\n");
  });

  it("deletes a file given its sha: 200 with content null, and 404, 422 or 409 when the file, sha or match is missing", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const created = (await putFile(emu, TAP, "Formula/splaictl.rb", "v1\n")).json as ContentResponse;
    const path = `/api/v3/repos/${TAP}/contents/Formula/splaictl.rb`;
    const noSha = await call(emu, path, { method: "DELETE", body: { message: "Delete", branch: "main" } });
    assert.equal(noSha.status, 422);
    const stale = await call(emu, path, { method: "DELETE", body: { message: "Delete", sha: "0".repeat(40) } });
    assert.equal(stale.status, 409);

    // go-github sends the content along on delete; it changes nothing.
    const del = await call(emu, path, {
      method: "DELETE",
      body: { message: "Delete Formula/splaictl.rb", content: b64("v1\n"), sha: created.content?.sha, branch: "main" },
    });
    assert.equal(del.status, 200);
    const res = del.json as ContentResponse;
    assert.equal(res.content, null);
    assert.equal(res.commit.message, "Delete Formula/splaictl.rb");
    assert.equal(res.commit.tree.sha, treeSha({}));
    assert.equal((await call(emu, `${path}?ref=main`)).status, 404);
    const again = await call(emu, path, { method: "DELETE", body: { message: "Delete", sha: created.content?.sha } });
    assert.equal(again.status, 404);
  });

  it("commits as GitHub <noreply@github.com> for the token's user unless a committer is given", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const signed = (await putFile(emu, TAP, "a.txt", "a\n")).json as ContentResponse;
    assert.deepEqual([signed.commit.committer.name, signed.commit.committer.email], ["GitHub", "noreply@github.com"]);
    assert.equal(signed.commit.author.name, "splai");
    assert.match(signed.commit.author.email, /^\d+\+splai@users\.noreply\.github\.com$/);
    assert.deepEqual(signed.commit.verification, {
      verified: true,
      reason: "valid",
      signature: null,
      payload: null,
      verified_at: signed.commit.committer.date,
    });

    const bot = { name: "Release Bot", email: "bot@splai.dev" };
    const given = (await putFile(emu, TAP, "b.txt", "b\n", { committer: bot, author: bot })).json as ContentResponse;
    assert.deepEqual([given.commit.committer.name, given.commit.author.email], ["Release Bot", "bot@splai.dev"]);
    assert.equal(given.commit.verification.verified, false);
    const viaCommits = (await call(emu, `/api/v3/repos/${TAP}/commits/${given.commit.sha}`)).json as RepoCommit;
    assert.equal(viaCommits.commit.committer.name, "Release Bot");
  });

  it("keeps files per branch, created with POST git/refs, and answers 404 for an unknown branch", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    await putFile(emu, TAP, "Formula/splaictl.rb", "main\n");
    const main = (await call(emu, `/api/v3/repos/${TAP}/git/ref/heads/main`)).json as { object: { sha: string } };
    const created = await call(emu, `/api/v3/repos/${TAP}/git/refs`, {
      method: "POST",
      body: { ref: "refs/heads/bump/0.18", sha: main.object.sha },
    });
    assert.equal(created.status, 201);
    const onBranch = await putFile(emu, TAP, "Formula/splaictl.rb", "bump\n", {
      branch: "bump/0.18",
      sha: blobSha(Buffer.from("main\n")),
    });
    assert.equal(onBranch.status, 200);

    const read = async (ref: string): Promise<string> =>
      Buffer.from(
        (
          (await call(emu, `/api/v3/repos/${TAP}/contents/Formula/splaictl.rb?ref=${encodeURIComponent(ref)}`))
            .json as ContentFile
        ).content ?? "",
        "base64",
      ).toString("utf8");
    assert.equal(await read("main"), "main\n");
    assert.equal(await read("bump/0.18"), "bump\n");
    assert.equal((await call(emu, `/api/v3/repos/${TAP}/branches/bump%2F0.18`)).status, 200);

    const lost = await putFile(emu, TAP, "x.txt", "x\n", { branch: "nope" });
    assert.equal(lost.status, 404);
    assert.equal((lost.json as ErrorBody).message, "Branch nope not found");
    const dup = await call(emu, `/api/v3/repos/${TAP}/git/refs`, {
      method: "POST",
      body: { ref: "refs/heads/main", sha: main.object.sha },
    });
    assert.equal(dup.status, 422);
  });

  it("describes a branch with its head commit and answers 404 'Branch not found' for another", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const put = (await putFile(emu, TAP, "a.txt", "a\n")).json as ContentResponse;
    const branch = await call(emu, `/api/v3/repos/${TAP}/branches/main`);
    assert.equal(branch.status, 200);
    const json = branch.json as { name: string; protected: boolean; commit: RepoCommit };
    assert.deepEqual([json.name, json.protected, json.commit.sha], ["main", false, put.commit.sha]);
    const missing = await call(emu, `/api/v3/repos/${TAP}/branches/nope`);
    assert.equal(missing.status, 404);
    assert.deepEqual(
      [(missing.json as ErrorBody).message, (missing.json as ErrorBody).documentation_url],
      ["Branch not found", "https://docs.github.com/rest/branches/branches#get-a-branch"],
    );
  });

  it("lists commits newest first, filtered by path and paginated", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const c1 = (await putFile(emu, TAP, "Formula/splaictl.rb", "1\n", { message: "one" })).json as ContentResponse;
    await putFile(emu, TAP, "README.md", "readme\n", { message: "readme" });
    const c3 = (await putFile(emu, TAP, "Formula/splaictl.rb", "2\n", { message: "two", sha: c1.content?.sha }))
      .json as ContentResponse;
    const forPath = await call(emu, `/api/v3/repos/${TAP}/commits?sha=main&path=Formula/splaictl.rb`);
    assert.deepEqual(
      (forPath.json as RepoCommit[]).map((c) => c.sha),
      [c3.commit.sha, c1.commit.sha],
    );
    const all = (await call(emu, `/api/v3/repos/${TAP}/commits`)).json as RepoCommit[];
    assert.deepEqual(
      all.map((c) => c.commit.message),
      ["two", "readme", "one", "Initial commit"],
    );
    const page = await call(emu, `/api/v3/repos/${TAP}/commits?per_page=1`);
    assert.equal((page.json as RepoCommit[]).length, 1);
    assert.match(page.headers.get("link") ?? "", /rel="next"/);
    assert.deepEqual((await call(emu, `/api/v3/repos/${TAP}/commits?path=nothing`)).json, []);
  });

  it("shows a commit with its files and stats, and answers 422 for an unknown sha", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const c1 = (await putFile(emu, TAP, "Formula/splaictl.rb", "a\nb\n")).json as ContentResponse;
    const c2 = (await putFile(emu, TAP, "Formula/splaictl.rb", "a\nc\nd\n", { sha: c1.content?.sha }))
      .json as ContentResponse;
    const got = (await call(emu, `/api/v3/repos/${TAP}/commits/${c2.commit.sha}`)).json as RepoCommit;
    assert.deepEqual(got.files, [
      {
        sha: blobSha(Buffer.from("a\nc\nd\n")),
        filename: "Formula/splaictl.rb",
        status: "modified",
        additions: 2,
        deletions: 1,
        changes: 3,
        blob_url: `${emu.url}splai/homebrew-tap/blob/${c2.commit.sha}/Formula/splaictl.rb`,
        raw_url: `${emu.url}splai/homebrew-tap/raw/${c2.commit.sha}/Formula/splaictl.rb`,
        contents_url: `${emu.url}api/v3/repos/splai/homebrew-tap/contents/Formula/splaictl.rb?ref=${c2.commit.sha}`,
      },
    ]);
    assert.deepEqual(got.stats, { total: 3, additions: 2, deletions: 1 });
    assert.equal(got.author?.login, "splai");
    assert.equal(got.committer, null, "GitHub's own committer links to no account here");
    const short = await call(emu, `/api/v3/repos/${TAP}/commits/${c2.commit.sha.slice(0, 7)}`);
    assert.equal((short.json as RepoCommit).sha, c2.commit.sha);
    const unknown = await call(emu, `/api/v3/repos/${TAP}/commits/${"f".repeat(40)}`);
    assert.equal(unknown.status, 422);
    assert.equal((unknown.json as ErrorBody).message, `No commit found for SHA: ${"f".repeat(40)}`);
  });

  it("answers 403 to a read-only token on PUT and DELETE while serving its reads", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const created = (await putFile(emu, TAP, "a.txt", "a\n")).json as ContentResponse;
    const path = `/api/v3/repos/${TAP}/contents/a.txt`;
    assert.equal((await call(emu, path, { token: RO_TOKEN })).status, 200);
    const put = await call(emu, path, {
      method: "PUT",
      token: RO_TOKEN,
      body: { message: "m", content: b64("b\n"), sha: created.content?.sha },
    });
    assert.equal(put.status, 403);
    assert.equal((put.json as ErrorBody).message, "Resource not accessible by personal access token");
    const del = await call(emu, path, {
      method: "DELETE",
      token: RO_TOKEN,
      body: { message: "m", sha: created.content?.sha },
    });
    assert.equal(del.status, 403);
    assert.equal((await call(emu, `${path}?ref=main`)).status, 200, "the file survived");
  });

  it("validates the body: message and content are required, content must be base64", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    const path = `/api/v3/repos/${TAP}/contents/a.txt`;
    const noMessage = await call(emu, path, { method: "PUT", body: { content: b64("a") } });
    assert.equal(noMessage.status, 422);
    assert.equal((noMessage.json as ErrorBody).message, 'Invalid request.\n\n"message" wasn\'t supplied.');
    const noContent = await call(emu, path, { method: "PUT", body: { message: "m" } });
    assert.equal(noContent.status, 422);
    const notBase64 = await call(emu, path, { method: "PUT", body: { message: "m", content: "not base64!" } });
    assert.equal(notBase64.status, 422);
    assert.equal((notBase64.json as ErrorBody).message, "content is not valid Base64");
    const badPath = await call(emu, `/api/v3/repos/${TAP}/contents/.git/config`, {
      method: "PUT",
      body: { message: "m", content: b64("a") },
    });
    assert.equal(badPath.status, 422);
  });

  it("keeps repository files across a restart and starts each declared repository with one commit on main", async () => {
    const stateDir = tempDir();
    const first = await start({ stateDir, repos: [REPO, TAP] });
    const created = (await putFile(first, TAP, "Formula/splaictl.rb", "kept\n")).json as ContentResponse;
    const repoMain = (await call(first, `/api/v3/repos/${REPO}/branches/main`)).json as { commit: RepoCommit };
    assert.equal(repoMain.commit.commit.tree.sha, treeSha({}), "a fresh repository has an empty initial commit");
    await first.close();

    const second = await start({ stateDir, repos: [REPO, TAP] });
    const got = (await call(second, `/api/v3/repos/${TAP}/contents/Formula/splaictl.rb`)).json as ContentFile;
    assert.equal(got.sha, created.content?.sha);
    assert.equal(Buffer.from(got.content ?? "", "base64").toString("utf8"), "kept\n");
    const head = (await call(second, `/api/v3/repos/${TAP}/branches/main`)).json as { commit: RepoCommit };
    assert.equal(head.commit.sha, created.commit.sha);
  });

  it("drops files and commits on reset, leaving each repository at a fresh initial commit", async () => {
    const emu = await start({ repos: [REPO, TAP] });
    await putFile(emu, TAP, "Formula/splaictl.rb", "gone\n");
    assert.equal((await call(emu, "/_emulator/reset", { method: "POST", token: null })).status, 200);
    assert.equal((await call(emu, `/api/v3/repos/${TAP}/contents/Formula/splaictl.rb`)).status, 404);
    const commits = (await call(emu, `/api/v3/repos/${TAP}/commits`)).json as RepoCommit[];
    assert.deepEqual(
      commits.map((c) => c.commit.message),
      ["Initial commit"],
    );
  });
});

// The request sequences below are the ones the real github plugin (pulumi-github 6.15.0, terraform-provider-github over
// go-github v88) made against this emulator, read from /_emulator/requests: each test replays one with the same bodies and
// checks every call answers as it did then.
describe("github emulator: calls of the real github plugin", () => {
  const FORMULA = "Formula/splaictl.rb";
  const contents = `/api/v3/repos/${TAP}/contents/${FORMULA}`;

  const tapEmulator = async (): Promise<GitHubEmulator> => start({ repos: [REPO, TAP] });

  it("github.RepositoryFile create: org lookup, repository, branch, absent file, PUT, read back, commit", async () => {
    const emu = await tapEmulator();
    await clearLog(emu);
    assert.equal((await call(emu, "/api/v3/orgs/splai")).status, 404, "the provider then treats splai as a user");
    assert.equal(((await call(emu, `/api/v3/repos/${TAP}`)).json as { default_branch: string }).default_branch, "main");
    assert.equal((await call(emu, `/api/v3/repos/${TAP}/branches/main`)).status, 200);
    assert.equal((await call(emu, `${contents}?ref=main`)).status, 404);
    const put = await call(emu, contents, {
      method: "PUT",
      body: { message: "splaictl 0.17.0", content: b64("v0.17.0\n"), branch: "main" },
    });
    const commit = (put.json as ContentResponse).commit.sha;
    const read = (await call(emu, `${contents}?ref=main`)).json as ContentFile;
    assert.equal(new URL(read.url).searchParams.get("ref"), "main", "the provider sets `ref` from this query");
    assert.equal((await call(emu, `/api/v3/repos/${TAP}/commits/${commit}`)).status, 200);
    assert.deepEqual(await requestLog(emu), [
      "GET /api/v3/orgs/splai 404",
      `GET /api/v3/repos/${TAP} 200`,
      `GET /api/v3/repos/${TAP}/branches/main 200`,
      `GET ${contents} 404`,
      `PUT ${contents} 201`,
      `GET ${contents} 200`,
      `GET /api/v3/repos/${TAP}/commits/${commit} 200`,
    ]);
  });

  it("github.RepositoryFile create with overwriteOnCreate over an existing file: PUT with the found sha answers 200", async () => {
    const emu = await tapEmulator();
    await putFile(emu, TAP, FORMULA, "by hand\n");
    const found = (await call(emu, `${contents}?ref=main`)).json as ContentFile;
    const put = await call(emu, contents, {
      method: "PUT",
      body: { message: "splaictl 0.17.0", content: b64("v0.17.0\n"), branch: "main", sha: found.sha },
    });
    assert.equal(put.status, 200);
  });

  it("github.RepositoryFile update: PUT with the stored sha, read back, commit", async () => {
    const emu = await tapEmulator();
    const created = (await putFile(emu, TAP, FORMULA, "v0.17.0\n", { message: "splaictl 0.17.0" }))
      .json as ContentResponse;
    await clearLog(emu);
    await call(emu, "/api/v3/orgs/splai");
    const put = await call(emu, contents, {
      method: "PUT",
      body: { message: "splaictl 0.17.1", content: b64("v0.17.1\n"), sha: created.content?.sha, branch: "main" },
    });
    const commit = (put.json as ContentResponse).commit.sha;
    await call(emu, `${contents}?ref=main`);
    await call(emu, `/api/v3/repos/${TAP}/commits/${commit}`);
    assert.deepEqual(await requestLog(emu), [
      "GET /api/v3/orgs/splai 404",
      `PUT ${contents} 200`,
      `GET ${contents} 200`,
      `GET /api/v3/repos/${TAP}/commits/${commit} 200`,
    ]);
  });

  it("github.RepositoryFile refresh: the file at its branch and the known commit", async () => {
    const emu = await tapEmulator();
    const created = (await putFile(emu, TAP, FORMULA, "v0.17.0\n", { message: "splaictl 0.17.0" }))
      .json as ContentResponse;
    await clearLog(emu);
    await call(emu, "/api/v3/orgs/splai");
    const file = (await call(emu, `${contents}?ref=main`)).json as ContentFile;
    const commit = (await call(emu, `/api/v3/repos/${TAP}/commits/${created.commit.sha}`)).json as RepoCommit;
    assert.deepEqual([file.sha, commit.commit.message], [created.content?.sha, "splaictl 0.17.0"]);
    assert.deepEqual(await requestLog(emu), [
      "GET /api/v3/orgs/splai 404",
      `GET ${contents} 200`,
      `GET /api/v3/repos/${TAP}/commits/${created.commit.sha} 200`,
    ]);
  });

  it("github.RepositoryFile delete: one DELETE with message, content, sha and branch", async () => {
    const emu = await tapEmulator();
    const created = (await putFile(emu, TAP, FORMULA, "v0.17.1\n")).json as ContentResponse;
    await clearLog(emu);
    await call(emu, "/api/v3/orgs/splai");
    await call(emu, contents, {
      method: "DELETE",
      body: { message: "splaictl 0.17.1", content: b64("v0.17.1\n"), sha: created.content?.sha, branch: "main" },
    });
    assert.deepEqual(await requestLog(emu), ["GET /api/v3/orgs/splai 404", `DELETE ${contents} 200`]);
  });

  it("github.RepositoryFile import: repository, file twice, the commits for the path, then that commit", async () => {
    const emu = await tapEmulator();
    const created = (
      await putFile(emu, TAP, FORMULA, "v0.17.2\n", {
        message: "Add formula by hand",
        committer: { name: "Rel Bot", email: "bot@splai.dev" },
      })
    ).json as ContentResponse;
    await putFile(emu, TAP, "README.md", "tap\n");
    await clearLog(emu);
    await call(emu, "/api/v3/orgs/splai");
    await call(emu, `/api/v3/repos/${TAP}`);
    await call(emu, `${contents}?ref=main`);
    await call(emu, `${contents}?ref=main`);
    const listed = (await call(emu, `/api/v3/repos/${TAP}/commits?sha=main&path=${FORMULA}`)).json as RepoCommit[];
    assert.deepEqual(
      listed.map((c) => c.sha),
      [created.commit.sha],
    );
    const commit = (await call(emu, `/api/v3/repos/${TAP}/commits/${created.commit.sha}`)).json as RepoCommit;
    assert.ok(commit.files?.some((f) => f.filename === FORMULA && f.status !== "removed"));
    assert.deepEqual(await requestLog(emu), [
      "GET /api/v3/orgs/splai 404",
      `GET /api/v3/repos/${TAP} 200`,
      `GET ${contents} 200`,
      `GET ${contents} 200`,
      `GET /api/v3/repos/${TAP}/commits 200`,
      `GET /api/v3/repos/${TAP}/commits/${created.commit.sha} 200`,
    ]);
  });

  const releaseBody = (draft: boolean, body = "notes"): Record<string, unknown> => ({
    tag_name: "v0.17.0",
    target_commitish: "main",
    name: "SPLAI v0.17.0",
    body,
    draft,
    prerelease: false,
    generate_release_notes: false,
  });
  const releases = `/api/v3/repos/${REPO}/releases`;

  it("github.Release draft: true then draft: false: POST the draft, then replace it (DELETE, POST published)", async () => {
    const emu = await start();
    await clearLog(emu);
    await call(emu, "/api/v3/orgs/splai");
    const draft = (await call(emu, releases, { method: "POST", body: releaseBody(true) })).json as Release;
    assert.match(draft.html_url, /\/releases\/tag\/untagged-[0-9a-f]{20}$/);
    await call(emu, "/api/v3/orgs/splai");
    await call(emu, `${releases}/${draft.id}`, { method: "DELETE" });
    const published = (await call(emu, releases, { method: "POST", body: releaseBody(false) })).json as Release;
    assert.equal(published.html_url, `${emu.url}splai/splai/releases/tag/v0.17.0`);
    assert.ok(published.published_at !== null);
    assert.deepEqual(await requestLog(emu), [
      "GET /api/v3/orgs/splai 404",
      `POST ${releases} 201`,
      "GET /api/v3/orgs/splai 404",
      `DELETE ${releases}/${draft.id} 204`,
      `POST ${releases} 201`,
    ]);
  });

  it("github.Release refresh, notes edit and destroy: GET, PATCH with every field, DELETE", async () => {
    const emu = await start();
    const rel = (await call(emu, releases, { method: "POST", body: releaseBody(false) })).json as Release;
    await clearLog(emu);
    assert.equal(((await call(emu, `${releases}/${rel.id}`)).json as Release).body, "notes");
    const edited = await call(emu, `${releases}/${rel.id}`, { method: "PATCH", body: releaseBody(false, "edited") });
    assert.equal((edited.json as Release).body, "edited");
    await call(emu, `${releases}/${rel.id}`, { method: "DELETE" });
    assert.equal((await call(emu, `${releases}/${rel.id}`)).status, 404, "a refresh after this drops it from state");
    assert.deepEqual(await requestLog(emu), [
      `GET ${releases}/${rel.id} 200`,
      `PATCH ${releases}/${rel.id} 200`,
      `DELETE ${releases}/${rel.id} 204`,
      `GET ${releases}/${rel.id} 404`,
    ]);
  });

  it("github.Release on an immutable repository: published by replacement, notes edited, deleted, its tag refused after", async () => {
    const emu = await start({ immutableReleases: true });
    const draft = (await call(emu, releases, { method: "POST", body: releaseBody(true) })).json as Release;
    await call(emu, `${releases}/${draft.id}`, { method: "DELETE" });
    const published = (await call(emu, releases, { method: "POST", body: releaseBody(false) })).json as Release;
    assert.equal(published.immutable, true);
    await clearLog(emu);
    await call(emu, `${releases}/${published.id}`, { method: "PATCH", body: releaseBody(false, "edited") });
    await call(emu, `${releases}/${published.id}`);
    await call(emu, `${releases}/${published.id}`, { method: "DELETE" });
    const again = await call(emu, releases, { method: "POST", body: releaseBody(false) });
    assert.match(JSON.stringify(again.json), /tag_name was used by an immutable release/);
    assert.deepEqual(await requestLog(emu), [
      `PATCH ${releases}/${published.id} 200`,
      `GET ${releases}/${published.id} 200`,
      `DELETE ${releases}/${published.id} 204`,
      `POST ${releases} 422`,
    ]);
  });
});

describe("github emulator: CLI flags", () => {
  it("turns immutable releases on for the repository named by --immutable-releases", async () => {
    const stateDir = tempDir();
    const script = join(__dirname, "main.ts");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        script,
        "--port",
        "0",
        "--state",
        stateDir,
        "--repo",
        REPO,
        "--repo",
        TAP,
        "--immutable-releases",
        TAP,
      ],
      { env: { ...process.env, GITHUB_EMULATOR_TOKEN: TOKEN }, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    });
    let out = "";
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 20s: ${out}`)), 20_000);
      child.stdout.on("data", (chunk: Buffer) => {
        out += chunk.toString("utf8");
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.on("exit", () => reject(new Error(`exited early: ${out}`)));
    });
    const repos = (await (await fetch(`${url}/_emulator/repos`)).json()) as {
      full_name: string;
      immutable_releases: boolean;
    }[];
    assert.deepEqual(
      repos.map((r) => [r.full_name, r.immutable_releases]),
      [
        [REPO, false],
        [TAP, true],
      ],
    );
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });
});
