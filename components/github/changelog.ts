// The release notes' changelog: the commits since the previous release tag, grouped by Conventional Commits type.
import { execFileSync } from "node:child_process";
import * as semver from "semver";

export const CHANGELOG_STYLES = ["grouped", "flat", "off"] as const;
export type ChangelogStyle = (typeof CHANGELOG_STYLES)[number];

/** What a changelog template may use: two plain values, then Markdown lists (empty when there is nothing). */
export const TEMPLATE_PLACEHOLDERS = [
  "version",
  "previousTag",
  "features",
  "fixes",
  "performance",
  "others",
  "breaking",
  "authors",
  "commits",
] as const;
export type Placeholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** GitHub refuses a release body over 125,000 characters; the rest of the notes fits in the margin left. */
export const MAX_CHANGELOG_CHARS = 90_000;

/** One commit as `git log` gives it. */
export interface GitCommit {
  readonly sha: string;
  readonly shortSha: string;
  readonly parents: number;
  readonly author: string;
  readonly subject: string;
  readonly body: string;
}

/** The commits a release brings, oldest first. */
export interface History {
  /** The release tag the range starts after; undefined when there is none (a first release lists every commit). */
  readonly previousTag?: string;
  readonly commits: readonly GitCommit[];
  /** Why the commits are missing or may be incomplete (no repository, unknown commit, shallow clone), no full stop. */
  readonly problem?: string;
}

export type Group = "features" | "fixes" | "performance" | "others";
const GROUP_OF: Readonly<Record<string, Group>> = { feat: "features", fix: "fixes", perf: "performance" };
const GROUPS: readonly [Group, string][] = [
  ["features", "Features"],
  ["fixes", "Fixes"],
  ["performance", "Performance"],
  ["others", "Others"],
];

/** A commit as the changelog lists it. */
export interface Change {
  readonly sha: string;
  readonly shortSha: string;
  readonly author: string;
  readonly subject: string;
  readonly group: Group;
  /** The Conventional Commits type in lower case; undefined for any other subject. */
  readonly type?: string;
  readonly scope?: string;
  readonly description: string;
  /** What breaks: each BREAKING CHANGE footer's text, else the description of a `type!:` commit; empty otherwise. */
  readonly breaking: readonly string[];
  /** The commit this one reverts, as its message names it (full or abbreviated sha). */
  readonly reverts?: string;
}

