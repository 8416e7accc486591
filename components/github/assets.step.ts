// Step: uploads release assets (binaries, SHA256SUMS) to a GitHub release idempotently; run by the GitHubRelease component.
import { apiBase, GitHubClient } from "./api";
import { defineStep } from "../../shared/step/run";
import { SYNC_ASSETS } from "./contract";

export default defineStep(SYNC_ASSETS, async (env) => {
  const client = new GitHubClient(apiBase(env.GITHUB_BASE_URL), env.GITHUB_TOKEN);
  const files = env.ASSET_FILES.split("\n").filter((f) => f !== "");
  const assets = await client.syncAssets(env.GITHUB_OWNER, env.GITHUB_REPO, Number(env.RELEASE_ID), files, (m) =>
    process.stderr.write(`${m}\n`),
  );
  return assets.map((a) => ({ name: a.name, id: a.id, size: a.size, sha256: a.sha256, url: a.browser_download_url }));
});
