// Uploads release assets (binaries, SHA256SUMS) to a GitHub release idempotently; run by the GitHubRelease component.
import { apiBase, GitHubClient } from "../lib/github-api";
import { requireEnv, runScript } from "./lib/script";

async function main(): Promise<void> {
  const client = new GitHubClient(apiBase(requireEnv("GITHUB_BASE_URL")), requireEnv("GITHUB_TOKEN"));
  const files = requireEnv("ASSET_FILES")
    .split("\n")
    .filter((f) => f !== "");
  const assets = await client.syncAssets(requireEnv("GITHUB_OWNER"), requireEnv("GITHUB_REPO"), Number(requireEnv("RELEASE_ID")), files, (m) =>
    process.stderr.write(`${m}\n`),
  );
  process.stdout.write(`${JSON.stringify(assets.map((a) => ({ name: a.name, id: a.id, size: a.size, sha256: a.sha256, url: a.browser_download_url })))}\n`);
}

runScript(main);
