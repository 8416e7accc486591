// Creates, updates or deletes a GitHub release through the REST API; the GitHubRelease component's `rest` backend runs it.
import { apiBase, GitHubClient } from "../lib/github-api";

async function main(): Promise<void> {
  const env = (k: string): string => {
    const v = process.env[k];
    if (v === undefined) throw new Error(`github-release: ${k} is not set`);
    return v;
  };
  const client = new GitHubClient(apiBase(env("GITHUB_BASE_URL")), env("GITHUB_TOKEN"));
  const [owner, repo, tag] = [env("GITHUB_OWNER"), env("GITHUB_REPO"), env("RELEASE_TAG")];
  if (process.argv[2] === "delete") {
    const deleted = await client.deleteReleaseByTag(owner, repo, tag);
    process.stderr.write(deleted ? `deleted release ${tag}\n` : `release ${tag} was already gone\n`);
    return;
  }
  const r = await client.upsertRelease(owner, repo, {
    tag,
    commit: env("RELEASE_COMMIT"),
    name: env("RELEASE_NAME"),
    body: env("RELEASE_BODY"),
    prerelease: env("RELEASE_PRERELEASE") === "true",
  });
  process.stderr.write(`release ${r.tag_name}: ${r.html_url}\n`);
  process.stdout.write(`${JSON.stringify({ id: r.id, url: r.html_url, tag: r.tag_name })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
