// Uploads release assets (binaries, SHA256SUMS) to a GitHub release idempotently; run by the GitHubRelease component.
import { apiBase, GitHubClient } from "../lib/github-api";

async function main(): Promise<void> {
  const env = (k: string): string => {
    const v = process.env[k];
    if (v === undefined || v === "") throw new Error(`github-assets: ${k} is not set`);
    return v;
  };
  const client = new GitHubClient(apiBase(env("GITHUB_BASE_URL")), env("GITHUB_TOKEN"));
  const files = env("ASSET_FILES")
    .split("\n")
    .filter((f) => f !== "");
  const assets = await client.syncAssets(env("GITHUB_OWNER"), env("GITHUB_REPO"), Number(env("RELEASE_ID")), files, (m) => process.stderr.write(`${m}\n`));
  process.stdout.write(`${JSON.stringify(assets.map((a) => ({ name: a.name, id: a.id, size: a.size, sha256: a.sha256, url: a.browser_download_url })))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
