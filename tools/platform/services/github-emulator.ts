// The platform's GitHub: the emulator (../github-emulator/) serving the release repository and the Homebrew tap
// with the platform token. Immutable releases are off as on a new GitHub repository; a test turns them on through
// PATCH /_emulator/repos/{owner}/{repo}.
import { join } from "node:path";
import { fetchLocal } from "../../lib/local-http";
import { repoRoot } from "../../lib/paths";
import { startDetached } from "../procs";
import { data, logOf, type Service } from "../service";

export const githubEmulator: Service = {
  name: "github-emulator",
  ports: (s) => [[s.ports.github, "SPLAI_PORT_GITHUB"]],
  start: async (s) =>
    startDetached(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "tools", "platform", "github-emulator", "main.ts"),
        "--port",
        String(s.ports.github),
        "--state",
        data(s, "github"),
        "--repo",
        `${s.github.owner}/${s.github.repo}`,
        // The Homebrew tap a tag release commits its formula to (homebrewTap's default).
        "--repo",
        `${s.github.owner}/homebrew-tap`,
      ],
      logOf(s, "github-emulator"),
      { ...process.env, GITHUB_EMULATOR_TOKEN: s.github.token },
      repoRoot,
    ),
  ready: async (s) => (await fetchLocal(`${s.github.url}_emulator/health`)).status === 200,
  timeoutMs: 30_000,
  describe: (s) => `${s.github.url}api/v3/ (repos ${s.github.owner}/${s.github.repo}, ${s.github.owner}/homebrew-tap)`,
};