const HEADER = /^([A-Za-z][A-Za-z0-9-]*)(?:\(([^()]*)\))?(!)?: +(\S.*)$/;
const GIT_REVERT = /^Revert ".*"$/;
const REVERTED = /This reverts commit ([0-9a-f]{7,40})\b/;
const BREAKING_FOOTER = /^BREAKING[ -]CHANGE: ?(.*)$/;
// Any footer ends the one before it (Conventional Commits 1.0.0, rules 8-10); git trailers are footers too.
const FOOTER = /^(?:BREAKING[ -]CHANGE|[A-Za-z][\w-]*)(?:: | #)/;

function breakingFooters(body: string): string[] {
  const found: string[][] = [];
  let current: string[] | undefined;
  for (const line of body.split(/\r?\n/)) {
    const b = BREAKING_FOOTER.exec(line);
    if (b) found.push((current = [b[1].trim()]));
    else if (FOOTER.test(line)) current = undefined;
    else current?.push(line.trim());
  }
  // A footer's value may run over several lines; a list entry is one line.
  return found.map((parts) => parts.filter((p) => p !== "").join(" ")).filter((t) => t !== "");
}

export function parseCommit(c: GitCommit): Change {
  const base = { sha: c.sha, shortSha: c.shortSha, author: c.author, subject: c.subject };
  const footers = breakingFooters(c.body);
  const reverted = REVERTED.exec(c.body)?.[1];
  const m = GIT_REVERT.test(c.subject) ? null : HEADER.exec(c.subject);
  if (m === null) {
    return {
      ...base,
      group: "others",
      description: c.subject.trim(),
      breaking: footers,
      ...(GIT_REVERT.test(c.subject) && reverted !== undefined ? { reverts: reverted } : {}),
    };
  }
  const type = m[1].toLowerCase();
  const scope = m[2]?.trim();
  const description = m[4].trim();
  return {
    ...base,
    group: GROUP_OF[type] ?? "others",
    type,
    ...(scope ? { scope } : {}),
    description,
    breaking: footers.length > 0 ? footers : m[3] === "!" ? [description] : [],
    ...(type === "revert" && reverted !== undefined ? { reverts: reverted } : {}),
  };
}

/**
 * The changes to list: merge commits are left out (the commits they bring in are listed), and a revert whose reverted
 * commit is in the same range cancels out with it, since the release contains neither. Newest first, so a revert of a
 * revert cancels the first revert and the original change stays listed.
 */
export function changes(commits: readonly GitCommit[]): Change[] {
  const listed = commits.filter((c) => c.parents <= 1).map(parseCommit);
  const dropped = new Set<string>();
  for (const r of [...listed].reverse()) {
    const reverted = r.reverts;
    if (reverted === undefined || dropped.has(r.sha)) continue;
    const target = listed.find((c) => c !== r && !dropped.has(c.sha) && c.sha.startsWith(reverted));
    if (target) {
      dropped.add(r.sha);
      dropped.add(target.sha);
    }
  }
  return listed.filter((c) => !dropped.has(c.sha));
}

/** `vX.Y.Z` without a prerelease or build part: a `v1.2.0-rc.1` is not a release to count changes from. */
export const isReleaseTag = (tag: string): boolean => /^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.test(tag);

/**
 * The release tag a range starts after, among the tags reachable from `head`: the highest version. A tag release
 * leaves out the tags on `head` itself (its own), so it counts from what is reachable from the tag's parents.
 */
export function previousReleaseTag(
  reachable: readonly { name: string; commit: string }[],
  head: string,
  mode: "tag" | "branch",
): { name: string; commit: string } | undefined {
  return reachable
    .filter((t) => isReleaseTag(t.name) && !(mode === "tag" && t.commit === head))
    .sort((a, b) => semver.rcompare(a.name.slice(1), b.name.slice(1)))[0];
}

// Records end with NUL (git log -z), which no commit message holds; fields end with a unit separator, and the body
// comes last so that one holding a separator keeps it.
const LOG_FORMAT = "%H%x1f%h%x1f%P%x1f%aN%x1f%s%x1f%b";

export function parseLog(text: string): GitCommit[] {
  return text
    .split("\0")
    .filter((r) => r.trim() !== "")
    .map((r) => {
      const [sha, shortSha, parents, author, subject, ...body] = r.replace(/^\n/, "").split("\x1f");
      return {
        sha,
        shortSha,
        parents: parents.trim() === "" ? 0 : parents.trim().split(" ").length,
        author,
        subject,
        body: body.join("\x1f").trim(),
      };
    });
}

/** The release's commits from the source tree's git (the one impure part): what git cannot tell becomes `problem`. */
export function readHistory(dir: string, commit: string, mode: "tag" | "branch"): History {
  const git = (...args: string[]): string =>
    execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      // A first release of a long history lists every commit.
      maxBuffer: 1 << 30,
    });
  const why = (e: unknown): string => {
    const err = e as { stderr?: string; message?: string };
    const text = err.stderr?.trim() ? err.stderr : (err.message ?? String(e));
    return text.trim().split("\n")[0];
  };
  try {
    git("rev-parse", "--git-dir");
  } catch (e) {
    return {
      commits: [],
      problem:
        `The source tree ${dir} is not a git repository (${why(e)}), so no commits are listed; ` +
        "release from a git checkout",
    };
  }
  let head: string;
  try {
    head = git("rev-parse", "--verify", "--quiet", `${commit}^{commit}`).trim();
  } catch {
    return {
      commits: [],
      problem:
        `Commit ${commit} is not in the git history of ${dir}, so no commits are listed; ` +
        "check out the released commit with its history (CI: actions/checkout with fetch-depth: 0)",
    };
  }
  try {
    const tags = git(
      "for-each-ref",
      "--merged",
      head,
      "--format=%(refname:strip=2)%00%(objectname)%00%(*objectname)",
      "refs/tags/v*",
    )
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => {
        const [name, object, peeled] = l.split("\0");
        // An annotated tag names the tag object; the commit is the peeled one.
        return { name, commit: peeled === "" ? object : peeled };
      });
    const previous = previousReleaseTag(tags, head, mode);
    const log = git(
      "log",
      "-z",
      "--reverse",
      "--topo-order",
      "--no-show-signature",
      "--encoding=UTF-8",
      `--format=${LOG_FORMAT}`,
      head,
      ...(previous ? [`^${previous.commit}`] : []),
    );
    const shallow = git("rev-parse", "--is-shallow-repository").trim() === "true";
    return {
      ...(previous ? { previousTag: previous.name } : {}),
      commits: parseLog(log),
      // With a previous tag the range is complete even in a shallow clone: git log stopped at it.
      ...(shallow && !previous
        ? {
            problem:
              "The source tree is a shallow clone without an earlier release tag, so the list may miss commits; " +
              "fetch the whole history (CI: actions/checkout with fetch-depth: 0)",
          }
        : {}),
    };
  } catch (e) {
    return { commits: [], problem: `Git could not list the commits of ${dir} (${why(e)})` };
  }
}

