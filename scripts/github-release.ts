// Creates, updates or deletes a GitHub release through the REST API; the GitHubRelease component's `rest` backend runs it.
import { apiBase, GitHubClient } from "../lib/github-api";
import { requireEnv, runScript } from "./lib/script";

async function main(): Promise<void> {
  const client = new GitHubClient(apiBase(requireEnv("GITHUB_BASE_URL")), requireEnv("GITHUB_TOKEN"));
  const [owner, repo, tag] = [requireEnv("GITHUB_OWNER"), requireEnv("GITHUB_REPO"), requireEnv("RELEASE_TAG")];
  if (process.argv[2] === "delete") {
    const deleted = await client.deleteReleaseByTag(owner, repo, tag);
    process.stderr.write(deleted ? `deleted release ${tag}\n` : `release ${tag} was already gone\n`);
    return;
  }
  const r = await client.upsertRelease(owner, repo, {
    tag,
    commit: requireEnv("RELEASE_COMMIT"),
    name: requireEnv("RELEASE_NAME"),
    body: requireEnv("RELEASE_BODY"),
    prerelease: requireEnv("RELEASE_PRERELEASE") === "true",
  });
  process.stderr.write(`release ${r.tag_name}: ${r.html_url}\n`);
  process.stdout.write(`${JSON.stringify({ id: r.id, url: r.html_url, tag: r.tag_name })}\n`);
}

runScript(main);
