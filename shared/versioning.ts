// Release versions from a git ref, as SPLAI's own workflow computes them: tags give X.Y.Z, branches give prerelease builds.
import * as semver from "semver";

export type ReleaseMode = "tag" | "branch";

export interface ReleaseRef {
  readonly mode: ReleaseMode;
  /** The tag (`v1.2.3`) or branch name (`feature/x`). */
  readonly ref: string;
  /** Full or short commit SHA; at least 7 hex characters. */
  readonly sha: string;
  /** Increasing build number for branch chart versions (CI run number or commit count). */
  readonly buildNumber: number;
  /** Committer time of the commit (seconds since 1970), the images' SOURCE_DATE_EPOCH; undefined when git cannot tell. */
  readonly commitTime?: number;
}

export interface Versions {
  readonly mode: ReleaseMode;
  /** Version embedded in binaries (`main.version`) and the chart's appVersion. */
  readonly app: string;
  /** Every tag the images get; the first is the immutable one used to pin digests. */
  readonly imageTags: string[];
  readonly immutableTag: string;
  readonly chart: string;
  /** Git tag of the GitHub release. */
  readonly releaseTag: string;
  readonly prerelease: boolean;
  readonly sha7: string;
}

export class VersionError extends Error {}

/** `feature/Login_UI` → `feature-login-ui`: a valid semver prerelease identifier and OCI tag fragment. */
export function branchIdentifier(branch: string): string {
  let id = branch
    .replace(/^refs\/heads\//, "")
    .toLowerCase()
    .replace(/[^0-9a-z-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  if (id === "")
    throw new VersionError(
      `branch '${branch}' has no characters usable in a version; use a branch name with letters or digits`,
    );
  // Numeric identifiers may not have leading zeros in semver.
  if (/^\d+$/.test(id) && id.length > 1 && id.startsWith("0")) id = `b${id}`;
  return id;
}

export function parseReleaseTag(tag: string): string {
  if (/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\+/.test(tag)) {
    throw new VersionError(
      `release tag '${tag}' carries build metadata ('+…'), which OCI tags cannot hold; drop the '+…' part`,
    );
  }
  const m = /^v(.+)$/.exec(tag);
  const v = m ? semver.valid(m[1]) : null;
  if (!m || v === null || v !== m[1]) {
    throw new VersionError(
      `release tag '${tag}' is not a semantic version tag; expected v<major>.<minor>.<patch>[-<prerelease>], for example v0.2.0`,
    );
  }
  return v;
}

export function computeVersions(ref: ReleaseRef, chartBaseVersion: string): Versions {
  if (!/^[0-9a-f]{7,40}$/.test(ref.sha))
    throw new VersionError(`commit '${ref.sha}' is not a git SHA (7 to 40 lowercase hex characters)`);
  const sha7 = ref.sha.slice(0, 7);
  if (ref.mode === "tag") {
    const v = parseReleaseTag(ref.ref);
    return {
      mode: "tag",
      app: v,
      imageTags: [v],
      immutableTag: v,
      chart: v,
      releaseTag: ref.ref,
      prerelease: semver.prerelease(v) !== null,
      sha7,
    };
  }
  if (!Number.isInteger(ref.buildNumber) || ref.buildNumber < 0) {
    throw new VersionError(`build number '${ref.buildNumber}' must be a non-negative integer`);
  }
  const base = semver.valid(chartBaseVersion);
  if (base === null) throw new VersionError(`Chart.yaml version '${chartBaseVersion}' is not semver; set it to X.Y.Z`);
  const b = branchIdentifier(ref.ref);
  const app = `0.0.0-${b}-${sha7}`;
  const sep = semver.prerelease(base) === null ? "-" : ".";
  const chart = `${base}${sep}${b}.${ref.buildNumber}`;
  return {
    mode: "branch",
    app,
    imageTags: [`sha-${sha7}`, "latest"],
    immutableTag: `sha-${sha7}`,
    chart,
    releaseTag: `v${app}`,
    prerelease: true,
    sha7,
  };
}

/**
 * The tag a pull request would most likely be released as, for previewing a tag stack before any tag exists: the
 * chart's version when no release tag has reached it yet (teams bump Chart.yaml before tagging), otherwise the next
 * patch after the newest `vX.Y.Z` tag. Prerelease tags are ignored.
 */
export function nextReleaseTag(tags: readonly string[], chartVersion: string): string {
  const released = tags
    .filter((t) => /^v\d+\.\d+\.\d+$/.test(t))
    .map((t) => t.slice(1))
    .filter((v) => semver.valid(v) !== null)
    .sort(semver.rcompare);
  const chart =
    semver.valid(chartVersion) !== null && semver.prerelease(chartVersion) === null ? chartVersion : undefined;
  const newest = released[0];
  if (newest === undefined) return `v${chart ?? "0.1.0"}`;
  if (chart !== undefined && semver.gt(chart, newest)) return `v${chart}`;
  return `v${semver.inc(newest, "patch")!}`;
}
