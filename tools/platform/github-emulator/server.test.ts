// Tests for the loopback GitHub REST emulator that integration tests put in place of api.github.com.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, it } from "node:test";
import { startGitHubEmulator, type GitHubEmulator, type GitHubEmulatorOptions } from "./server";

const TOKEN = "ghp_emulatortesttoken000000000000000000";
const RO_TOKEN = "ghp_readonlytesttoken00000000000000000";
const REPO = "splai/splai";

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
  html_url: string;
  url: string;
  upload_url: string;
  assets_url: string;
  tarball_url: string;
  zipball_url: string;
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
  errors?: { resource: string; code: string; field: string }[];
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
