// Loopback stand-in for the GitHub REST API subset that @pulumi/github (terraform-provider-github over go-github) uses for releases and repository files, so integration tests never reach api.github.com.
//
// REST routes (under /api/v3/, or bare): users and orgs, repositories, releases and their assets (uploads under /api/uploads/),
// the immutable-releases setting, repository contents, branches, commits, git refs and blobs. Web routes: release downloads
// (/{owner}/{repo}/releases/download/{tag}/{name}) and raw files (/{owner}/{repo}/raw/{ref}/{path}).
//
// Admin API (no token, never logged, never faulted), beside the REST routes:
//   GET    /_emulator/health                      {status, repos}
//   GET    /_emulator/state                       the persisted state (no tokens are ever stored)
//   GET    /_emulator/requests                    the request log: {seq, time, method, path, status, fault}
//   DELETE /_emulator/requests                    empties the log
//   POST   /_emulator/reset                       drops releases, assets and commits; repositories go back to their start settings
//   GET    /_emulator/faults                      the armed faults
//   POST   /_emulator/faults                      arms one: {status?, count?, after?, match?, method?, body?, headers?, delayMs?, drop?}
//                                                  (after: let that many matching requests through first)
//   DELETE /_emulator/faults                      disarms all
//   GET    /_emulator/repos                       every repository's settings: [{full_name, default_branch, immutable_releases}]
//   GET    /_emulator/repos/{owner}/{repo}        one repository's settings
//   PATCH  /_emulator/repos/{owner}/{repo}        {"immutable_releases": true|false}: GitHub's "Enable release immutability" setting
// The same setting is reachable the way GitHub exposes it (GET/PUT/DELETE /repos/{owner}/{repo}/immutable-releases) and at start
// (`immutableReleases` option, `--immutable-releases [owner/name]` flag).
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  createReadStream,
  createWriteStream,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { blobSha, commitSha, lineStats, treeSha, wrappedBase64, type GitPerson } from "./git";

export interface EmulatorToken {
  value: string;
  /** A token without push access: every write answers 403 and drafts stay invisible, as for a read-only fine-grained PAT. */
  readOnly?: boolean;
  /** The account the token authenticates as; defaults to the first User-type owner. */
  login?: string;
}

export interface EmulatorOwner {
  login: string;
  type: "User" | "Organization";
}

export interface GitHubEmulatorOptions {
  port?: number;
  host?: "127.0.0.1";
  stateDir: string;
  tokens: EmulatorToken[];
  repos: string[];
  owners?: EmulatorOwner[];
  /** GitHub's "Enable release immutability" repository setting at start: true for every declared repo, or the owner/name of those that have it. */
  immutableReleases?: boolean | string[];
  /** Requests per token per hour before GitHub-style 403 rate limiting; 5000 like a PAT. */
  rateLimit?: number;
}

export interface GitHubEmulator {
  url: string;
  port: number;
  close(): Promise<void>;
}

type AccountType = "User" | "Organization";

interface AccountRecord {
  id: number;
  login: string;
  type: AccountType;
  createdAt: string;
}

interface RepoRecord {
  id: number;
  owner: string;
  name: string;
  defaultBranch: string;
  createdAt: string;
  latestReleaseId: number | null;
  /** GitHub's "Enable release immutability": releases published while it is on are immutable for good. */
  immutableReleases: boolean;
  /** Tags of deleted immutable releases, which GitHub never lets a release use again. */
  retiredTags: string[];
  /** Branch name → head commit sha. */
  branches: Record<string, string>;
}

interface FileChange {
  filename: string;
  status: "added" | "modified" | "removed";
  /** The blob after the change; for a removal, the blob that was removed. */
  sha: string;
  additions: number;
  deletions: number;
}

interface CommitRecord {
  sha: string;
  repoId: number;
  tree: string;
  /** The whole snapshot, path → blob sha: tap and release repositories are small. */
  files: Record<string, string>;
  parents: string[];
  message: string;
  author: GitPerson;
  committer: GitPerson;
  /** Accounts GitHub links the author and committer to; null for GitHub's own web-flow committer. */
  authorLogin: string | null;
  committerLogin: string | null;
  /** GitHub signs the commits it makes itself (no committer given), so those verify. */
  verified: boolean;
  changes: FileChange[];
}

interface ReleaseRecord {
  id: number;
  repoId: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  /** Stamped when the release is published while the repository has immutable releases on; never cleared. */
  immutable: boolean;
  discussionCategoryName: string | null;
  authorLogin: string;
  /** GitHub files drafts under `untagged-<hex>` until they are published. */
  untaggedSlug: string;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

interface AssetRecord {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  contentType: string;
  size: number;
  sha256: string;
  downloadCount: number;
  uploaderLogin: string;
  createdAt: string;
  updatedAt: string;
}

interface PersistedState {
  version: 1;
  counters: { account: number; repo: number; release: number; asset: number };
  accounts: AccountRecord[];
  repos: RepoRecord[];
  releases: ReleaseRecord[];
  assets: AssetRecord[];
  commits: CommitRecord[];
}

interface Fault {
  id: number;
  status: number | null;
  remaining: number;
  /** Matching requests still to let through before the fault applies (the fourth upload: after 3). */
  skip: number;
  match: string;
  method: string | null;
  body: unknown;
  headers: Record<string, string>;
  delayMs: number;
  drop: boolean;
}

interface LogEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  status: number;
  fault: boolean;
}

interface Caller {
  login: string;
  readOnly: boolean;
  tokenKey: string;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  params: Record<string, string>;
  caller: Caller;
  bases: Bases;
  rate: RateInfo;
}

interface Bases {
  api: string;
  uploads: string;
  web: string;
}

interface RateInfo {
  limit: number;
  remaining: number;
  reset: number;
  used: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Route {
  method: string;
  pattern: RegExp;
  write: boolean;
  handler: (ctx: Ctx) => Promise<void> | void;
}

/** Thrown by handlers to answer with a GitHub-shaped error body. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, Json> = {},
  ) {
    super(message);
  }
}

const DOCS = "https://docs.github.com/rest";
const JSON_TYPE = "application/json; charset=utf-8";
const MAX_JSON_BYTES = 10 * 1024 * 1024;
// GitHub's own limit on release notes; longer bodies are a 422, so generated changelogs can trip it.
const MAX_RELEASE_BODY = 125_000;
const MAX_LOG_ENTRIES = 10_000;

function nowIso(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

function nodeId(prefix: string, id: number): string {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(id));
  return `${prefix}_kgDO${buf.toString("base64url")}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function validationFailed(errors: Record<string, Json>[], doc: string): ApiError {
  return new ApiError(422, "Validation Failed", {
    errors,
    documentation_url: doc,
  });
}

function invalidRequest(problems: string[], doc: string): ApiError {
  return new ApiError(422, `Invalid request.\n\n${problems.join("\n")}`, {
    documentation_url: doc,
  });
}

/** The subset of `git check-ref-format` that GitHub enforces on release tags. */
function isValidTagName(tag: string): boolean {
  if (tag.length === 0 || tag === "@") return false;
  if (tag.startsWith("/") || tag.endsWith("/") || tag.endsWith(".") || tag.endsWith(".lock")) return false;
  if (tag.includes("..") || tag.includes("@{") || tag.includes("//")) return false;
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(tag)) return false;
  return !tag.split("/").some((part) => part.startsWith("."));
}

/** GitHub rewrites asset names with characters outside a safe set to dots and strips edge dots, so duplicates are judged on the rewritten name. */
function normalizeAssetName(raw: string): string {
  const replaced = raw.replace(/[^A-Za-z0-9._\-+@~]/g, ".").replace(/^\.+|\.+$/g, "");
  return replaced === "" ? "default" : replaced;
}

function parsePositiveInt(v: string | null, fallback: number): number {
  if (v === null || !/^\d+$/.test(v)) return fallback;
  const n = Number(v);
  return n >= 1 ? n : fallback;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () =>
      tooLarge ? reject(new ApiError(413, "Request body too large")) : resolve(Buffer.concat(chunks)),
    );
    req.on("error", reject);
  });
}

function drain(req: IncomingMessage): Promise<void> {
  if (req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    req.on("end", resolve);
    req.on("error", () => resolve());
    req.resume();
  });
}

/** Persisted state with atomic JSON snapshots, one file per asset and one per git blob (named by its sha). */
class Store {
  state: PersistedState;
  private readonly file: string;
  readonly assetDir: string;
  readonly blobDir: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.assetDir = join(dir, "assets");
    mkdirSync(this.assetDir, { recursive: true });
    this.blobDir = join(dir, "blobs");
    mkdirSync(this.blobDir, { recursive: true });
    this.file = join(dir, "state.json");
    this.state = existsSync(this.file) ? Store.parse(readFileSync(this.file, "utf8")) : Store.empty();
  }

  private static empty(): PersistedState {
    // Distinct id ranges per kind make a release id passed where an asset id belongs fail loudly instead of hitting a neighbour.
    return {
      version: 1,
      counters: {
        account: 1000,
        repo: 50_000,
        release: 1_000_000,
        asset: 2_000_000,
      },
      accounts: [],
      repos: [],
      releases: [],
      assets: [],
      commits: [],
    };
  }

  private static parse(text: string): PersistedState {
    const parsed: unknown = JSON.parse(text);
    if (!isRecord(parsed) || parsed.version !== 1) throw new Error("github emulator: unsupported state file version");
    const state = parsed as unknown as PersistedState;
    // State written before immutable releases and repository contents existed gets their defaults.
    state.commits ??= [];
    for (const r of state.repos) {
      r.immutableReleases ??= false;
      r.retiredTags ??= [];
      r.branches ??= {};
    }
    for (const r of state.releases) r.immutable ??= false;
    return state;
  }

  nextId(kind: keyof PersistedState["counters"]): number {
    this.state.counters[kind] += 1;
    return this.state.counters[kind];
  }

  assetPath(id: number): string {
    return join(this.assetDir, `${id}.bin`);
  }

  /** Stores a blob under its git sha; identical content is stored once. */
  writeBlob(content: Buffer): string {
    const sha = blobSha(content);
    const file = join(this.blobDir, sha);
    if (!existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, content);
      renameSync(tmp, file);
    }
    return sha;
  }

  readBlob(sha: string): Buffer {
    return readFileSync(join(this.blobDir, sha));
  }

  blobSize(sha: string): number {
    return statSync(join(this.blobDir, sha)).size;
  }

  /** Write-then-rename with fsync so a crash mid-write never leaves a torn state file behind. */
  save(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, JSON.stringify(this.state, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
  }
}

