// Decides which ref a run releases: explicit config first, then CI's ref variables, then the source tree's git state.
import { execFileSync } from "node:child_process";
import type { ReleaseMode, ReleaseRef } from "./versioning";

export interface RefSettings {
  /** `auto` (default) derives tag or branch from the ref. */
  readonly mode: ReleaseMode | "auto";
  readonly ref?: string;
  readonly sha?: string;
  readonly buildNumber?: number;
}

/** Reads git facts of the source tree; injectable so tests need no repository. */
export interface GitReader {
  tagsAtHead(): string[];
  branch(): string | undefined;
  sha(): string | undefined;
  commitCount(): number | undefined;
  /** Committer time of `sha` in seconds since 1970 (SOURCE_DATE_EPOCH), when the tree knows the commit. */
  commitTime?(sha: string): number | undefined;
}

export function gitReader(dir: string): GitReader {
  const git = (...args: string[]): string | undefined => {
    try {
      return execFileSync("git", ["-C", dir, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    tagsAtHead: () => (git("tag", "--points-at", "HEAD") ?? "").split("\n").filter((t) => t !== ""),
    branch: () => {
      const b = git("rev-parse", "--abbrev-ref", "HEAD");
      return b === undefined || b === "HEAD" ? undefined : b;
    },
    sha: () => git("rev-parse", "HEAD"),
    commitCount: () => {
      const n = git("rev-list", "--count", "HEAD");
      return n === undefined ? undefined : Number(n);
    },
    commitTime: (sha) => {
      const t = git("show", "-s", "--format=%ct", `${sha}^{commit}`);
      return t === undefined || t === "" ? undefined : Number(t);
    },
  };
}

export class RefError extends Error {}

/** CI ref variables of GitHub Actions and GitLab CI, as [mode, ref, sha, buildNumber]. */
function fromCi(env: NodeJS.ProcessEnv): Partial<{ mode: ReleaseMode; ref: string; sha: string; buildNumber: number }> {
  if (env.GITHUB_ACTIONS === "true" && env.GITHUB_REF_NAME) {
    return {
      mode: env.GITHUB_REF_TYPE === "tag" ? "tag" : "branch",
      // Pull requests report `<n>/merge`; the head branch names the build better.
      ref: env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME, // eslint-disable-line @typescript-eslint/prefer-nullish-coalescing -- an empty GITHUB_HEAD_REF means "not a pull request"
      sha: env.GITHUB_SHA,
      buildNumber: env.GITHUB_RUN_NUMBER ? Number(env.GITHUB_RUN_NUMBER) : undefined,
    };
  }
  if (env.GITLAB_CI === "true") {
    if (env.CI_COMMIT_TAG) return { mode: "tag", ref: env.CI_COMMIT_TAG, sha: env.CI_COMMIT_SHA };
    return {
      mode: "branch",
      ref: env.CI_COMMIT_REF_NAME,
      sha: env.CI_COMMIT_SHA,
      buildNumber: env.CI_PIPELINE_IID ? Number(env.CI_PIPELINE_IID) : undefined,
    };
  }
  return {};
}

export function resolveRef(settings: RefSettings, env: NodeJS.ProcessEnv, git: GitReader): ReleaseRef {
  const ci = fromCi(env);
  const releaseTags = (): string[] => git.tagsAtHead().filter((t) => /^v\d/.test(t));
  let mode: ReleaseMode;
  let ref = settings.ref ?? ci.ref;
  if (settings.mode !== "auto") {
    mode = settings.mode;
  } else if (ref !== undefined) {
    mode = ci.mode ?? (/^v\d/.test(ref) ? "tag" : "branch");
  } else {
    mode = releaseTags().length > 0 ? "tag" : "branch";
  }
  if (ref === undefined) {
    if (mode === "tag") {
      const tags = releaseTags();
      if (tags.length !== 1) {
        throw new RefError(
          tags.length === 0
            ? "mode 'tag' but HEAD of the source tree carries no v* tag; tag the commit (git tag v0.2.0) or set splai-release:ref"
            : `HEAD carries several release tags (${tags.join(", ")}); choose one with splai-release:ref`,
        );
      }
      ref = tags[0];
    } else {
      ref = git.branch();
      if (ref === undefined)
        throw new RefError(
          "cannot tell the branch (detached HEAD or no git repository); set splai-release:ref to the branch name",
        );
    }
  }
  const sha = settings.sha ?? ci.sha ?? git.sha();
  if (sha === undefined)
    throw new RefError("cannot tell the commit (no git repository in the source directory); set splai-release:sha");
  const buildNumber = settings.buildNumber ?? ci.buildNumber ?? git.commitCount() ?? 0;
  const commitTime = git.commitTime?.(sha);
  return { mode, ref, sha: sha.toLowerCase(), buildNumber, ...(commitTime === undefined ? {} : { commitTime }) };
}