/** The repository's web address: github.com for the public API, the Enterprise host (without `api/v3/`) otherwise. */
export function repositoryUrl(baseUrl: string, owner: string, repo: string): string {
  const u = new URL(baseUrl);
  const web =
    u.hostname === "api.github.com"
      ? "https://github.com"
      : `${u.origin}${u.pathname.replace(/\/?(api\/v3\/?)?$/, "")}`;
  return `${web}/${owner}/${repo}`;
}

export interface ChangelogOptions {
  readonly style: ChangelogStyle;
  /** Template text replacing the built-in rendering (grouped or flat); undefined renders the style. */
  readonly template?: string;
  /** The released version, as the notes' title says it. */
  readonly version: string;
  /** The released commit, for the compare link. */
  readonly commit: string;
  /** The config's hand-written breaking changes, listed before the commits'. */
  readonly breakingChanges: readonly string[];
  /** `https://github.com/<owner>/<repo>`: commit links are `<repositoryUrl>/commit/<sha>`. */
  readonly repositoryUrl: string;
  readonly maxChars?: number;
}

interface Lists {
  readonly breaking: readonly string[];
  readonly groups: Readonly<Record<Group, readonly string[]>>;
  readonly commits: readonly string[];
  /** Distinct authors by name, with how many of the listed commits each wrote. */
  readonly authors: readonly (readonly [string, number])[];
}

function lists(history: History, o: ChangelogOptions): Lists {
  const listed = changes(history.commits);
  const link = (c: Change): string => `([${c.shortSha}](${o.repositoryUrl}/commit/${c.sha}))`;
  const scope = (c: Change): string => (c.scope === undefined ? "" : `**${c.scope}:** `);
  const counts = new Map<string, number>();
  for (const c of listed) counts.set(c.author, (counts.get(c.author) ?? 0) + 1);
  const group = (g: Group): string[] =>
    listed.filter((c) => c.group === g).map((c) => `- ${scope(c)}${c.description} ${link(c)}`);
  return {
    breaking: [
      ...o.breakingChanges.map((b) => `- ${b}`),
      ...listed.flatMap((c) => c.breaking.map((b) => `- ${scope(c)}${b} ${link(c)}`)),
    ],
    groups: {
      features: group("features"),
      fixes: group("fixes"),
      performance: group("performance"),
      others: group("others"),
    },
    // Without groups, the whole subject is what tells a fix from a feature.
    commits: listed.map((c) => `- ${c.subject.trim()} ${link(c)}`),
    authors: [...counts].sort(([a], [b]) => a.localeCompare(b, "en") || (a < b ? -1 : a > b ? 1 : 0)),
  };
}