export async function startGitHubEmulator(opts: GitHubEmulatorOptions): Promise<GitHubEmulator> {
  if (opts.tokens.length === 0) throw new Error("github emulator: at least one token is required");
  const host = opts.host ?? "127.0.0.1";
  const rateLimit = opts.rateLimit ?? 5000;
  const store = new Store(opts.stateDir);
  const faults: Fault[] = [];
  const requestLog: LogEntry[] = [];
  const rateUsage = new Map<string, { used: number; reset: number }>();
  let faultSeq = 0;
  let logSeq = 0;

  const findAccount = (login: string): AccountRecord | undefined =>
    store.state.accounts.find((a) => a.login.toLowerCase() === login.toLowerCase());
  const ensureAccount = (login: string, type: AccountType | undefined): AccountRecord => {
    const existing = findAccount(login);
    if (existing) {
      if (type !== undefined) existing.type = type;
      return existing;
    }
    const rec: AccountRecord = {
      id: store.nextId("account"),
      login,
      type: type ?? "User",
      createdAt: nowIso(),
    };
    store.state.accounts.push(rec);
    return rec;
  };

  const declaredOwners = new Map<string, AccountType>();
  for (const o of opts.owners ?? []) declaredOwners.set(o.login.toLowerCase(), o.type);
  for (const o of opts.owners ?? []) ensureAccount(o.login, o.type);
  for (const full of opts.repos) {
    const m = /^([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)$/.exec(full);
    if (!m || m[1] === undefined || m[2] === undefined)
      throw new Error(`github emulator: repo must be owner/name, got ${JSON.stringify(full)}`);
    const [owner, name] = [m[1], m[2]];
    // An owner not declared otherwise is a user, so a provider without `owner` that asks GET /user lands on the repo owner.
    const account = ensureAccount(owner, declaredOwners.get(owner.toLowerCase()));
    if (
      !store.state.repos.some(
        (r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
      )
    ) {
      store.state.repos.push({
        id: store.nextId("repo"),
        owner: account.login,
        name,
        defaultBranch: "main",
        createdAt: nowIso(),
        latestReleaseId: null,
        immutableReleases: false,
        retiredTags: [],
        branches: {},
      });
    }
  }
  // The start options define the setting for every declared repository on each start; the admin API changes it until the next start or reset.
  const immutableAtStart = new Set<string>();
  if (Array.isArray(opts.immutableReleases)) {
    for (const full of opts.immutableReleases) {
      if (!opts.repos.some((r) => r.toLowerCase() === full.toLowerCase()))
        throw new Error(
          `github emulator: immutable releases asked for ${JSON.stringify(full)}, which is not a declared repo`,
        );
      immutableAtStart.add(full.toLowerCase());
    }
  } else if (opts.immutableReleases === true) for (const full of opts.repos) immutableAtStart.add(full.toLowerCase());
  const applyStartSettings = (): void => {
    for (const full of opts.repos) {
      const repo = store.state.repos.find((r) => `${r.owner}/${r.name}`.toLowerCase() === full.toLowerCase());
      if (repo) repo.immutableReleases = immutableAtStart.has(full.toLowerCase());
    }
  };
  applyStartSettings();
  // A repository starts the way GitHub's "Initialize this repository" leaves it: one commit on the default branch (here with an empty tree).
  const initRepoContents = (repo: RepoRecord): void => {
    const owner = findAccount(repo.owner);
    const person: GitPerson = {
      name: repo.owner,
      email: `${owner?.id ?? 0}+${repo.owner}@users.noreply.github.com`,
      date: repo.createdAt,
    };
    const tree = treeSha({});
    const message = "Initial commit";
    const commit: CommitRecord = {
      sha: commitSha({ tree, parents: [], author: person, committer: person, message }),
      repoId: repo.id,
      tree,
      files: {},
      parents: [],
      message,
      author: person,
      committer: person,
      authorLogin: repo.owner,
      committerLogin: repo.owner,
      verified: false,
      changes: [],
    };
    store.state.commits.push(commit);
    repo.branches = { [repo.defaultBranch]: commit.sha };
  };
  for (const repo of store.state.repos) if (Object.keys(repo.branches).length === 0) initRepoContents(repo);
  const defaultLogin = store.state.accounts.find((a) => a.type === "User")?.login ?? "emulator-user";
  const tokens = new Map<string, Caller>();
  for (const t of opts.tokens) {
    if (t.value === "") throw new Error("github emulator: empty token");
    const account = ensureAccount(t.login ?? defaultLogin, t.login === undefined ? undefined : "User");
    tokens.set(t.value, {
      login: account.login,
      readOnly: t.readOnly ?? false,
      tokenKey: createHash("sha256").update(t.value).digest("hex").slice(0, 16),
    });
  }
  store.save();

  const repoByName = (owner: string, name: string): RepoRecord | undefined =>
    store.state.repos.find(
      (r) => r.owner.toLowerCase() === owner.toLowerCase() && r.name.toLowerCase() === name.toLowerCase(),
    );
  const requireRepo = (ctx: Ctx): RepoRecord => {
    const repo = repoByName(ctx.params.owner ?? "", ctx.params.repo ?? "");
    if (!repo)
      throw new ApiError(404, "Not Found", {
        documentation_url: `${DOCS}/repos/repos#get-a-repository`,
      });
    return repo;
  };
  // Drafts are visible only to callers with push access, exactly as on GitHub.
  const visible = (rel: ReleaseRecord, caller: Caller): boolean => !rel.draft || !caller.readOnly;
  const requireRelease = (ctx: Ctx, repo: RepoRecord, id: string | undefined): ReleaseRecord => {
    const rel = store.state.releases.find((r) => r.repoId === repo.id && String(r.id) === id);
    if (!rel || !visible(rel, ctx.caller))
      throw new ApiError(404, "Not Found", {
        documentation_url: `${DOCS}/releases/releases#get-a-release`,
      });
    return rel;
  };
  const requireAsset = (ctx: Ctx, repo: RepoRecord): { asset: AssetRecord; release: ReleaseRecord } => {
    const asset = store.state.assets.find((a) => String(a.id) === ctx.params.assetId);
    const release = asset && store.state.releases.find((r) => r.id === asset.releaseId && r.repoId === repo.id);
    if (!asset || !release || !visible(release, ctx.caller))
      throw new ApiError(404, "Not Found", {
        documentation_url: `${DOCS}/releases/assets#get-a-release-asset`,
      });
    return { asset, release };
  };
  const assetsOf = (rel: ReleaseRecord): AssetRecord[] =>
    store.state.assets.filter((a) => a.releaseId === rel.id).sort((a, b) => a.id - b.id);
  const repoOfRelease = (rel: ReleaseRecord): RepoRecord => {
    const repo = store.state.repos.find((r) => r.id === rel.repoId);
    if (!repo) throw new Error(`github emulator: release ${rel.id} has no repository`);
    return repo;
  };
  const publishedWithTag = (repo: RepoRecord, tag: string, exceptId: number): ReleaseRecord | undefined =>
    store.state.releases.find((r) => r.repoId === repo.id && r.id !== exceptId && !r.draft && r.tagName === tag);
  // Immutable releases, as GitHub documents them (docs.github.com/en/code-security/concepts/supply-chain-security/immutable-releases and
  // its GHES 3.21 copy): once published with the repository setting on, a release's assets and tag are locked; the title, notes,
  // prerelease flag and latest marking stay editable (also measured in github/docs#45730); the release itself may be deleted, but its
  // tag can never be used by a release again. The refusals below carry the status and text GitHub answers with where they are on
  // record: 422 "Cannot upload assets to an immutable release." (e.g. softprops/action-gh-release#653), 422 Validation Failed with
  // "Cannot delete asset from an immutable release" (uutils/coreutils#13839), 422 "tag_name was used by an immutable release"
  // (github community discussion #178351). Editing an asset, moving the tag or target and turning the release back into a draft have
  // no recorded text, so they answer the same 422 Validation Failed shape with a message naming the refused operation.
  const retiredTagError = (repo: RepoRecord, tag: string, doc: string): ApiError | null =>
    repo.retiredTags.includes(tag)
      ? validationFailed(
          [
            {
              resource: "Release",
              code: "custom",
              field: "tag_name",
              message: "tag_name was used by an immutable release",
            },
          ],
          doc,
        )
      : null;
  const latestOf = (repo: RepoRecord): ReleaseRecord | undefined => {
    const eligible = store.state.releases.filter((r) => r.repoId === repo.id && !r.draft && !r.prerelease);
    const pinned = eligible.find((r) => r.id === repo.latestReleaseId);
    if (pinned) return pinned;
    return eligible.sort((a, b) =>
      b.createdAt === a.createdAt ? b.id - a.id : b.createdAt.localeCompare(a.createdAt),
    )[0];
  };

  const simpleUser = (login: string, bases: Bases): Record<string, Json> => {
    const acc = findAccount(login) ?? ensureAccount(login, "User");
    const api = `${bases.api}users/${acc.login}`;
    return {
      login: acc.login,
      id: acc.id,
      node_id: nodeId(acc.type === "User" ? "U" : "O", acc.id),
      avatar_url: `${bases.web}avatars/u/${acc.id}`,
      gravatar_id: "",
      url: api,
      html_url: `${bases.web}${acc.login}`,
      followers_url: `${api}/followers`,
      following_url: `${api}/following{/other_user}`,
      gists_url: `${api}/gists{/gist_id}`,
      starred_url: `${api}/starred{/owner}{/repo}`,
      subscriptions_url: `${api}/subscriptions`,
      organizations_url: `${api}/orgs`,
      repos_url: `${api}/repos`,
      events_url: `${api}/events{/privacy}`,
      received_events_url: `${api}/received_events`,
      type: acc.type,
      user_view_type: "public",
      site_admin: false,
    };
  };

  const fullUser = (acc: AccountRecord, bases: Bases): Record<string, Json> => ({
    ...simpleUser(acc.login, bases),
    name: null,
    company: null,
    blog: "",
    location: null,
    email: null,
    hireable: null,
    bio: null,
    twitter_username: null,
    public_repos: store.state.repos.filter((r) => r.owner === acc.login).length,
    public_gists: 0,
    followers: 0,
    following: 0,
    created_at: acc.createdAt,
    updated_at: acc.createdAt,
  });

  const orgJson = (acc: AccountRecord, bases: Bases): Record<string, Json> => {
    const api = `${bases.api}orgs/${acc.login}`;
    return {
      login: acc.login,
      id: acc.id,
      node_id: nodeId("O", acc.id),
      url: api,
      repos_url: `${api}/repos`,
      events_url: `${api}/events`,
      hooks_url: `${api}/hooks`,
      issues_url: `${api}/issues`,
      members_url: `${api}/members{/member}`,
      public_members_url: `${api}/public_members{/member}`,
      avatar_url: `${bases.web}avatars/u/${acc.id}`,
      description: null,
      name: acc.login,
      company: null,
      blog: "",
      location: null,
      email: null,
      twitter_username: null,
      is_verified: false,
      has_organization_projects: true,
      has_repository_projects: true,
      public_repos: store.state.repos.filter((r) => r.owner === acc.login).length,
      public_gists: 0,
      followers: 0,
      following: 0,
      html_url: `${bases.web}${acc.login}`,
      created_at: acc.createdAt,
      updated_at: acc.createdAt,
      archived_at: null,
      type: "Organization",
    };
  };

  const repoJson = (repo: RepoRecord, caller: Caller, bases: Bases): Record<string, Json> => {
    const full = `${repo.owner}/${repo.name}`;
    const api = `${bases.api}repos/${full}`;
    const webHost = new URL(bases.web).host;
    const owner = findAccount(repo.owner);
    const base: Record<string, Json> = {
      id: repo.id,
      node_id: nodeId("R", repo.id),
      name: repo.name,
      full_name: full,
      private: false,
      owner: simpleUser(repo.owner, bases),
      html_url: `${bases.web}${full}`,
      description: null,
      fork: false,
      url: api,
      forks_url: `${api}/forks`,
      keys_url: `${api}/keys{/key_id}`,
      collaborators_url: `${api}/collaborators{/collaborator}`,
      teams_url: `${api}/teams`,
      hooks_url: `${api}/hooks`,
      issue_events_url: `${api}/issues/events{/number}`,
      events_url: `${api}/events`,
      assignees_url: `${api}/assignees{/user}`,
      branches_url: `${api}/branches{/branch}`,
      tags_url: `${api}/tags`,
      blobs_url: `${api}/git/blobs{/sha}`,
      git_tags_url: `${api}/git/tags{/sha}`,
      git_refs_url: `${api}/git/refs{/sha}`,
      trees_url: `${api}/git/trees{/sha}`,
      statuses_url: `${api}/statuses/{sha}`,
      languages_url: `${api}/languages`,
      stargazers_url: `${api}/stargazers`,
      contributors_url: `${api}/contributors`,
      subscribers_url: `${api}/subscribers`,
      subscription_url: `${api}/subscription`,
      commits_url: `${api}/commits{/sha}`,
      git_commits_url: `${api}/git/commits{/sha}`,
      comments_url: `${api}/comments{/number}`,
      issue_comment_url: `${api}/issues/comments{/number}`,
      contents_url: `${api}/contents/{+path}`,
      compare_url: `${api}/compare/{base}...{head}`,
      merges_url: `${api}/merges`,
      archive_url: `${api}/{archive_format}{/ref}`,
      downloads_url: `${api}/downloads`,
      issues_url: `${api}/issues{/number}`,
      pulls_url: `${api}/pulls{/number}`,
      milestones_url: `${api}/milestones{/number}`,
      notifications_url: `${api}/notifications{?since,all,participating}`,
      labels_url: `${api}/labels{/name}`,
      releases_url: `${api}/releases{/id}`,
      deployments_url: `${api}/deployments`,
      created_at: repo.createdAt,
      updated_at: repo.createdAt,
      pushed_at: repo.createdAt,
      git_url: `git://${webHost}/${full}.git`,
      ssh_url: `git@${new URL(bases.web).hostname}:${full}.git`,
      clone_url: `${bases.web}${full}.git`,
      svn_url: `${bases.web}${full}`,
      homepage: null,
      size: 0,
      stargazers_count: 0,
      watchers_count: 0,
      language: null,
      has_issues: true,
      has_projects: true,
      has_downloads: true,
      has_wiki: true,
      // has_pages false and license null keep the provider's data source from following up with the Pages and license endpoints.
      has_pages: false,
      has_discussions: false,
      forks_count: 0,
      mirror_url: null,
      archived: false,
      disabled: false,
      open_issues_count: 0,
      license: null,
      allow_forking: true,
      is_template: false,
      web_commit_signoff_required: false,
      topics: [],
      visibility: "public",
      forks: 0,
      open_issues: 0,
      watchers: 0,
      default_branch: repo.defaultBranch,
      permissions: {
        admin: !caller.readOnly,
        maintain: !caller.readOnly,
        push: !caller.readOnly,
        triage: !caller.readOnly,
        pull: true,
      },
      allow_squash_merge: true,
      allow_merge_commit: true,
      allow_rebase_merge: true,
      allow_auto_merge: false,
      delete_branch_on_merge: false,
      allow_update_branch: false,
      use_squash_pr_title_as_default: false,
      squash_merge_commit_message: "COMMIT_MESSAGES",
      squash_merge_commit_title: "COMMIT_OR_PR_TITLE",
      merge_commit_message: "PR_TITLE",
      merge_commit_title: "MERGE_MESSAGE",
      network_count: 0,
      subscribers_count: 0,
    };
    if (owner?.type === "Organization") base.organization = simpleUser(owner.login, bases);
    return base;
  };

  const releasePathTag = (rel: ReleaseRecord): string => (rel.draft ? rel.untaggedSlug : rel.tagName);

  const assetJson = (asset: AssetRecord, rel: ReleaseRecord, bases: Bases): Record<string, Json> => {
    const repo = repoOfRelease(rel);
    const full = `${repo.owner}/${repo.name}`;
    return {
      url: `${bases.api}repos/${full}/releases/assets/${asset.id}`,
      id: asset.id,
      node_id: nodeId("RA", asset.id),
      name: asset.name,
      label: asset.label,
      uploader: simpleUser(asset.uploaderLogin, bases),
      content_type: asset.contentType,
      state: "uploaded",
      size: asset.size,
      digest: `sha256:${asset.sha256}`,
      download_count: asset.downloadCount,
      created_at: asset.createdAt,
      updated_at: asset.updatedAt,
      browser_download_url: `${bases.web}${full}/releases/download/${encodeURIComponent(releasePathTag(rel))}/${encodeURIComponent(asset.name)}`,
    };
  };

  const releaseJson = (rel: ReleaseRecord, bases: Bases): Record<string, Json> => {
    const repo = repoOfRelease(rel);
    const full = `${repo.owner}/${repo.name}`;
    const api = `${bases.api}repos/${full}/releases/${rel.id}`;
    const json: Record<string, Json> = {
      url: api,
      assets_url: `${api}/assets`,
      upload_url: `${bases.uploads}repos/${full}/releases/${rel.id}/assets{?name,label}`,
      html_url: `${bases.web}${full}/releases/tag/${encodeURIComponent(releasePathTag(rel))}`,
      id: rel.id,
      author: simpleUser(rel.authorLogin, bases),
      node_id: nodeId("RE", rel.id),
      tag_name: rel.tagName,
      target_commitish: rel.targetCommitish,
      name: rel.name,
      draft: rel.draft,
      immutable: rel.immutable,
      prerelease: rel.prerelease,
      created_at: rel.createdAt,
      updated_at: rel.updatedAt,
      published_at: rel.publishedAt,
      assets: assetsOf(rel).map((a) => assetJson(a, rel, bases)),
      // A draft has no tag yet, so GitHub has no source archive to point at.
      tarball_url: rel.draft ? null : `${bases.api}repos/${full}/tarball/${encodeURIComponent(rel.tagName)}`,
      zipball_url: rel.draft ? null : `${bases.api}repos/${full}/zipball/${encodeURIComponent(rel.tagName)}`,
      body: rel.body,
    };
    // GitHub answers with the discussion link, never the category name, so the provider reads the category back empty.
    if (rel.discussionCategoryName !== null) json.discussion_url = `${bases.web}${full}/discussions/${rel.id}`;
    return json;
  };

  const standardHeaders = (ctx: { res: ServerResponse; req: IncomingMessage }, rate: RateInfo | null): void => {
    const { res, req } = ctx;
    res.setHeader("X-GitHub-Media-Type", mediaTypeHeader(req.headers.accept));
    res.setHeader("X-GitHub-Api-Version-Selected", "2022-11-28");
    res.setHeader("X-GitHub-Request-Id", randomBytes(8).toString("hex").toUpperCase());
    res.setHeader("Vary", "Accept, Authorization, Cookie, X-GitHub-OTP");
    res.setHeader("X-Content-Type-Options", "nosniff");
    if (rate) {
      res.setHeader("X-RateLimit-Limit", String(rate.limit));
      res.setHeader("X-RateLimit-Remaining", String(rate.remaining));
      res.setHeader("X-RateLimit-Reset", String(rate.reset));
      res.setHeader("X-RateLimit-Used", String(rate.used));
      res.setHeader("X-RateLimit-Resource", "core");
    }
  };

  const sendJson = (ctx: Ctx, status: number, body: Json | undefined, headers: Record<string, string> = {}): void => {
    const { res, req } = ctx;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    if (body === undefined) {
      res.writeHead(status);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    if (ctx.method === "GET" && status === 200) {
      const etag = `W/"${createHash("sha256").update(text).digest("hex")}"`;
      res.setHeader("ETag", etag);
      res.setHeader("Cache-Control", "private, max-age=60, s-maxage=60");
      // The provider replays stored ETags through If-None-Match; a match is a bodiless 304, as on GitHub.
      if (req.headers["if-none-match"] === etag) {
        res.writeHead(304);
        res.end();
        return;
      }
    }
    res.setHeader("Content-Type", JSON_TYPE);
    res.setHeader("Content-Length", String(Buffer.byteLength(text)));
    res.writeHead(status);
    res.end(text);
  };

  const sendError = (res: ServerResponse, status: number, message: string, extra: Record<string, Json> = {}): void => {
    const body = {
      message,
      ...extra,
      documentation_url: extra.documentation_url ?? DOCS,
      status: String(status),
    };
    const text = JSON.stringify(body);
    res.setHeader("Content-Type", JSON_TYPE);
    res.setHeader("Content-Length", String(Buffer.byteLength(text)));
    res.writeHead(status);
    res.end(text);
  };

  const paginate = <T>(ctx: Ctx, items: T[]): T[] => {
    const perPage = Math.min(parsePositiveInt(ctx.url.searchParams.get("per_page"), 30), 100);
    const page = parsePositiveInt(ctx.url.searchParams.get("page"), 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string): string => {
      const u = new URL(ctx.url.toString());
      u.searchParams.set("per_page", String(perPage));
      u.searchParams.set("page", String(p));
      return `<${u.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(Math.min(page - 1, last), "prev"));
    if (page < last) links.push(link(page + 1, "next"), link(last, "last"));
    if (page > 1) links.push(link(1, "first"));
    if (links.length > 0) ctx.res.setHeader("Link", links.join(", "));
    return items.slice((page - 1) * perPage, page * perPage);
  };

  const readJsonObject = async (ctx: Ctx): Promise<Record<string, unknown>> => {
    const raw = await readBody(ctx.req, MAX_JSON_BYTES);
    if (raw.length === 0) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new ApiError(400, "Problems parsing JSON");
    }
    if (!isRecord(parsed)) throw new ApiError(400, "Problems parsing JSON");
    return parsed;
  };

  interface ReleaseInput {
    tag_name?: string;
    target_commitish?: string;
    name?: string | null;
    body?: string | null;
    draft?: boolean;
    prerelease?: boolean;
    make_latest?: "true" | "false" | "legacy";
    generate_release_notes?: boolean;
    discussion_category_name?: string;
  }

  const parseReleaseInput = (body: Record<string, unknown>, doc: string): ReleaseInput => {
    const problems: string[] = [];
    const out: ReleaseInput = {};
    const str = (key: "tag_name" | "target_commitish" | "discussion_category_name"): void => {
      const v = body[key];
      if (v === undefined) return;
      if (typeof v !== "string") problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
      else out[key] = v;
    };
    const nullableStr = (key: "name" | "body"): void => {
      const v = body[key];
      if (v === undefined) return;
      if (v !== null && typeof v !== "string")
        problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not a string or null.`);
      else out[key] = v;
    };
    const bool = (key: "draft" | "prerelease" | "generate_release_notes"): void => {
      const v = body[key];
      if (v === undefined) return;
      if (typeof v !== "boolean") problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not a boolean.`);
      else out[key] = v;
    };
    str("tag_name");
    str("target_commitish");
    str("discussion_category_name");
    nullableStr("name");
    nullableStr("body");
    bool("draft");
    bool("prerelease");
    bool("generate_release_notes");
    const ml = body.make_latest;
    if (ml !== undefined) {
      if (ml === "true" || ml === "false" || ml === "legacy") out.make_latest = ml;
      else
        problems.push(
          `For 'properties/make_latest', ${JSON.stringify(ml)} is not a member of ["true", "false", "legacy"].`,
        );
    }
    if (problems.length > 0) throw invalidRequest(problems, doc);
    if (out.tag_name !== undefined && !isValidTagName(out.tag_name)) {
      throw validationFailed(
        [
          {
            resource: "Release",
            code: "custom",
            field: "tag_name",
            message: "tag_name is not a valid tag",
          },
        ],
        doc,
      );
    }
    if (typeof out.body === "string" && out.body.length > MAX_RELEASE_BODY) {
      throw validationFailed(
        [
          {
            resource: "Release",
            code: "custom",
            field: "body",
            message: `body is too long (maximum is ${MAX_RELEASE_BODY} characters)`,
          },
        ],
        doc,
      );
    }
    return out;
  };

  const generatedNotes = (repo: RepoRecord, tag: string, bases: Bases): string => {
    const full = `${repo.owner}/${repo.name}`;
    const previous = latestOf(repo);
    return previous
      ? `**Full Changelog**: ${bases.web}${full}/compare/${previous.tagName}...${tag}`
      : `**Full Changelog**: ${bases.web}${full}/commits/${tag}`;
  };

  const releaseDoc = `${DOCS}/releases/releases`;

  const routes: Route[] = [];
  const route = (method: string, pattern: string, write: boolean, handler: Route["handler"]): void => {
    const source = pattern
      .replace(/:(\w+)\+/g, "(?<$1>.+)")
      .replace(/:(\w+)#/g, "(?<$1>\\d+)")
      .replace(/:(\w+)/g, "(?<$1>[^/]+)");
    routes.push({
      method,
      pattern: new RegExp(`^${source}/?$`),
      write,
      handler,
    });
  };

  route("GET", "/user", false, (ctx) => {
    const acc = findAccount(ctx.caller.login) ?? ensureAccount(ctx.caller.login, "User");
    sendJson(ctx, 200, fullUser(acc, ctx.bases));
  });

  route("GET", "/users/:login", false, (ctx) => {
    const acc = findAccount(ctx.params.login ?? "");
    if (!acc)
      throw new ApiError(404, "Not Found", {
        documentation_url: `${DOCS}/users/users#get-a-user`,
      });
    sendJson(ctx, 200, fullUser(acc, ctx.bases));
  });

  // A user login is a 404 here exactly as on GitHub; the provider ignores that error and carries on with IsOrganization=false.
  route("GET", "/orgs/:org", false, (ctx) => {
    const acc = findAccount(ctx.params.org ?? "");
    if (!acc || acc.type !== "Organization")
      throw new ApiError(404, "Not Found", {
        documentation_url: `${DOCS}/orgs/orgs#get-an-organization`,
      });
    sendJson(ctx, 200, orgJson(acc, ctx.bases));
  });

  route("GET", "/rate_limit", false, (ctx) => {
    const core: Record<string, Json> = {
      limit: ctx.rate.limit,
      remaining: ctx.rate.remaining,
      reset: ctx.rate.reset,
      used: ctx.rate.used,
      resource: "core",
    };
    sendJson(ctx, 200, { resources: { core }, rate: core });
  });

  route("GET", "/repos/:owner/:repo", false, (ctx) => {
    sendJson(ctx, 200, repoJson(requireRepo(ctx), ctx.caller, ctx.bases));
  });

  route("GET", "/repos/:owner/:repo/releases", false, (ctx) => {
    const repo = requireRepo(ctx);
    const all = store.state.releases
      .filter((r) => r.repoId === repo.id && visible(r, ctx.caller))
      .sort((a, b) => (b.createdAt === a.createdAt ? b.id - a.id : b.createdAt.localeCompare(a.createdAt)));
    sendJson(
      ctx,
      200,
      paginate(ctx, all).map((r) => releaseJson(r, ctx.bases)),
    );
  });

  route("POST", "/repos/:owner/:repo/releases", true, async (ctx) => {
    const repo = requireRepo(ctx);
    const input = parseReleaseInput(await readJsonObject(ctx), `${releaseDoc}#create-a-release`);
    if (input.tag_name === undefined)
      throw invalidRequest([`"tag_name" wasn't supplied.`], `${releaseDoc}#create-a-release`);
    const draft = input.draft ?? false;
    // Several drafts may share a tag; only a published release claims it, as on GitHub.
    if (!draft && publishedWithTag(repo, input.tag_name, -1)) {
      throw validationFailed(
        [{ resource: "Release", code: "already_exists", field: "tag_name" }],
        `${releaseDoc}#create-a-release`,
      );
    }
    if (!draft) {
      const retired = retiredTagError(repo, input.tag_name, `${releaseDoc}#create-a-release`);
      if (retired) throw retired;
    }
    const now = nowIso();
    let name = input.name ?? null;
    let body = input.body ?? null;
    if (input.generate_release_notes === true) {
      const notes = generatedNotes(repo, input.tag_name, ctx.bases);
      name = name ?? input.tag_name;
      body = body === null || body === "" ? notes : `${body}\n\n${notes}`;
    }
    const rel: ReleaseRecord = {
      id: store.nextId("release"),
      repoId: repo.id,
      tagName: input.tag_name,
      targetCommitish: input.target_commitish ?? repo.defaultBranch,
      name,
      body,
      draft,
      prerelease: input.prerelease ?? false,
      immutable: !draft && repo.immutableReleases,
      discussionCategoryName: input.discussion_category_name ?? null,
      authorLogin: ctx.caller.login,
      untaggedSlug: `untagged-${randomBytes(10).toString("hex")}`,
      createdAt: now,
      updatedAt: now,
      publishedAt: draft ? null : now,
    };
    store.state.releases.push(rel);
    applyMakeLatest(repo, rel, input.make_latest, true);
    store.save();
    const json = releaseJson(rel, ctx.bases);
    sendJson(ctx, 201, json, { Location: json.url as string });
  });

  const applyMakeLatest = (
    repo: RepoRecord,
    rel: ReleaseRecord,
    makeLatest: ReleaseInput["make_latest"],
    newlyPublished: boolean,
  ): void => {
    if (rel.draft || rel.prerelease || makeLatest === "false") return;
    if (makeLatest === "legacy") repo.latestReleaseId = null;
    else if (makeLatest === "true" || newlyPublished) repo.latestReleaseId = rel.id;
  };

  route("GET", "/repos/:owner/:repo/releases/latest", false, (ctx) => {
    const rel = latestOf(requireRepo(ctx));
    if (!rel)
      throw new ApiError(404, "Not Found", {
        documentation_url: `${releaseDoc}#get-the-latest-release`,
      });
    sendJson(ctx, 200, releaseJson(rel, ctx.bases));
  });

  // go-github does not escape the tag, so tags with slashes arrive as several path segments.
  route("GET", "/repos/:owner/:repo/releases/tags/:tag+", false, (ctx) => {
    const repo = requireRepo(ctx);
    const tag = decodeURIComponent(ctx.params.tag ?? "");
    // Drafts are not attached to a tag yet, so GitHub only finds published releases here.
    const rel = publishedWithTag(repo, tag, -1);
    if (!rel)
      throw new ApiError(404, "Not Found", {
        documentation_url: `${releaseDoc}#get-a-release-by-tag-name`,
      });
    sendJson(ctx, 200, releaseJson(rel, ctx.bases));
  });

  route("GET", "/repos/:owner/:repo/releases/assets/:assetId#", false, async (ctx) => {
    const repo = requireRepo(ctx);
    const { asset, release } = requireAsset(ctx, repo);
    if ((ctx.req.headers.accept ?? "").includes("application/octet-stream")) {
      // GitHub redirects to its object store; serving the bytes directly is what go-github's DownloadReleaseAsset accepts as well.
      await streamAsset(ctx.res, asset);
      return;
    }
    sendJson(ctx, 200, assetJson(asset, release, ctx.bases));
  });

  route("PATCH", "/repos/:owner/:repo/releases/assets/:assetId#", true, async (ctx) => {
    const repo = requireRepo(ctx);
    const { asset, release } = requireAsset(ctx, repo);
    const body = await readJsonObject(ctx);
    const doc = `${DOCS}/releases/assets#update-a-release-asset`;
    const problems: string[] = [];
    for (const key of ["name", "label", "state"]) {
      const v = body[key];
      if (v !== undefined && typeof v !== "string")
        problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
    }
    if (problems.length > 0) throw invalidRequest(problems, doc);
    if (release.immutable)
      throw validationFailed(
        [{ resource: "ReleaseAsset", code: "custom", message: "Cannot update asset of an immutable release" }],
        doc,
      );
    if (typeof body.name === "string") {
      const name = normalizeAssetName(body.name);
      if (assetsOf(release).some((a) => a.id !== asset.id && a.name === name))
        throw validationFailed(
          [
            {
              resource: "ReleaseAsset",
              code: "already_exists",
              field: "name",
            },
          ],
          doc,
        );
      asset.name = name;
    }
    if (typeof body.label === "string") asset.label = body.label;
    asset.updatedAt = nowIso();
    store.save();
    sendJson(ctx, 200, assetJson(asset, release, ctx.bases));
  });

  route("DELETE", "/repos/:owner/:repo/releases/assets/:assetId#", true, (ctx) => {
    const repo = requireRepo(ctx);
    const { asset, release } = requireAsset(ctx, repo);
    if (release.immutable)
      throw validationFailed(
        [{ resource: "ReleaseAsset", code: "custom", message: "Cannot delete asset from an immutable release" }],
        `${DOCS}/releases/assets#delete-a-release-asset`,
      );
    store.state.assets = store.state.assets.filter((a) => a.id !== asset.id);
    store.save();
    rmSync(store.assetPath(asset.id), { force: true });
    sendJson(ctx, 204, undefined);
  });

  route("GET", "/repos/:owner/:repo/releases/:releaseId#", false, (ctx) => {
    const repo = requireRepo(ctx);
    sendJson(ctx, 200, releaseJson(requireRelease(ctx, repo, ctx.params.releaseId), ctx.bases));
  });

  route("PATCH", "/repos/:owner/:repo/releases/:releaseId#", true, async (ctx) => {
    const repo = requireRepo(ctx);
    const rel = requireRelease(ctx, repo, ctx.params.releaseId);
    const doc = `${releaseDoc}#update-a-release`;
    const input = parseReleaseInput(await readJsonObject(ctx), doc);
    if (rel.immutable) {
      const locked: Record<string, Json>[] = [];
      // The provider sends tag_name and target_commitish on every update, so only a change is refused.
      if (input.tag_name !== undefined && input.tag_name !== rel.tagName)
        locked.push({
          resource: "Release",
          code: "custom",
          field: "tag_name",
          message: "Cannot change the tag_name of an immutable release",
        });
      if (input.target_commitish !== undefined && input.target_commitish !== rel.targetCommitish)
        locked.push({
          resource: "Release",
          code: "custom",
          field: "target_commitish",
          message: "Cannot change the target_commitish of an immutable release",
        });
      if (input.draft === true)
        locked.push({
          resource: "Release",
          code: "custom",
          field: "draft",
          message: "Cannot convert an immutable release back to a draft",
        });
      if (locked.length > 0) throw validationFailed(locked, doc);
    }
    const tag = input.tag_name ?? rel.tagName;
    const draft = input.draft ?? rel.draft;
    if (!draft && publishedWithTag(repo, tag, rel.id))
      throw validationFailed([{ resource: "Release", code: "already_exists", field: "tag_name" }], doc);
    if (!draft && (rel.draft || tag !== rel.tagName)) {
      const retired = retiredTagError(repo, tag, doc);
      if (retired) throw retired;
    }
    const wasDraft = rel.draft;
    rel.tagName = tag;
    rel.draft = draft;
    if (input.target_commitish !== undefined) rel.targetCommitish = input.target_commitish;
    if (input.name !== undefined) rel.name = input.name;
    if (input.body !== undefined) rel.body = input.body;
    if (input.prerelease !== undefined) rel.prerelease = input.prerelease;
    if (input.discussion_category_name !== undefined) rel.discussionCategoryName = input.discussion_category_name;
    const now = nowIso();
    rel.updatedAt = now;
    if (wasDraft && !draft) {
      rel.publishedAt = now;
      // Immutability is decided at publication: a draft published while the setting is on becomes immutable.
      rel.immutable = repo.immutableReleases;
    }
    if (draft) rel.publishedAt = null;
    applyMakeLatest(repo, rel, input.make_latest, wasDraft && !draft);
    store.save();
    sendJson(ctx, 200, releaseJson(rel, ctx.bases));
  });

  route("DELETE", "/repos/:owner/:repo/releases/:releaseId#", true, (ctx) => {
    const repo = requireRepo(ctx);
    const rel = requireRelease(ctx, repo, ctx.params.releaseId);
    const gone = assetsOf(rel);
    // Deleting an immutable release is allowed, but its tag stays burned for any later release.
    if (rel.immutable && !repo.retiredTags.includes(rel.tagName)) repo.retiredTags.push(rel.tagName);
    store.state.releases = store.state.releases.filter((r) => r.id !== rel.id);
    store.state.assets = store.state.assets.filter((a) => a.releaseId !== rel.id);
    if (repo.latestReleaseId === rel.id) repo.latestReleaseId = null;
    store.save();
    for (const a of gone) rmSync(store.assetPath(a.id), { force: true });
    sendJson(ctx, 204, undefined);
  });

  route("GET", "/repos/:owner/:repo/releases/:releaseId#/assets", false, (ctx) => {
    const repo = requireRepo(ctx);
    const rel = requireRelease(ctx, repo, ctx.params.releaseId);
    sendJson(
      ctx,
      200,
      paginate(ctx, assetsOf(rel)).map((a) => assetJson(a, rel, ctx.bases)),
    );
  });

  // GitHub's repository setting, as its REST API exposes it: 404 from the check means "not enabled".
  const immutableDoc = `${DOCS}/repos/repos`;
  route("GET", "/repos/:owner/:repo/immutable-releases", false, (ctx) => {
    const repo = requireRepo(ctx);
    if (!repo.immutableReleases)
      throw new ApiError(404, "Not Found", {
        documentation_url: `${immutableDoc}#check-if-immutable-releases-are-enabled-for-a-repository`,
      });
    sendJson(ctx, 200, { enabled: true, enforced_by_owner: false });
  });
  route("PUT", "/repos/:owner/:repo/immutable-releases", true, (ctx) => {
    const repo = requireRepo(ctx);
    repo.immutableReleases = true;
    store.save();
    sendJson(ctx, 204, undefined);
  });
  route("DELETE", "/repos/:owner/:repo/immutable-releases", true, (ctx) => {
    const repo = requireRepo(ctx);
    // Releases already published immutable stay so; only later publications are affected.
    repo.immutableReleases = false;
    store.save();
    sendJson(ctx, 204, undefined);
  });

  // Repository contents, branches and commits: what github.RepositoryFile (terraform-provider-github's github_repository_file)
  // calls on create, read, update, delete and import. Files live per repository and branch; every write is a commit.
  const contentsDoc = `${DOCS}/repos/contents`;
  const commitsDoc = `${DOCS}/commits/commits`;
  const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");
  const commitOf = (repo: RepoRecord, sha: string): CommitRecord | undefined =>
    store.state.commits.find((c) => c.repoId === repo.id && c.sha === sha);
  /** A branch name (also as heads/x or refs/heads/x) or a commit sha of at least 7 hex digits. */
  const resolveRef = (repo: RepoRecord, ref: string): CommitRecord | undefined => {
    const name = ref.replace(/^(?:refs\/)?heads\//, "");
    const head = repo.branches[name];
    if (head !== undefined) return commitOf(repo, head);
    if (!/^[0-9a-f]{7,40}$/i.test(ref)) return undefined;
    const matches = store.state.commits.filter((c) => c.repoId === repo.id && c.sha.startsWith(ref.toLowerCase()));
    return matches.length === 1 ? matches[0] : undefined;
  };
  const branchHead = (repo: RepoRecord, branch: string, doc: string): CommitRecord => {
    const sha = repo.branches[branch];
    const head = sha === undefined ? undefined : commitOf(repo, sha);
    if (!head) throw new ApiError(404, `Branch ${branch} not found`, { documentation_url: doc });
    return head;
  };

  const contentJson = (
    repo: RepoRecord,
    path: string,
    sha: string,
    ref: string,
    bases: Bases,
  ): Record<string, Json> => {
    const full = `${repo.owner}/${repo.name}`;
    // The provider reads `ref` back out of this URL's query, so it is always there, as on GitHub.
    const self = `${bases.api}repos/${full}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
    const git = `${bases.api}repos/${full}/git/blobs/${sha}`;
    const html = `${bases.web}${full}/blob/${encodeURIComponent(ref)}/${encodePath(path)}`;
    return {
      name: path.split("/").pop() ?? path,
      path,
      sha,
      size: store.blobSize(sha),
      url: self,
      html_url: html,
      git_url: git,
      download_url: `${bases.web}${full}/raw/${encodeURIComponent(ref)}/${encodePath(path)}`,
      type: "file",
      _links: { self, git, html },
    };
  };

  const dirEntries = (
    repo: RepoRecord,
    files: Record<string, string>,
    dir: string,
    ref: string,
    bases: Bases,
  ): Record<string, Json>[] => {
    const full = `${repo.owner}/${repo.name}`;
    const prefix = dir === "" ? "" : `${dir}/`;
    const subdirs = new Map<string, Record<string, string>>();
    const entries: Record<string, Json>[] = [];
    for (const [path, sha] of Object.entries(files)) {
      if (!path.startsWith(prefix)) continue;
      const rest = path.slice(prefix.length);
      const slash = rest.indexOf("/");
      if (slash < 0) {
        entries.push(contentJson(repo, path, sha, ref, bases));
        continue;
      }
      const name = rest.slice(0, slash);
      const sub = subdirs.get(name) ?? {};
      sub[rest.slice(slash + 1)] = sha;
      subdirs.set(name, sub);
    }
    for (const [name, sub] of subdirs) {
      const path = `${prefix}${name}`;
      const sha = treeSha(sub);
      const self = `${bases.api}repos/${full}/contents/${encodePath(path)}?ref=${encodeURIComponent(ref)}`;
      const git = `${bases.api}repos/${full}/git/trees/${sha}`;
      const html = `${bases.web}${full}/tree/${encodeURIComponent(ref)}/${encodePath(path)}`;
      entries.push({
        name,
        path,
        sha,
        size: 0,
        url: self,
        html_url: html,
        git_url: git,
        download_url: null,
        type: "dir",
        _links: { self, git, html },
      });
    }
    return entries.sort((a, b) => (a.path as string).localeCompare(b.path as string));
  };

  const personJson = (p: GitPerson): Record<string, Json> => ({ name: p.name, email: p.email, date: p.date });
  const verificationJson = (c: CommitRecord): Record<string, Json> => ({
    verified: c.verified,
    reason: c.verified ? "valid" : "unsigned",
    signature: null,
    payload: null,
    verified_at: c.verified ? c.committer.date : null,
  });
  const commitNodeId = (repo: RepoRecord, sha: string): string =>
    `C_kwDO${Buffer.from(`${repo.id}:${sha}`).toString("base64url")}`;

  /** The git-data form of a commit, as the contents API's PUT and DELETE answer with it. */
  const gitCommitJson = (repo: RepoRecord, c: CommitRecord, bases: Bases): Record<string, Json> => {
    const full = `${repo.owner}/${repo.name}`;
    return {
      sha: c.sha,
      node_id: commitNodeId(repo, c.sha),
      url: `${bases.api}repos/${full}/git/commits/${c.sha}`,
      html_url: `${bases.web}${full}/commit/${c.sha}`,
      author: personJson(c.author),
      committer: personJson(c.committer),
      tree: { sha: c.tree, url: `${bases.api}repos/${full}/git/trees/${c.tree}` },
      message: c.message,
      parents: c.parents.map((p) => ({
        url: `${bases.api}repos/${full}/git/commits/${p}`,
        html_url: `${bases.web}${full}/commit/${p}`,
        sha: p,
      })),
      verification: verificationJson(c),
    };
  };

  /** The commits-API form; `detailed` adds stats and files, which only GET /commits/{ref} carries. */
  const repoCommitJson = (repo: RepoRecord, c: CommitRecord, bases: Bases, detailed: boolean): Record<string, Json> => {
    const full = `${repo.owner}/${repo.name}`;
    const api = `${bases.api}repos/${full}`;
    const json: Record<string, Json> = {
      sha: c.sha,
      node_id: commitNodeId(repo, c.sha),
      commit: {
        author: personJson(c.author),
        committer: personJson(c.committer),
        message: c.message,
        tree: { sha: c.tree, url: `${api}/git/trees/${c.tree}` },
        url: `${api}/git/commits/${c.sha}`,
        comment_count: 0,
        verification: verificationJson(c),
      },
      url: `${api}/commits/${c.sha}`,
      html_url: `${bases.web}${full}/commit/${c.sha}`,
      comments_url: `${api}/commits/${c.sha}/comments`,
      author: c.authorLogin === null ? null : simpleUser(c.authorLogin, bases),
      committer: c.committerLogin === null ? null : simpleUser(c.committerLogin, bases),
      parents: c.parents.map((p) => ({
        sha: p,
        url: `${api}/commits/${p}`,
        html_url: `${bases.web}${full}/commit/${p}`,
      })),
    };
    if (detailed) {
      const additions = c.changes.reduce((n, f) => n + f.additions, 0);
      const deletions = c.changes.reduce((n, f) => n + f.deletions, 0);
      json.stats = { total: additions + deletions, additions, deletions };
      json.files = c.changes.map((f) => ({
        sha: f.sha,
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `${bases.web}${full}/blob/${c.sha}/${encodePath(f.filename)}`,
        raw_url: `${bases.web}${full}/raw/${c.sha}/${encodePath(f.filename)}`,
        contents_url: `${api}/contents/${encodePath(f.filename)}?ref=${c.sha}`,
      }));
    }
    return json;
  };

  interface FileInput {
    message?: string;
    content?: string;
    sha?: string;
    branch?: string;
    author?: { name: string; email: string; date?: string };
    committer?: { name: string; email: string; date?: string };
  }

  const parseFileInput = (body: Record<string, unknown>, required: ("content" | "sha")[], doc: string): FileInput => {
    const problems: string[] = [];
    const out: FileInput = {};
    for (const key of ["message", "content", "sha", "branch"] as const) {
      const v = body[key];
      if (v === undefined || v === null) {
        if (key === "message" || (required as string[]).includes(key)) problems.push(`"${key}" wasn't supplied.`);
      } else if (typeof v !== "string") problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not a string.`);
      else out[key] = v;
    }
    for (const key of ["author", "committer"] as const) {
      const v = body[key];
      if (v === undefined || v === null) continue;
      if (!isRecord(v)) {
        problems.push(`For 'properties/${key}', ${JSON.stringify(v)} is not an object.`);
        continue;
      }
      const { name, email, date } = v;
      if (typeof name !== "string" || typeof email !== "string") {
        for (const [k, x] of [
          ["name", name],
          ["email", email],
        ] as const)
          if (typeof x !== "string") problems.push(`"${k}" wasn't supplied.`);
        continue;
      }
      if (date !== undefined && (typeof date !== "string" || Number.isNaN(Date.parse(date)))) {
        problems.push(`For 'properties/date', ${JSON.stringify(date)} is not a date-time.`);
        continue;
      }
      out[key] = { name, email, ...(typeof date === "string" ? { date } : {}) };
    }
    if (problems.length > 0) throw invalidRequest(problems, doc);
    if (out.content !== undefined && !/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/.test(out.content))
      throw new ApiError(422, "content is not valid Base64", { documentation_url: doc });
    return out;
  };

  /** Paths git can store: no empty, "." or ".." segment and no ".git" directory. */
  const validPath = (path: string): boolean =>
    path !== "" && path.split("/").every((seg) => seg !== "" && seg !== "." && seg !== ".." && seg !== ".git");

  /**
   * Commits a new snapshot on a branch. With no committer GitHub commits as itself and signs (the provider's read treats
   * "GitHub <noreply@github.com>" as that case); the author is then the token's user unless given.
   */
  const commitOnBranch = (
    ctx: Ctx,
    repo: RepoRecord,
    branch: string,
    head: CommitRecord,
    files: Record<string, string>,
    input: FileInput,
    changes: FileChange[],
  ): CommitRecord => {
    const now = nowIso();
    const acc = findAccount(ctx.caller.login) ?? ensureAccount(ctx.caller.login, "User");
    const user: GitPerson = {
      name: acc.login,
      email: `${acc.id}+${acc.login}@users.noreply.github.com`,
      date: now,
    };
    const given = (p: FileInput["author"]): GitPerson | undefined =>
      p === undefined ? undefined : { name: p.name, email: p.email, date: p.date ?? now };
    const committer = given(input.committer) ?? { name: "GitHub", email: "noreply@github.com", date: now };
    const author = given(input.author) ?? given(input.committer) ?? user;
    const tree = treeSha(files);
    const message = input.message ?? "";
    const commit: CommitRecord = {
      sha: commitSha({ tree, parents: [head.sha], author, committer, message }),
      repoId: repo.id,
      tree,
      files,
      parents: [head.sha],
      message,
      author,
      committer,
      authorLogin: author.email === user.email ? acc.login : null,
      committerLogin: input.committer === undefined ? null : committer.email === user.email ? acc.login : null,
      verified: input.committer === undefined,
      changes,
    };
    store.state.commits.push(commit);
    repo.branches[branch] = commit.sha;
    return commit;
  };

  const getContents = (ctx: Ctx): void => {
    const doc = `${contentsDoc}#get-repository-content`;
    const repo = requireRepo(ctx);
    const refParam = ctx.url.searchParams.get("ref");
    const ref = refParam === null || refParam === "" ? repo.defaultBranch : refParam;
    const commit = resolveRef(repo, ref);
    if (!commit) throw new ApiError(404, `No commit found for the ref ${ref}`, { documentation_url: doc });
    const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const sha = path === "" ? undefined : commit.files[path];
    if (sha !== undefined) {
      const content = store.readBlob(sha);
      if (/application\/vnd\.github(?:\.v3)?\.raw/.test(ctx.req.headers.accept ?? "")) {
        ctx.res.setHeader("Content-Type", "application/vnd.github.raw");
        ctx.res.setHeader("Content-Length", String(content.length));
        ctx.res.setHeader("ETag", `"${sha}"`);
        ctx.res.writeHead(200);
        ctx.res.end(ctx.method === "HEAD" ? undefined : content);
        return;
      }
      // Past 1 MB GitHub leaves the content out and says so with encoding "none".
      const big = content.length > 1024 * 1024;
      sendJson(ctx, 200, {
        ...contentJson(repo, path, sha, ref, ctx.bases),
        content: big ? "" : wrappedBase64(content),
        encoding: big ? "none" : "base64",
      });
      return;
    }
    const entries = dirEntries(repo, commit.files, path, ref, ctx.bases);
    if (path !== "" && entries.length === 0) throw new ApiError(404, "Not Found", { documentation_url: doc });
    sendJson(ctx, 200, entries);
  };
  route("GET", "/repos/:owner/:repo/contents", false, getContents);
  route("GET", "/repos/:owner/:repo/contents/:path+", false, getContents);

  route("PUT", "/repos/:owner/:repo/contents/:path+", true, async (ctx) => {
    const doc = `${contentsDoc}#create-or-update-file-contents`;
    const repo = requireRepo(ctx);
    const input = parseFileInput(await readJsonObject(ctx), ["content"], doc);
    const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    if (!validPath(path))
      throw new ApiError(422, `path contains a malformed path component`, { documentation_url: doc });
    const branch = input.branch ?? repo.defaultBranch;
    const head = branchHead(repo, branch, doc);
    const current = head.files[path];
    if (current !== undefined) {
      if (input.sha === undefined) throw invalidRequest([`"sha" wasn't supplied.`], doc);
      if (input.sha !== current)
        throw new ApiError(409, `${path} does not match ${input.sha}`, { documentation_url: doc });
    } else {
      // A sha for a file that is not there is ignored, as on GitHub; a path through a file or onto a directory is not.
      const clash = Object.keys(head.files).find((p) => p.startsWith(`${path}/`) || path.startsWith(`${p}/`));
      if (clash !== undefined)
        throw new ApiError(422, `${path} conflicts with ${clash} on branch ${branch}`, { documentation_url: doc });
    }
    const content = Buffer.from(input.content ?? "", "base64");
    const sha = store.writeBlob(content);
    const changes: FileChange[] =
      current === sha
        ? []
        : [
            {
              filename: path,
              status: current === undefined ? "added" : "modified",
              sha,
              ...lineStats(current === undefined ? null : store.readBlob(current), content),
            },
          ];
    const commit = commitOnBranch(ctx, repo, branch, head, { ...head.files, [path]: sha }, input, changes);
    store.save();
    sendJson(ctx, current === undefined ? 201 : 200, {
      content: contentJson(repo, path, sha, branch, ctx.bases),
      commit: gitCommitJson(repo, commit, ctx.bases),
    });
  });

  route("DELETE", "/repos/:owner/:repo/contents/:path+", true, async (ctx) => {
    const doc = `${contentsDoc}#delete-a-file`;
    const repo = requireRepo(ctx);
    // go-github sends the file's content along on delete; it is ignored, as GitHub ignores it.
    const input = parseFileInput(await readJsonObject(ctx), ["sha"], doc);
    const path = (ctx.params.path ?? "").replace(/^\/+|\/+$/g, "");
    const branch = input.branch ?? repo.defaultBranch;
    const head = branchHead(repo, branch, doc);
    const current = head.files[path];
    if (current === undefined) throw new ApiError(404, "Not Found", { documentation_url: doc });
    if (input.sha !== current)
      throw new ApiError(409, `${path} does not match ${input.sha ?? ""}`, { documentation_url: doc });
    const files = { ...head.files };
    delete files[path];
    const change: FileChange = {
      filename: path,
      status: "removed",
      sha: current,
      ...lineStats(store.readBlob(current), null),
    };
    const commit = commitOnBranch(ctx, repo, branch, head, files, input, [change]);
    store.save();
    sendJson(ctx, 200, { content: null, commit: gitCommitJson(repo, commit, ctx.bases) });
  });

  route("GET", "/repos/:owner/:repo/git/blobs/:sha", false, (ctx) => {
    const repo = requireRepo(ctx);
    const sha = (ctx.params.sha ?? "").toLowerCase();
    const known = store.state.commits.some((c) => c.repoId === repo.id && Object.values(c.files).includes(sha));
    if (!known) throw new ApiError(404, "Not Found", { documentation_url: `${DOCS}/git/blobs#get-a-blob` });
    const content = store.readBlob(sha);
    sendJson(ctx, 200, {
      sha,
      node_id: `B_kwDO${Buffer.from(`${repo.id}:${sha}`).toString("base64url")}`,
      size: content.length,
      url: `${ctx.bases.api}repos/${repo.owner}/${repo.name}/git/blobs/${sha}`,
      content: wrappedBase64(content),
      encoding: "base64",
    });
  });

  const branchDoc = `${DOCS}/branches/branches`;
  route("GET", "/repos/:owner/:repo/branches", false, (ctx) => {
    const repo = requireRepo(ctx);
    const full = `${repo.owner}/${repo.name}`;
    const names = Object.keys(repo.branches).sort();
    sendJson(
      ctx,
      200,
      paginate(ctx, names).map((name) => ({
        name,
        commit: {
          sha: repo.branches[name] ?? "",
          url: `${ctx.bases.api}repos/${full}/commits/${repo.branches[name] ?? ""}`,
        },
        protected: false,
      })),
    );
  });

  // go-github path-escapes the branch, so a branch with a slash arrives as %2F (decoded with the other params) or as segments.
  route("GET", "/repos/:owner/:repo/branches/:branch+", false, (ctx) => {
    const repo = requireRepo(ctx);
    const name = ctx.params.branch ?? "";
    const sha = repo.branches[name];
    const head = sha === undefined ? undefined : commitOf(repo, sha);
    if (!head) throw new ApiError(404, "Branch not found", { documentation_url: `${branchDoc}#get-a-branch` });
    const full = `${repo.owner}/${repo.name}`;
    const self = `${ctx.bases.api}repos/${full}/branches/${encodeURIComponent(name)}`;
    sendJson(ctx, 200, {
      name,
      commit: repoCommitJson(repo, head, ctx.bases, false),
      _links: { self, html: `${ctx.bases.web}${full}/tree/${name}` },
      protected: false,
      protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } },
      protection_url: `${self}/protection`,
    });
  });

  // Branch refs, for github_repository_file's deprecated autocreate_branch (GET the source ref, POST the new one) and for
  // tests that need a second branch.
  const refJson = (repo: RepoRecord, branch: string, sha: string, bases: Bases): Record<string, Json> => {
    const api = `${bases.api}repos/${repo.owner}/${repo.name}`;
    return {
      ref: `refs/heads/${branch}`,
      node_id: `REF_kwDO${Buffer.from(`${repo.id}:refs/heads/${branch}`).toString("base64url")}`,
      url: `${api}/git/refs/heads/${encodePath(branch)}`,
      object: { sha, type: "commit", url: `${api}/git/commits/${sha}` },
    };
  };
  const refsDoc = `${DOCS}/git/refs`;
  route("GET", "/repos/:owner/:repo/git/ref/:ref+", false, (ctx) => {
    const repo = requireRepo(ctx);
    const m = /^heads\/(.+)$/.exec(ctx.params.ref ?? "");
    const sha = m?.[1] === undefined ? undefined : repo.branches[m[1]];
    if (m?.[1] === undefined || sha === undefined)
      throw new ApiError(404, "Not Found", { documentation_url: `${refsDoc}#get-a-reference` });
    sendJson(ctx, 200, refJson(repo, m[1], sha, ctx.bases));
  });
  route("POST", "/repos/:owner/:repo/git/refs", true, async (ctx) => {
    const doc = `${refsDoc}#create-a-reference`;
    const repo = requireRepo(ctx);
    const body = await readJsonObject(ctx);
    const problems: string[] = [];
    for (const key of ["ref", "sha"]) if (typeof body[key] !== "string") problems.push(`"${key}" wasn't supplied.`);
    if (problems.length > 0) throw invalidRequest(problems, doc);
    const ref = body.ref as string;
    const sha = (body.sha as string).toLowerCase();
    const m = /^refs\/heads\/(.+)$/.exec(ref);
    // Only branches are kept; a tag or any other ref has nowhere to live here.
    if (m?.[1] === undefined || !validPath(m[1]))
      throw new ApiError(422, `${ref} is not a valid ref name.`, { documentation_url: doc });
    if (repo.branches[m[1]] !== undefined)
      throw new ApiError(422, "Reference already exists", { documentation_url: doc });
    if (!commitOf(repo, sha)) throw new ApiError(422, "Object does not exist", { documentation_url: doc });
    repo.branches[m[1]] = sha;
    store.save();
    const json = refJson(repo, m[1], sha, ctx.bases);
    sendJson(ctx, 201, json, { Location: json.url as string });
  });

  // Newest first along the first-parent chain; `path` keeps the commits that touched that file or directory.
  route("GET", "/repos/:owner/:repo/commits", false, (ctx) => {
    const repo = requireRepo(ctx);
    const shaParam = ctx.url.searchParams.get("sha");
    const start = shaParam === null || shaParam === "" ? repo.defaultBranch : shaParam;
    let commit = resolveRef(repo, start);
    if (!commit)
      throw new ApiError(404, `No commit found for SHA: ${start}`, { documentation_url: `${commitsDoc}#list-commits` });
    const path = (ctx.url.searchParams.get("path") ?? "").replace(/^\/+|\/+$/g, "");
    const chain: CommitRecord[] = [];
    while (commit) {
      if (path === "" || commit.changes.some((f) => f.filename === path || f.filename.startsWith(`${path}/`)))
        chain.push(commit);
      const parent: string | undefined = commit.parents[0];
      commit = parent === undefined ? undefined : commitOf(repo, parent);
    }
    sendJson(
      ctx,
      200,
      paginate(ctx, chain).map((c) => repoCommitJson(repo, c, ctx.bases, false)),
    );
  });

  route("GET", "/repos/:owner/:repo/commits/:ref+", false, (ctx) => {
    const repo = requireRepo(ctx);
    const ref = ctx.params.ref ?? "";
    const commit = resolveRef(repo, ref);
    // GitHub answers an unknown ref here with 422, not 404.
    if (!commit)
      throw new ApiError(422, `No commit found for SHA: ${ref}`, { documentation_url: `${commitsDoc}#get-a-commit` });
    sendJson(ctx, 200, repoCommitJson(repo, commit, ctx.bases, true));
  });

  const uploadRoutes: Route[] = [];
  {
    const before = routes.length;
    route("POST", "/repos/:owner/:repo/releases/:releaseId#/assets", true, (ctx) => uploadAsset(ctx));
    uploadRoutes.push(...routes.splice(before));
  }

  async function uploadAsset(ctx: Ctx): Promise<void> {
    const doc = `${DOCS}/releases/assets#upload-a-release-asset`;
    const repo = requireRepo(ctx);
    const rel = requireRelease(ctx, repo, ctx.params.releaseId);
    const immutableRefusal = (): ApiError => new ApiError(422, "Cannot upload assets to an immutable release.");
    if (rel.immutable) {
      await drain(ctx.req);
      throw immutableRefusal();
    }
    const rawName = ctx.url.searchParams.get("name");
    if (rawName === null || rawName === "") {
      await drain(ctx.req);
      throw validationFailed([{ resource: "ReleaseAsset", code: "missing_field", field: "name" }], doc);
    }
    const name = normalizeAssetName(rawName);
    const duplicate = (): boolean => assetsOf(rel).some((a) => a.name === name);
    if (duplicate()) {
      await drain(ctx.req);
      throw validationFailed([{ resource: "ReleaseAsset", code: "already_exists", field: "name" }], doc);
    }
    // go-github sends an empty Content-Type for unknown extensions; storing octet-stream keeps such uploads working.
    const contentType = ctx.req.headers["content-type"] ?? "";
    const tmp = join(store.assetDir, `.upload-${randomBytes(8).toString("hex")}.tmp`);
    const hash = createHash("sha256");
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done): void {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      // pipeline tears every stream down on a client abort, so no half-written file or open descriptor outlives the request.
      await pipeline(ctx.req, meter, createWriteStream(tmp));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
    // The release may have been published immutable while this upload streamed.
    if (rel.immutable) {
      rmSync(tmp, { force: true });
      throw immutableRefusal();
    }
    // A concurrent upload of the same name may have finished while this one streamed.
    if (duplicate() || !store.state.releases.includes(rel)) {
      rmSync(tmp, { force: true });
      throw validationFailed([{ resource: "ReleaseAsset", code: "already_exists", field: "name" }], doc);
    }
    const now = nowIso();
    const label = ctx.url.searchParams.get("label");
    const asset: AssetRecord = {
      id: store.nextId("asset"),
      releaseId: rel.id,
      name,
      label: label === null || label === "" ? null : label,
      contentType: contentType === "" ? "application/octet-stream" : contentType,
      size,
      sha256: hash.digest("hex"),
      downloadCount: 0,
      uploaderLogin: ctx.caller.login,
      createdAt: now,
      updatedAt: now,
    };
    renameSync(tmp, store.assetPath(asset.id));
    store.state.assets.push(asset);
    store.save();
    const json = assetJson(asset, rel, ctx.bases);
    sendJson(ctx, 201, json, { Location: json.url as string });
  }

  async function streamAsset(res: ServerResponse, asset: AssetRecord): Promise<void> {
    const file = store.assetPath(asset.id);
    if (!existsSync(file)) {
      sendError(res, 404, "Not Found");
      return;
    }
    asset.downloadCount += 1;
    store.save();
    res.setHeader("Content-Type", "application/octet-stream");
    res.setHeader("Content-Length", String(statSync(file).size));
    res.setHeader("Content-Disposition", `attachment; filename=${asset.name}`);
    res.setHeader("ETag", `"${asset.sha256}"`);
    res.writeHead(200);
    await new Promise<void>((resolve, reject) => {
      const stream = createReadStream(file);
      stream.on("error", reject);
      res.on("close", resolve);
      stream.pipe(res);
    });
  }

  const authenticate = (req: IncomingMessage): Caller | "missing" | "bad" => {
    const header = req.headers.authorization;
    if (header === undefined || header.trim() === "") return "missing";
    const m = /^(token|bearer|basic)\s+(.+)$/i.exec(header.trim());
    if (!m || m[1] === undefined || m[2] === undefined) return "bad";
    let value = m[2].trim();
    if (m[1].toLowerCase() === "basic") {
      // git and some clients send the token as the basic-auth password.
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      value = colon >= 0 ? decoded.slice(colon + 1) : decoded;
    }
    return tokens.get(value) ?? "bad";
  };

  const consumeRate = (key: string, limit: number): RateInfo => {
    const nowSec = Math.floor(Date.now() / 1000);
    let usage = rateUsage.get(key);
    if (!usage || usage.reset <= nowSec) {
      usage = { used: 0, reset: nowSec + 3600 };
      rateUsage.set(key, usage);
    }
    usage.used += 1;
    return {
      limit,
      remaining: Math.max(0, limit - usage.used),
      reset: usage.reset,
      used: usage.used,
    };
  };

  const bases = (req: IncomingMessage, port: number): Bases => {
    const hostHeader = req.headers.host ?? `${host}:${port}`;
    const web = `http://${hostHeader}/`;
    return { api: `${web}api/v3/`, uploads: `${web}api/uploads/`, web };
  };

  const matchRoute = (
    list: Route[],
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | "method" | null => {
    let pathMatched = false;
    for (const r of list) {
      const m = r.pattern.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method || (method === "HEAD" && r.method === "GET"))
        return { route: r, params: { ...(m.groups ?? {}) } };
    }
    return pathMatched ? "method" : null;
  };

  /** `/repositories/{id}/...` is how GitHub spells pagination links; it maps onto the owner/name routes. */
  const canonicalPath = (path: string): string => {
    const m = /^\/repositories\/(\d+)(\/.*)?$/.exec(path);
    if (!m) return path;
    const repo = store.state.repos.find((r) => String(r.id) === m[1]);
    return repo ? `/repos/${repo.owner}/${repo.name}${m[2] ?? ""}` : path;
  };

  const findFault = (method: string, path: string): Fault | undefined =>
    faults.find((f) => {
      if (f.remaining <= 0 || !path.includes(f.match) || (f.method !== null && f.method !== method)) return false;
      if (f.skip > 0) {
        f.skip -= 1;
        return false;
      }
      return true;
    });

  const handleAdmin = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
  ): Promise<void> => {
    const reply = (status: number, body: Json | undefined): void => {
      if (body === undefined) {
        res.writeHead(status);
        res.end();
        return;
      }
      const text = JSON.stringify(body, null, 2);
      res.writeHead(status, {
        "Content-Type": JSON_TYPE,
        "Content-Length": String(Buffer.byteLength(text)),
      });
      res.end(text);
    };
    const sub = path.slice("/_emulator".length);
    if (method === "GET" && sub === "/health")
      return reply(200, {
        status: "ok",
        repos: store.state.repos.map((r) => `${r.owner}/${r.name}`),
      });
    if (method === "GET" && sub === "/state") return reply(200, store.state as unknown as Json);
    if (method === "GET" && sub === "/requests") return reply(200, requestLog as unknown as Json);
    if (method === "DELETE" && sub === "/requests") {
      requestLog.length = 0;
      return reply(204, undefined);
    }
    if (method === "POST" && sub === "/reset") {
      await drain(req);
      for (const a of store.state.assets) rmSync(store.assetPath(a.id), { force: true });
      store.state.releases = [];
      store.state.assets = [];
      store.state.commits = [];
      rmSync(store.blobDir, { recursive: true, force: true });
      mkdirSync(store.blobDir, { recursive: true });
      for (const r of store.state.repos) {
        r.latestReleaseId = null;
        r.retiredTags = [];
        initRepoContents(r);
      }
      applyStartSettings();
      store.save();
      faults.length = 0;
      requestLog.length = 0;
      rateUsage.clear();
      return reply(200, { reset: true });
    }
    const settings = (r: RepoRecord): Json => ({
      full_name: `${r.owner}/${r.name}`,
      default_branch: r.defaultBranch,
      immutable_releases: r.immutableReleases,
    });
    if (method === "GET" && sub === "/repos") return reply(200, store.state.repos.map(settings));
    const repoPath = /^\/repos\/([^/]+)\/([^/]+)$/.exec(sub);
    if (repoPath?.[1] !== undefined && repoPath[2] !== undefined) {
      const repo = repoByName(decodeURIComponent(repoPath[1]), decodeURIComponent(repoPath[2]));
      if (!repo) {
        await drain(req);
        return reply(404, { message: "Not Found" });
      }
      if (method === "GET") return reply(200, settings(repo));
      if (method === "PATCH") {
        let patch: unknown;
        try {
          patch = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString("utf8"));
        } catch {
          return reply(400, { message: "repository settings must be JSON" });
        }
        if (!isRecord(patch)) return reply(400, { message: "repository settings must be an object" });
        const unknown = Object.keys(patch).filter((k) => k !== "immutable_releases");
        if (unknown.length > 0) return reply(400, { message: `unknown repository settings: ${unknown.join(", ")}` });
        if (patch.immutable_releases !== undefined && typeof patch.immutable_releases !== "boolean")
          return reply(400, { message: "immutable_releases must be a boolean" });
        if (typeof patch.immutable_releases === "boolean") repo.immutableReleases = patch.immutable_releases;
        store.save();
        return reply(200, settings(repo));
      }
    }
    if (sub === "/faults") {
      if (method === "GET") return reply(200, faults as unknown as Json);
      if (method === "DELETE") {
        faults.length = 0;
        return reply(204, undefined);
      }
      if (method === "POST") {
        let spec: unknown;
        try {
          spec = JSON.parse((await readBody(req, MAX_JSON_BYTES)).toString("utf8"));
        } catch {
          return reply(400, { message: "fault spec must be JSON" });
        }
        const problem = validateFault(spec);
        if (problem !== null || !isRecord(spec))
          return reply(400, {
            message: problem ?? "fault spec must be an object",
          });
        const fault: Fault = {
          id: ++faultSeq,
          status: typeof spec.status === "number" ? spec.status : null,
          remaining: typeof spec.count === "number" ? spec.count : 1,
          skip: typeof spec.after === "number" ? spec.after : 0,
          match: typeof spec.match === "string" ? spec.match : "",
          method: typeof spec.method === "string" ? spec.method.toUpperCase() : null,
          body: spec.body,
          headers: isRecord(spec.headers)
            ? Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, String(v)]))
            : {},
          delayMs: typeof spec.delayMs === "number" ? spec.delayMs : 0,
          drop: spec.drop === true,
        };
        faults.push(fault);
        return reply(201, fault as unknown as Json);
      }
    }
    return reply(404, { message: "Not Found" });
  };

  const handleWeb = async (
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    path: string,
  ): Promise<boolean> => {
    if (method !== "GET" && method !== "HEAD") return false;
    // A file at a branch or commit, the page the contents API's download_url points to (raw.githubusercontent.com on github.com).
    const raw = /^\/([^/]+)\/([^/]+)\/raw\/([^/]+)\/(.+)$/.exec(path);
    if (raw?.[1] !== undefined && raw[2] !== undefined && raw[3] !== undefined && raw[4] !== undefined) {
      const repo = repoByName(decodeURIComponent(raw[1]), decodeURIComponent(raw[2]));
      const commit = repo && resolveRef(repo, decodeURIComponent(raw[3]));
      const sha = commit?.files[raw[4].split("/").map(decodeURIComponent).join("/")];
      if (sha === undefined) {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("404: Not Found");
        return true;
      }
      const content = store.readBlob(sha);
      res.writeHead(200, {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Length": String(content.length),
        ETag: `"${sha}"`,
      });
      res.end(method === "HEAD" ? undefined : content);
      return true;
    }
    const m = /^\/([^/]+)\/([^/]+)\/releases\/(?:download\/(.+)|latest\/download)\/([^/]+)$/.exec(path);
    if (!m || m[1] === undefined || m[2] === undefined || m[4] === undefined) return false;
    const repo = repoByName(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
    const fileName = decodeURIComponent(m[4]);
    let rel: ReleaseRecord | undefined;
    if (repo && m[3] === undefined) rel = latestOf(repo);
    else if (repo && m[3] !== undefined) {
      const tag = decodeURIComponent(m[3]);
      rel =
        publishedWithTag(repo, tag, -1) ??
        store.state.releases.find((r) => r.repoId === repo.id && r.draft && r.untaggedSlug === tag);
    }
    // Draft assets need a credential with push access, as github.com hides drafts from everyone else.
    if (rel?.draft) {
      const caller = authenticate(req);
      if (typeof caller === "string" || caller.readOnly) rel = undefined;
    }
    const asset = rel && assetsOf(rel).find((a) => a.name === fileName);
    if (!asset) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Not Found");
      return true;
    }
    await streamAsset(res, asset);
    return true;
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    port: number,
    meta: { fault: boolean },
  ): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", `http://${req.headers.host ?? `${host}:${port}`}`);
    const rawPath = url.pathname;

    if (rawPath === "/_emulator" || rawPath.startsWith("/_emulator/")) {
      await handleAdmin(req, res, method, rawPath);
      return;
    }

    const fault = findFault(method, rawPath);
    if (fault) {
      fault.remaining -= 1;
      meta.fault = true;
      if (fault.delayMs > 0) await sleep(fault.delayMs);
      if (fault.drop) {
        req.socket.destroy();
        return;
      }
      if (fault.status !== null) {
        await drain(req);
        for (const [k, v] of Object.entries(fault.headers)) res.setHeader(k, v);
        res.setHeader("X-GitHub-Request-Id", randomBytes(8).toString("hex").toUpperCase());
        if (fault.body !== undefined) {
          const text = JSON.stringify(fault.body);
          res.writeHead(fault.status, {
            "Content-Type": JSON_TYPE,
            "Content-Length": String(Buffer.byteLength(text)),
          });
          res.end(text);
        } else sendError(res, fault.status, STATUS_CODES[fault.status] ?? "Error");
        return;
      }
    }

    let apiPath: string;
    let list: Route[];
    if (rawPath.startsWith("/api/uploads/") || rawPath.startsWith("/uploads/")) {
      apiPath = rawPath.slice(rawPath.indexOf("/uploads/") + "/uploads".length);
      list = uploadRoutes;
    } else if (rawPath === "/api/v3" || rawPath.startsWith("/api/v3/")) {
      apiPath = rawPath.slice("/api/v3".length);
      list = routes;
    } else {
      if (await handleWeb(req, res, method, rawPath)) return;
      apiPath = rawPath;
      list = routes;
    }
    apiPath = canonicalPath(apiPath === "" ? "/" : apiPath);

    const caller = authenticate(req);
    const matched = matchRoute(list, method, apiPath);
    if (caller === "bad") {
      await drain(req);
      standardHeaders({ req, res }, consumeRate("anonymous", 60));
      sendError(res, 401, "Bad credentials");
      return;
    }
    if (matched === null || matched === "method") {
      await drain(req);
      standardHeaders(
        { req, res },
        caller === "missing" ? consumeRate("anonymous", 60) : consumeRate(caller.tokenKey, rateLimit),
      );
      sendError(res, 404, "Not Found");
      return;
    }
    if (caller === "missing") {
      await drain(req);
      standardHeaders({ req, res }, consumeRate("anonymous", 60));
      sendError(res, 401, "Requires authentication");
      return;
    }
    const rate = consumeRate(caller.tokenKey, rateLimit);
    standardHeaders({ req, res }, rate);
    if (rate.used > rate.limit) {
      await drain(req);
      sendError(res, 403, `API rate limit exceeded for user ID ${findAccount(caller.login)?.id ?? 0}.`, {
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
      });
      return;
    }
    if (matched.route.write && caller.readOnly) {
      await drain(req);
      sendError(res, 403, "Resource not accessible by personal access token");
      return;
    }
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(matched.params)) params[k] = k === "tag" ? v : decodeURIComponent(v);
    const ctx: Ctx = {
      req,
      res,
      method,
      url,
      params,
      caller,
      bases: bases(req, port),
      rate,
    };
    try {
      await matched.route.handler(ctx);
    } catch (err) {
      if (res.headersSent) throw err;
      await drain(req);
      if (err instanceof ApiError) sendError(res, err.status, err.message, err.extra);
      else throw err;
    }
    return;
  };

  const server: Server = createServer();
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const port = listeningPort();
    const method = (req.method ?? "GET").toUpperCase();
    const path = new URL(req.url ?? "/", "http://emulator").pathname;
    const meta = { fault: false };
    res.on("close", () => {
      if (path.startsWith("/_emulator")) return;
      // Only method, path and status: headers and query strings stay out so no credential ever lands in the log.
      requestLog.push({
        seq: ++logSeq,
        time: new Date().toISOString(),
        method,
        path,
        status: res.headersSent ? res.statusCode : 0,
        fault: meta.fault,
      });
      if (requestLog.length > MAX_LOG_ENTRIES) requestLog.splice(0, requestLog.length - MAX_LOG_ENTRIES);
    });
    handle(req, res, port, meta).catch((err: unknown) => {
      process.stderr.write(
        `github emulator: ${method} ${path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      if (!res.headersSent) sendError(res, 500, "Internal Server Error");
      else res.destroy();
    });
  });

  const listeningPort = (): number => {
    const addr = server.address();
    return addr !== null && typeof addr === "object" ? addr.port : 0;
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = listeningPort();
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}/`,
    port,
    close(): Promise<void> {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Give in-flight responses a moment, then cut whatever is left so close() never hangs a test run.
        setTimeout(() => {
          for (const s of sockets) s.destroy();
        }, 2000).unref();
      });
      return closed;
    },
  };
}

