// Where the project keeps its caches and local state, in one place so every script agrees.
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(__dirname, "..", "..");

function expandHome(p: string): string {
  return p.startsWith("~/") ? join(homedir(), p.slice(2)) : p;
}

/** Cache for built tools and logs, outside the repo so a fresh clone reuses it. */
export const cacheDir = resolve(
  expandHome(
    process.env.SPLAI_RELEASE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "splai-release"),
  ),
);

/** Stable directory of symlinks to the pinned tools; put first on PATH by every script. */
export const toolBinDir = join(cacheDir, "bin");

/** The local platform's state directory: ports, pids, logs, data, certs, Pulumi state. */
export const platformDir = resolve(process.env.SPLAI_PLATFORM_DIR ?? join(repoRoot, ".state", "platform"));

/** PULUMI_HOME used by the scripts; the user's default unless overridden. */
export const pulumiHome = resolve(expandHome(process.env.PULUMI_HOME ?? join(homedir(), ".pulumi")));

/** The release rules every preview and up of this project runs (`--policy-pack`). */
export const policyPackDir = join(repoRoot, "policy");