/** The template's values: the version, the previous tag ("" for a first release) and each list as Markdown. */
export function changelogParts(history: History, o: ChangelogOptions): Record<Placeholder, string> {
  const l = lists(history, o);
  return {
    version: o.version,
    previousTag: history.previousTag ?? "",
    features: l.groups.features.join("\n"),
    fixes: l.groups.fixes.join("\n"),
    performance: l.groups.performance.join("\n"),
    others: l.groups.others.join("\n"),
    breaking: l.breaking.join("\n"),
    authors: l.authors.map(([name, n]) => `- ${name} (${n})`).join("\n"),
    commits: l.commits.join("\n"),
  };
}

/** Replaces each `{{name}}` (spaces inside the braces allowed) with its value; unknown names stay as written. */
export function fillTemplate(template: string, values: Readonly<Record<Placeholder, string>>): string {
  return template.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (all, name: string) =>
    (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as Placeholder] : all,
  );
}

/** The `{{…}}` names of a template that are no placeholder, for config validation to refuse. */
export function unknownPlaceholders(template: string): string[] {
  const names = [...template.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)].map((m) => m[1]);
  return [...new Set(names.filter((n) => !(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(n)))];
}

/** The changelog section of the release notes in Markdown; "" when there is nothing to say. */
export function renderChangelog(history: History, o: ChangelogOptions): string {
  // Turned off, the commits go unlisted but the hand-written breaking changes are still announced.
  if (o.style === "off")
    return o.breakingChanges.length === 0
      ? ""
      : ["### Breaking changes", "", ...o.breakingChanges.map((b) => `- ${b}`), ""].join("\n");
  const l = lists(history, o);
  const compare =
    history.previousTag === undefined
      ? `${o.repositoryUrl}/commits/${o.commit}`
      : `${o.repositoryUrl}/compare/${history.previousTag}...${o.commit}`;
  if (o.template !== undefined) return cut(fillTemplate(o.template, changelogParts(history, o)), o, compare);
  const range =
    history.problem !== undefined
      ? `_${history.problem}._`
      : history.previousTag === undefined
        ? "Every commit up to this one: there is no earlier release tag."
        : l.commits.length > 0
          ? `Changes since \`${history.previousTag}\` ([compare](${compare})).`
          : `No commits since \`${history.previousTag}\`.`;
  const out = ["## Changelog", "", range, ""];
  const section = (title: string, lines: readonly string[]): void => {
    if (lines.length > 0) out.push(`### ${title}`, "", ...lines, "");
  };
  section("Breaking changes", l.breaking);
  if (o.style === "flat") section("Commits", l.commits);
  else for (const [g, title] of GROUPS) section(title, l.groups[g]);
  if (l.authors.length > 0) section("Authors", [l.authors.map(([name, n]) => `${name} (${n})`).join(", ")]);
  return cut(out.join("\n"), o, compare);
}

/** A changelog over the limit ends at a whole line, pointing at the full list on GitHub. */
function cut(md: string, o: ChangelogOptions, full: string): string {
  const max = o.maxChars ?? MAX_CHANGELOG_CHARS;
  if (md.length <= max) return md;
  const tail = (n: number): string => `\n_The changelog is cut here (${n} more lines); the full list: ${full}_\n`;
  const lines = md.split("\n");
  const kept: string[] = [];
  let size = 0;
  for (const l of lines) {
    if (size + l.length + 1 + tail(lines.length).length > max) break;
    kept.push(l);
    size += l.length + 1;
  }
  return `${kept.join("\n")}\n${tail(lines.length - kept.length)}`;
}
