// The changelog's config checked against the source tree, and the changelog read from git once, before any resource.
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  CHANGELOG_STYLES,
  readHistory,
  renderChangelog,
  repositoryUrl,
  TEMPLATE_PLACEHOLDERS,
  unknownPlaceholders,
  type ChangelogStyle,
  type History,
} from "../components/github/changelog";
import type { ReleaseRef, Versions } from "../shared/versioning";
import { q } from "./format";
import { CONFIG } from "./table";
import type { RawSettings, Settings } from "./validate";

/** The style and the template's absolute path; a bad style, a missing template, an unknown placeholder are problems. */
export function changelogProblems(
  raw: RawSettings,
  source: string,
  problems: string[],
): { changelog: ChangelogStyle; changelogTemplate?: string } {
  const style = raw.changelog ?? CONFIG.changelog.default;
  if (!(CHANGELOG_STYLES as readonly string[]).includes(style))
    problems.push(`changelog ${q(style)} is not accepted; use grouped (the default), flat or off`);
  const template = raw.changelogTemplate;
  if (template === undefined) return { changelog: style as ChangelogStyle };
  const file = join(source, template);
  const unset = "or unset splai-release:changelogTemplate for the built-in rendering";
  if (!existsSync(file))
    problems.push(
      `changelogTemplate ${q(template)} does not exist under the source directory (${file}); create it ${unset}`,
    );
  else if (!statSync(file).isFile())
    problems.push(`changelogTemplate ${q(template)} is not a file (${file}); name a Markdown file ${unset}`);
  else {
    const unknown = unknownPlaceholders(readFileSync(file, "utf8"));
    if (unknown.length > 0)
      problems.push(
        `changelogTemplate ${q(template)} uses unknown placeholders ${unknown.map((n) => `{{${n}}}`).join(", ")}; ` +
          `the placeholders are ${TEMPLATE_PLACEHOLDERS.map((n) => `{{${n}}}`).join(", ")}`,
      );
  }
  return { changelog: style as ChangelogStyle, changelogTemplate: file };
}

/**
 * The release notes' changelog in Markdown. What git cannot tell (no repository, an unknown commit, a shallow clone)
 * is said in the changelog and warned about, not refused: the release itself does not depend on it.
 */
export function releaseChangelog(
  s: Settings,
  ref: ReleaseRef,
  v: Versions,
  warn: (message: string) => void,
  read: (dir: string, commit: string, mode: "tag" | "branch") => History = readHistory,
): string {
  const history: History = s.changelog === "off" ? { commits: [] } : read(s.source, ref.sha, ref.mode);
  if (history.problem !== undefined) warn(`changelog: ${history.problem}`);
  return renderChangelog(history, {
    style: s.changelog,
    template: s.changelogTemplate === undefined ? undefined : readFileSync(s.changelogTemplate, "utf8"),
    version: v.app,
    commit: ref.sha,
    breakingChanges: s.breakingChanges,
    repositoryUrl: repositoryUrl(s.githubBaseUrl, s.githubOwner, s.githubRepo),
  });
}
