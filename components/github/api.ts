// Minimal GitHub REST client for release assets (which no Pulumi resource manages), with the same base-URL rules as go-github.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";

/** `https://api.github.com/` stays; any other base gets `api/v3/`, as go-github does for GitHub Enterprise. */
export function apiBase(baseUrl: string): string {
  const u = new URL(baseUrl.endsWith("/") ? baseUrl : `${baseUrl}/`);
  if (u.hostname === "api.github.com") return u.toString();
  return u.pathname.endsWith("/api/v3/") ? u.toString() : new URL("api/v3/", u).toString();
}

export interface Asset {
  id: number;
  name: string;
  size: number;
  digest?: string | null;
  browser_download_url: string;
}

export class GitHubError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class GitHubClient {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  /** One request; retries 5xx and network errors for safe methods only (GET, DELETE). */
  async call(
    method: string,
    pathOrUrl: string,
    body?: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const url = pathOrUrl.startsWith("http") ? pathOrUrl : new URL(pathOrUrl.replace(/^\//, ""), this.base).toString();
    const safe = method === "GET" || method === "DELETE";
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      try {
        res = await fetch(url, {
          method,
          body,
          headers: {
            accept: "application/vnd.github+json",
            authorization: `Bearer ${this.token}`,
            "x-github-api-version": "2022-11-28",
            ...headers,
          },
          signal: AbortSignal.timeout(120_000),
        });
      } catch (err) {
        if (!safe || attempt >= 4) throw new GitHubError(`${method} ${url}: ${(err as Error).message}`, 0);
      }
      if (res && (res.status < 500 || !safe || attempt >= 4)) return res;
      await sleep(500 * 2 ** attempt);
    }
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      body === undefined ? {} : { "content-type": "application/json" },
    );
    if (!res.ok) throw await this.error(method, path, res);
    return (await res.json()) as T;
  }

  async error(method: string, path: string, res: Response): Promise<GitHubError> {
    const text = await res.text();
    let msg = text;
    try {
      msg = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      /* not JSON */
    }
    const hint =
      res.status === 401
        ? " (the token is missing or invalid: check splai-release:githubToken / GITHUB_TOKEN)"
        : res.status === 403
          ? " (the token lacks permission: it needs contents:write on the repository)"
          : res.status === 404
            ? " (unknown repository or release, or the token cannot see it)"
            : "";
    return new GitHubError(`GitHub ${method} ${path}: HTTP ${res.status} ${msg}${hint}`, res.status);
  }

  async listAssets(owner: string, repo: string, releaseId: number): Promise<Asset[]> {
    const all: Asset[] = [];
    for (let page = 1; ; page++) {
      const batch = await this.json<Asset[]>(
        "GET",
        `repos/${owner}/${repo}/releases/${releaseId}/assets?per_page=100&page=${page}`,
      );
      all.push(...batch);
      if (batch.length < 100) return all;
    }
  }

  /**
   * Makes the release's assets match `files` by name and SHA-256. On a draft (or a branch build's prerelease) it uploads
   * what is missing or changed and checks each upload's digest. On a published release nothing is ever replaced: an
   * asset with other bytes is refused by name, equal ones are left alone, and a missing one is uploaded only where
   * GitHub still allows it.
   */
  async syncAssets(
    owner: string,
    repo: string,
    releaseId: number,
    files: string[],
    log: (m: string) => void,
  ): Promise<(Asset & { sha256: string })[]> {
    const release = await this.json<{ upload_url: string; draft: boolean; prerelease: boolean; tag_name: string }>(
      "GET",
      `repos/${owner}/${repo}/releases/${releaseId}`,
    );
    // A branch build's prerelease follows its branch (like its `latest` tags): a rebuild of a changed tree replaces its
    // files. A release's files never change once published.
    const replaceable = release.draft || release.prerelease;
    const uploadBase = release.upload_url.replace(/\{.*$/, "");
    const existing = new Map((await this.listAssets(owner, repo, releaseId)).map((a) => [a.name, a]));
    const result: (Asset & { sha256: string })[] = [];
    const refused: string[] = [];
    for (const file of files) {
      const name = basename(file);
      const bytes = readFileSync(file);
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      const have = existing.get(name);
      if (have) {
        const remoteSha = have.digest?.startsWith("sha256:")
          ? have.digest.slice(7)
          : await this.assetSha(owner, repo, have.id);
        if (remoteSha === sha256) {
          result.push({ ...have, sha256 });
          continue;
        }
        if (!replaceable) {
          refused.push(`${name} (released sha256 ${remoteSha}, this build ${sha256})`);
          continue;
        }
        log(`replacing ${name} on the ${release.draft ? "draft" : "prerelease"} (content changed)`);
        const del = await this.call("DELETE", `repos/${owner}/${repo}/releases/assets/${have.id}`);
        if (!del.ok && del.status !== 404) throw await this.error("DELETE", `asset ${name}`, del);
      }
      log(`uploading ${name} (${bytes.length} bytes)`);
      const res = await this.call("POST", `${uploadBase}?name=${encodeURIComponent(name)}`, bytes, {
        "content-type": "application/octet-stream",
      });
      if (!res.ok) throw await this.error("POST", `upload ${name}`, res);
      const uploaded = (await res.json()) as Asset;
      // What GitHub stored must be what was built: its digest, where it reports one, is checked.
      if (uploaded.digest && uploaded.digest !== `sha256:${sha256}`)
        throw new Error(
          `GitHub stored ${name} as ${uploaded.digest}, but the file is sha256:${sha256}; the upload was corrupted`,
        );
      result.push({ ...uploaded, sha256 });
    }
    if (refused.length)
      throw new Error(
        `release ${release.tag_name} is published and its assets are never replaced, but this build has other bytes for: ` +
          `${refused.join("; ")}. Release a new version (a new commit or tag) instead.`,
      );
    return result;
  }

  /**
   * Makes the release's title, notes and prerelease flag these, and publishes it if it is still a draft (its assets
   * complete). `draft` is sent only to publish: a published release is never turned back into a draft. Nothing is sent
   * when everything already matches.
   */
  async publishRelease(
    owner: string,
    repo: string,
    releaseId: number,
    want: { name: string; body: string; prerelease: boolean },
  ): Promise<{ html_url: string; draft: boolean }> {
    type Rel = { html_url: string; draft: boolean; name: string | null; body: string | null; prerelease: boolean };
    const path = `repos/${owner}/${repo}/releases/${releaseId}`;
    const release = await this.json<Rel>("GET", path);
    const patch: Record<string, unknown> = {};
    if ((release.name ?? "") !== want.name) patch.name = want.name;
    if ((release.body ?? "") !== want.body) patch.body = want.body;
    if (release.prerelease !== want.prerelease) patch.prerelease = want.prerelease;
    if (release.draft) patch.draft = false;
    if (Object.keys(patch).length === 0) return release;
    return this.json<Rel>("PATCH", path, patch);
  }

  private async assetSha(owner: string, repo: string, id: number): Promise<string> {
    const res = await this.call("GET", `repos/${owner}/${repo}/releases/assets/${id}`, undefined, {
      accept: "application/octet-stream",
    });
    if (!res.ok) throw await this.error("GET", `asset ${id}`, res);
    return createHash("sha256")
      .update(Buffer.from(await res.arrayBuffer()))
      .digest("hex");
  }
}