function validateFault(spec: unknown): string | null {
  if (!isRecord(spec)) return "fault spec must be an object";
  const { status, count, after, match, method, delayMs, drop, headers } = spec;
  if (status !== undefined && (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599))
    return "status must be an HTTP status code";
  if (count !== undefined && (typeof count !== "number" || !Number.isInteger(count) || count < 1))
    return "count must be a positive integer";
  if (after !== undefined && (typeof after !== "number" || !Number.isInteger(after) || after < 0))
    return "after must be a non-negative integer";
  if (match !== undefined && typeof match !== "string") return "match must be a string";
  if (method !== undefined && typeof method !== "string") return "method must be a string";
  if (delayMs !== undefined && (typeof delayMs !== "number" || delayMs < 0 || delayMs > 60_000))
    return "delayMs must be between 0 and 60000";
  if (drop !== undefined && typeof drop !== "boolean") return "drop must be a boolean";
  if (headers !== undefined && !isRecord(headers)) return "headers must be an object";
  if (status === undefined && drop !== true && delayMs === undefined) return "a fault needs status, drop or delayMs";
  return null;
}

/** `application/vnd.github.v3.raw+json` becomes `github.v3; param=raw; format=json`, the way GitHub echoes the negotiated type. */
function mediaTypeHeader(accept: string | undefined): string {
  const m = /application\/vnd\.github(?:\.([a-z0-9-]+))?(?:\.([a-z0-9-]+))?(?:\+([a-z]+))?/i.exec(accept ?? "");
  if (!m) return "github.v3; format=json";
  const version = m[1] !== undefined && /^v\d+$/.test(m[1]) ? m[1] : "v3";
  const param = m[1] !== undefined && !/^v\d+$/.test(m[1]) ? m[1] : m[2];
  return `github.${version}; ${param !== undefined ? `param=${param}; ` : ""}format=${m[3] ?? "json"}`;
}
