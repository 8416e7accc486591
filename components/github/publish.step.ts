// Step: publishes a draft GitHub release once every asset is attached and checked, and reports the assets' download
// URLs as published; run by the GitHubRelease component.
import { defineStep } from "../../shared/step/run";
import { apiBase, GitHubClient } from "./api";
import { PUBLISH_RELEASE } from "./contract";

export default defineStep(PUBLISH_RELEASE, async (env) => {
  const client = new GitHubClient(apiBase(env.GITHUB_BASE_URL), env.GITHUB_TOKEN);
  const release = await client.publishRelease(env.GITHUB_OWNER, env.GITHUB_REPO, Number(env.RELEASE_ID), {
    name: env.TITLE,
    body: env.NOTES,
    prerelease: env.PRERELEASE,
  });
  process.stderr.write(`release ${env.RELEASE_ID} is published: ${release.html_url}\n`);
  const assets = await client.listAssets(env.GITHUB_OWNER, env.GITHUB_REPO, Number(env.RELEASE_ID));
  return { url: release.html_url, downloads: Object.fromEntries(assets.map((a) => [a.name, a.browser_download_url])) };
});
