// Sets up a throwaway copy of the release program and of the fixture tree (its own git repo), with a stack on a backend of its own (a temp file backend, or a prefix of the platform's S3 bucket).
import { LocalWorkspace, type ConfigMap, type Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import YAML from "yaml";
import { defaultBackendKind, stackBackend, type BackendKind, type StackBackend } from "./stack-backend";
import { repoRoot } from "./paths";
import type { Platform } from "./platform-client";

export interface ReleaseProject {
  readonly dir: string;
  readonly source: string;
  readonly dist: string;
  readonly stack: Stack;
  readonly id: string;
  /** Where its stacks' state lives. */
  readonly backend: StackBackend;
  git(...args: string[]): string;
  /** Another stack of the same program and backend (for example prod beside dev), with the same base config plus `config`. */
  addStack(name: string, config: ConfigMap): Promise<Stack>;
  cleanup(): Promise<void>;
}

/** What `pulumi up` loads: the program, its steps and their shared code (tooling under tools/ is not needed). */
const PROGRAM_FILES = [
  "index.ts",
  "program.js",
  "step.js",
  "ts-loader.js",
  "steps.ts",
  "config",
  "components",
  "shared",
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
];

/** The local stack's chart values (third-party parts off, in-memory store): what every test release deploys with. */
export const LOCAL_HELM_VALUES = (
  YAML.parse(readFileSync(join(repoRoot, "Pulumi.local.yaml"), "utf8")) as { config: Record<string, unknown> }
).config["splai-release:helmValues"] as Record<string, unknown>;

/** `git -C dir …` with a fixed author and committer (`<who>@example.invalid`), returning trimmed stdout. */
export function gitIn(dir: string, who: string): (...args: string[]) => string {
  const identity = {
    GIT_AUTHOR_NAME: who,
    GIT_AUTHOR_EMAIL: `${who}@example.invalid`,
    GIT_COMMITTER_NAME: who,
    GIT_COMMITTER_EMAIL: `${who}@example.invalid`,
  };
  return (...args) =>
    execFileSync("git", ["-C", dir, ...args], { encoding: "utf8", env: { ...process.env, ...identity } }).trim();
}

/** A unique, lower-case id usable in stack names, registry paths and namespaces. */
export const uniqueId = (prefix: string): string =>
  `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

export interface ReleaseProjectOptions {
  id?: string;
  config?: ConfigMap;
  /** Clone this git tree (same commits, same times) instead of committing a fresh copy of the fixture. */
  cloneFrom?: string;
  /** Commit a copy of this source tree instead of the fixture (SPLAI's real repository, unpacked). */
  tree?: string;
  /** Extra environment of the stack's pulumi runs (for example a fresh GOCACHE). */
  env?: Record<string, string>;
  /** The state backend: `file` (a temp directory) or `s3` (the platform's object store); default SPLAI_TEST_BACKEND, else file. */
  backend?: BackendKind;
  /** Copy the whole program from this folder (another commit's, see upgrade-check) instead of this checkout's. */
  programFrom?: string;
  /**
   * Run this module of the checkout (a path from its root, such as bench/same-work.ts) as the program instead of
   * index.ts: a reduced program built from the same components and config.
   */
  entry?: string;
}

export async function releaseProject(p: Platform, opts: ReleaseProjectOptions = {}): Promise<ReleaseProject> {
  const id = opts.id ?? uniqueId("e2e");
  const dir = mkdtempSync(join(tmpdir(), `splai-${id}-`));
  const program = join(dir, "program");
  mkdirSync(program);
  if (opts.programFrom !== undefined) cpSync(opts.programFrom, program, { recursive: true });
  else for (const f of PROGRAM_FILES) cpSync(join(repoRoot, f), join(program, f), { recursive: true });
  if (opts.entry !== undefined) {
    const entry = opts.entry.replace(/\.ts$/, "");
    cpSync(join(repoRoot, opts.entry), join(program, opts.entry), { recursive: true });
    writeFileSync(join(program, "index.ts"), `import main = require("./${entry}");\nexport = main;\n`);
  }
  symlinkSync(join(repoRoot, "node_modules"), join(program, "node_modules"));
  const source = join(dir, "splai");
  if (opts.cloneFrom !== undefined) execFileSync("git", ["clone", "-q", opts.cloneFrom, source]);
  else {
    // The tree's own dist/ (a built binary SPLAI commits, or a local build) is not source.
    const from = opts.tree ?? join(repoRoot, "test", "fixtures", "splai");
    cpSync(from, source, { recursive: true, filter: (s) => relative(from, s).split(sep)[0] !== "dist" });
  }
  const git = gitIn(source, "e2e");
  if (opts.cloneFrom === undefined) {
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", opts.tree ? "SPLAI source tree" : "fixture");
  }
  const backend = stackBackend(p.state, opts.backend ?? defaultBackendKind(), dir, id);
  const dist = join(dir, "dist", "release");
  const s = p.state;
  const baseConfig: ConfigMap = {
    "splai-release:source": { value: source },
    "splai-release:distDir": { value: dist },
    "splai-release:mode": { value: "branch" },
    "splai-release:builder": { value: s.buildkit.builder },
    "splai-release:registry": { value: s.registry.address },
    "splai-release:owner": { value: id },
    "splai-release:registryPassword": { value: s.registry.password, secret: true },
    "splai-release:registryUsername": { value: s.registry.username },
    "splai-release:kubeconfig": { value: s.kubeconfig },
    "splai-release:namespace": { value: `splai-${id}` },
    "splai-release:githubBaseUrl": { value: s.github.url },
    "splai-release:githubOwner": { value: s.github.owner },
    "splai-release:githubRepo": { value: s.github.repo },
    "splai-release:githubToken": { value: s.github.token, secret: true },
    "splai-release:githubRelease": { value: "true" },
    "splai-release:helmTimeout": { value: "180" },
    "splai-release:helmValues": { value: JSON.stringify(LOCAL_HELM_VALUES) },
  };
  const envVars = {
    ...(p.env as Record<string, string>),
    ...backend.env,
    PULUMI_BACKEND_URL: backend.url,
    PULUMI_CONFIG_PASSPHRASE: "e2e",
    ...(opts.env ?? {}),
  };
  const newStack = async (name: string, config: ConfigMap): Promise<Stack> => {
    const st = await LocalWorkspace.createStack({ stackName: name, workDir: program }, { envVars });
    await st.setAllConfig({ ...baseConfig, ...config });
    return st;
  };
  const stack = await newStack(id, opts.config ?? {});
  const stacks = [stack];
  return {
    dir,
    source,
    dist,
    stack,
    id,
    backend,
    git,
    async addStack(name, config) {
      const st = await newStack(name, config);
      stacks.push(st);
      return st;
    },
    async cleanup() {
      // Later stacks first: a stack that references another is destroyed before it.
      for (const st of [...stacks].reverse()) {
        await st.destroy().catch(() => undefined);
        await st.workspace.removeStack(st.name).catch(() => undefined);
      }
      await backend.remove().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
