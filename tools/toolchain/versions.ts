// The one place tool versions come from: package.json's `toolchain` block, plugin versions read from the installed @pulumi SDKs.
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import * as semver from "semver";
import { UserError } from "../lib/log";
import { repoRoot } from "../lib/paths";

export interface Tool {
  /** Folder name under toolchain/tools and key in package.json. */
  readonly name: string;
  readonly version: string;
  /** Pulumi resource plugin name, for provider plugins. */
  readonly plugin?: string;
  readonly bins: string[];
  /** Command (first word may be one of `bins`) whose output must contain `version`. */
  readonly check: string[];
  readonly dir: string;
  /** A source archive (the project's own release source, checked by sha256) that build.sh gets unpacked as $SRC. */
  readonly upstream?: Upstream;
  /**
   * Built only when its group is asked for (`npm run toolchain -- --<group>`, or `--all`) or the tool is named:
   * the default platform never needs it. Unset: always built.
   */
  readonly group?: string;
}

export interface Upstream {
  /** File name of the archive in the upstream directory. */
  readonly archive: string;
  /** Its expected SHA-256 (hex); part of the cache key, so a cached build needs no archive. */
  readonly sha256: string;
}

interface ToolEntry {
  version?: string;
  plugin?: string;
  npm?: string;
  upstream?: Upstream;
  group?: string;
  /** The old spelling of `group`, refused so a stale entry is not silently built by default. */
  optional?: unknown;
}

/** Group names become driver flags (`--<group>`), so they may not shadow the driver's own. */
const GROUP_NAME = /^[a-z][a-z0-9-]*$/;
const RESERVED_FLAGS = new Set(["all", "jobs"]);

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, "utf8")) as T;
}

function npmPackage(name: string): { version: string; pulumi?: { name?: string; version?: string } } {
  const file = join(repoRoot, "node_modules", name, "package.json");
  if (!existsSync(file)) throw new UserError(`${name} is not installed; run 'npm ci' first`);
  return readJson(file);
}

export interface Toolchain {
  readonly tools: Tool[];
  /** Debian packages every platform needs. */
  readonly debian: string[];
  /** Debian packages only the optional real node needs (containerd, CNI plugins). */
  readonly debianRealNode: string[];
  /** Where upstream source archives are looked for: the environment variable, else the default (relative to the repo). */
  readonly upstreamDir: { readonly env: string; readonly dir: string };
}

/**
 * Which tools a run provides: the ones named on the command line (`names`), else every tool without a group; plus,
 * either way, every tool of each group asked for with `--<group>` (`flags` without the dashes; `all`: every group).
 * Unknown options are refused; unknown names are the caller's to report.
 */
export function selectTools(
  tools: readonly Tool[],
  names: readonly string[],
  flags: readonly string[],
): { tools: Tool[]; groups: Set<string> } {
  const known = [...new Set(tools.flatMap((t) => (t.group ? [t.group] : [])))].sort();
  const unknown = flags.filter((f) => f !== "all" && !known.includes(f));
  if (unknown.length) {
    const options = ["--jobs <n>", "--all", ...known.map((g) => `--${g}`)];
    throw new UserError(`unknown option(s) ${unknown.map((f) => `--${f}`).join(", ")}; known: ${options.join(", ")}`);
  }
  const groups = new Set(flags.includes("all") ? known : flags);
  const selected = tools.filter(
    (t) => (names.length ? names.includes(t.name) : !t.group) || (t.group !== undefined && groups.has(t.group)),
  );
  return { tools: selected, groups };
}

export function loadToolchain(): Toolchain {
  const pkg = readJson<{
    toolchain: {
      tools: Record<string, ToolEntry>;
      debian: string[];
      debianRealNode?: string[];
      upstreamDir: { default: string; env: string };
    };
  }>(join(repoRoot, "package.json"));
  const tools = Object.entries(pkg.toolchain.tools).map(([name, entry]): Tool => {
    const dir = join(repoRoot, "tools", "toolchain", "recipes", name);
    const meta = readJson<{ bins: string[]; check: string[] }>(join(dir, "tool.json"));
    let version = entry.version;
    if (entry.plugin) {
      const sdk = npmPackage(entry.npm!);
      version = sdk.pulumi?.version;
      if (!version || sdk.pulumi?.name !== entry.plugin) {
        throw new UserError(`${entry.npm} does not name plugin '${entry.plugin}' in its package.json 'pulumi' block`);
      }
    } else if (entry.npm) {
      // The CLI must be at least as new as the SDK it runs.
      const sdk = npmPackage(entry.npm);
      if (!version || semver.lt(version, sdk.version)) {
        throw new UserError(
          `toolchain.tools.${name}.version ${version ?? "(unset)"} is older than ${entry.npm} ${sdk.version}; raise it in package.json`,
        );
      }
    }
    if (!version) throw new UserError(`package.json toolchain.tools.${name} has no version`);
    if (entry.optional !== undefined) {
      throw new UserError(
        `package.json toolchain.tools.${name}.optional is no longer read; use "group": "<name>" (built by npm run toolchain -- --<name>)`,
      );
    }
    if (
      entry.group !== undefined &&
      (typeof entry.group !== "string" || !GROUP_NAME.test(entry.group) || RESERVED_FLAGS.has(entry.group))
    ) {
      throw new UserError(
        `package.json toolchain.tools.${name}.group must be a lower-case name (letters, digits, '-') other than ${[...RESERVED_FLAGS].join(", ")}; got ${JSON.stringify(entry.group)}`,
      );
    }
    return {
      name,
      version,
      plugin: entry.plugin,
      bins: meta.bins,
      check: meta.check,
      dir,
      upstream: entry.upstream,
      group: entry.group,
    };
  });
  const up = pkg.toolchain.upstreamDir;
  return {
    tools,
    debian: pkg.toolchain.debian,
    debianRealNode: pkg.toolchain.debianRealNode ?? [],
    upstreamDir: { env: up.env, dir: resolve(repoRoot, process.env[up.env] ?? up.default) },
  };
}
