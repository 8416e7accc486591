// Builds a git history in a temp repository for the changelog tests: every kind of commit, release and prerelease tags.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface FixtureHistory {
  readonly dir: string;
  /** The full sha of the commit with this subject (each subject is unique). */
  sha(subject: string): string;
  /** Its abbreviation as git prints it. */
  short(subject: string): string;
  /** The commit a tag points at. */
  tag(name: string): string;
  git(...args: string[]): string;
}

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * main: the first release v0.1.0, a prerelease v0.2.0-rc.1, then every kind of commit up to the release v0.2.0, and one
 * fix after it. Names and dates are fixed, so the shas are the same in every run.
 *
 *   chore: initial layout, feat: add the scheduler queue                       → v0.1.0 (annotated)
 *   feat: add the workers' heartbeat, fix: retry a lost lease                  → v0.2.0-rc.1 (lightweight)
 *   perf, docs, chore(deps), a plain subject, feat(api)!, fix with BREAKING CHANGE footer,
 *   the merge of feature/metrics (two commits), a feature and its git revert,
 *   a git revert of v0.1.0's feature                                           → v0.2.0 (annotated)
 *   fix: handle an empty plan                                                  (main, after the release)
 */
export function fixtureHistory(): FixtureHistory {
  const dir = mkdtempSync(join(tmpdir(), "splai-history-"));
  made.push(dir);
  let minute = 0;
  let who = "Alice Archer";
  const git = (...args: string[]): string => {
    const date = `2025-01-01T00:${String(minute).padStart(2, "0")}:00Z`;
    const email = `${who.split(" ")[0].toLowerCase()}@example.invalid`;
    return execFileSync("git", ["-C", dir, ...args], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: who,
        GIT_AUTHOR_EMAIL: email,
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_NAME: "Release Bot",
        GIT_COMMITTER_EMAIL: "bot@example.invalid",
        GIT_COMMITTER_DATE: date,
        // The user's and the machine's git config do not shape the fixture (signing, hooks, default branch).
        GIT_CONFIG_GLOBAL: "/dev/null",
        GIT_CONFIG_NOSYSTEM: "1",
      },
    }).trim();
  };
  /** One commit by `author`, adding its own file so that any of them reverts cleanly. */
  const commit = (author: string, message: string, ...paragraphs: string[]): void => {
    who = author;
    minute += 1;
    writeFileSync(join(dir, `change-${minute}.txt`), `${message}\n`);
    git("add", "-A");
    git("commit", "-q", "-m", message, ...paragraphs.flatMap((p) => ["-m", p]));
  };
  const subjects = new Map<string, string>();
  const record = (): void => {
    const sha = git("rev-parse", "HEAD");
    subjects.set(git("log", "-1", "--format=%s", sha), sha);
  };
  const c = (author: string, message: string, ...paragraphs: string[]): void => {
    commit(author, message, ...paragraphs);
    record();
  };

  git("init", "-q", "-b", "main");
  c("Alice Archer", "chore: initial layout");
  c("Alice Archer", "feat: add the scheduler queue");
  git("tag", "-a", "v0.1.0", "-m", "SPLAI 0.1.0");
  c("Bob Baker", "feat: add the workers' heartbeat");
  c("Alice Archer", "fix: retry a lost lease");
  git("tag", "v0.2.0-rc.1");
  c("Carol Chen", "perf: cache the plan lookups");
  c("Bob Baker", "docs: describe the planner API");
  c("Bob Baker", "chore(deps): bump yaml to 2.9.1");
  c("Carol Chen", "Tidy the Makefile");
  c("Alice Archer", "feat(api)!: serve the planner under /v2");
  c(
    "Bob Baker",
    "fix(scheduler): drop the legacy queue flag",
    "The flag only ever selected the old queue.",
    "BREAKING CHANGE: the --legacy-queue flag is gone;\nstart the scheduler with --queue instead\nRefs: #42",
  );
  git("checkout", "-q", "-b", "feature/metrics");
  c("Dave Diaz", "feat(metrics): export the queue depth");
  c("Dave Diaz", "fix(metrics): name the gauge in snake case");
  git("checkout", "-q", "main");
  who = "Alice Archer";
  minute += 1;
  git("merge", "-q", "--no-ff", "-m", "Merge branch 'feature/metrics'", "feature/metrics");
  record();
  c("Carol Chen", "feat: add an experimental planner cache");
  who = "Carol Chen";
  minute += 1;
  git("revert", "--no-edit", subjects.get("feat: add an experimental planner cache")!);
  record();
  who = "Bob Baker";
  minute += 1;
  git("revert", "--no-edit", subjects.get("feat: add the scheduler queue")!);
  record();
  git("tag", "-a", "v0.2.0", "-m", "SPLAI 0.2.0");
  c("Alice Archer", "fix: handle an empty plan");

  const sha = (subject: string): string => {
    const s = subjects.get(subject);
    if (s === undefined) throw new Error(`the fixture has no commit '${subject}'`);
    return s;
  };
  return {
    dir,
    sha,
    short: (subject) => git("rev-parse", "--short", sha(subject)),
    tag: (name) => git("rev-parse", `${name}^{commit}`),
    git,
  };
}
