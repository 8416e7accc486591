// `npm run upgrade-check -- --from <rev> [--to <rev>] [--tree fixture|real]`: releases a throwaway stack with the
// program of one commit, then previews and ups the same stack with the program of another, on the local platform, and
// reports what the newer program would do to what the older one released. Released artifacts must stay untouched: no
// image, Helm release, GitHub release or asset replaced or deleted, no release tag (image or chart) moved, and the
// Helm release still deploying the same chart version with the same values (an in-place upgrade that only changes its
// description is reported, not refused). Attestation referrers re-attached under `sha256-<digest>` tags are reported.
import type { EngineEvent, Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findArchive, REAL_TREE } from "../lib/archives";
import { info, runMain, UserError } from "../lib/log";
import { repoRoot } from "../lib/paths";
import { platform, type Platform } from "../lib/platform-client";
import { releaseProject, uniqueId, type ReleaseProject } from "../lib/release-project";

interface Args {
  from: string;
  to: string;
  tree: "fixture" | "real";
  out?: string;
  /** Write the stack's state as the older program left it (secrets encrypted) to this file. */
  exportTo?: string;
  /** Extra config of the stack (`key=value`, the project's keys without the prefix), e.g. the stand-ins of old. */
  config: Record<string, string>;
  /** Run `npm run migrate` on the stack between the two programs (a stack released by the stand-ins). */
  migrate: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { from: "", to: "HEAD", tree: "real", config: {}, migrate: false };
  for (let i = 0; i < argv.length; i++) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (k === "--migrate") {
      a.migrate = true;
      continue;
    }
    if (k === "--config" && /^[A-Za-z]+=/.test(v ?? "")) {
      const at = v.indexOf("=");
      a.config[v.slice(0, at)] = v.slice(at + 1);
    } else if (k === "--from") a.from = v;
    else if (k === "--to") a.to = v;
    else if (k === "--tree" && (v === "fixture" || v === "real")) a.tree = v;
    else if (k === "--out") a.out = v;
    else if (k === "--export") a.exportTo = v;
    else
      throw new UserError(
        `upgrade-check: unknown argument ${k} ${v ?? ""} (use --from REV [--to REV] [--tree fixture|real] [--config key=value]... [--migrate] [--out FILE] [--export FILE])`,
      );
    i++;
  }
  if (!a.from)
    throw new UserError("upgrade-check: --from REV is required (the commit whose program released the stack)");
  return a;
}

/** The program of a commit: its tracked files (releaseProject links this checkout's node_modules beside them). */
function checkoutProgram(rev: string, dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sha = execFileSync("git", ["-C", repoRoot, "rev-parse", rev], { encoding: "utf8" }).trim();
  execFileSync("sh", ["-c", `git -C "${repoRoot}" archive "${sha}" | tar -x -C "${dir}"`]);
  return sha;
}

interface Op {
  urn: string;
  type: string;
  op: string;
  diffs: string[];
  commandChange?: { from: string; to: string };
}

/** Released things: replacing or deleting one would re-push or lose what users already have. */
const RELEASED = /docker-build:index:(Image|Index)|kubernetes:helm.sh\/v3:Release|github:index\/release:Release/;

/** The GitHub release's assets by name and id: a replaced asset gets a new id. */
async function releaseAssets(p: Platform, url: string | undefined): Promise<Record<string, number>> {
  const tag = url?.split("/releases/tag/")[1];
  if (!tag) return {};
  const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/${tag}`);
  if (!r.ok) return {};
  const rel = (await r.json()) as { assets: { name: string; id: number }[] };
  return Object.fromEntries(rel.assets.map((a) => [a.name, a.id]));
}

async function preview(stack: Stack): Promise<Op[]> {
  const ops: Op[] = [];
  const onEvent = (e: EngineEvent): void => {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.op === "same" || m.op === "read") return;
    const op: Op = { urn: m.urn, type: m.type, op: m.op, diffs: m.diffs ?? [] };
    const oldCreate = m.old?.inputs?.create as string | undefined;
    const newCreate = m.new?.inputs?.create as string | undefined;
    if (m.type === "command:local:Command" && oldCreate !== newCreate)
      op.commandChange = { from: String(oldCreate), to: String(newCreate) };
    ops.push(op);
  };
  await stack.preview({ diff: true, onEvent });
  return ops;
}

async function registryTags(p: Platform, owner: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ["api-gateway", "scheduler", "planner", "operator", "worker-agent"]) {
    const repo = `${owner}/splai-${name}`;
    for (const tag of await p.registry.tags(repo))
      out[`${repo}:${tag}`] = (await p.registry.getManifest(repo, tag))?.digest ?? "";
  }
  for (const tag of await p.registry.tags(`${owner}/charts/splai`))
    out[`${owner}/charts/splai:${tag}`] = (await p.registry.getManifest(`${owner}/charts/splai`, tag))?.digest ?? "";
  return out;
}

runMain(async () => {
  const args = parseArgs(process.argv.slice(2));
  const p = platform();
  // The automation API finds `pulumi` on this process's PATH: the platform's (the pinned tools first).
  Object.assign(process.env, p.env);
  const id = uniqueId("upg");
  const dir = mkdtempSync(join(tmpdir(), `splai-${id}-`));
  let proj: ReleaseProject | undefined;
  try {
    const fromSha = checkoutProgram(args.from, join(dir, "from"));
    info("upgrade-check", `program of ${args.from} (${fromSha.slice(0, 7)})`);
    let tree: string | undefined;
    if (args.tree === "real") {
      tree = join(dir, "real");
      mkdirSync(tree);
      execFileSync("tar", ["-xzf", findArchive(REAL_TREE), "-C", tree, "--strip-components=1"]);
    }
    // The stand-ins' dynamic provider ran through the launcher pulumi's distribution ships beside the CLI
    // (`pulumi-resource-pulumi-nodejs`); the toolchain no longer installs it, so an old program gets it here.
    const launcherDir = join(dir, "bin");
    mkdirSync(launcherDir);
    const provider = join(repoRoot, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "index.js");
    writeFileSync(join(launcherDir, "pulumi-resource-pulumi-nodejs"), `#!/bin/sh\nexec node "${provider}" "$@"\n`, {
      mode: 0o755,
    });
    const env = { PATH: `${launcherDir}:${p.env.PATH ?? ""}` };
    proj = await releaseProject(p, {
      id,
      tree,
      programFrom: join(dir, "from"),
      env,
      config: Object.fromEntries(Object.entries(args.config).map(([k, value]) => [`splai-release:${k}`, { value }])),
    });
    const stack = proj.stack;
    const program = join(proj.dir, "program");
    const t0 = Date.now();
    const first = await stack.up({ onOutput: (o) => process.stderr.write(o) });
    if (first.summary.result !== "succeeded") throw new UserError(`the release by ${args.from} failed`);
    info("upgrade-check", `released by ${args.from} in ${Math.round((Date.now() - t0) / 1000)} s`);
    if (args.exportTo) writeFileSync(args.exportTo, JSON.stringify(await stack.exportStack(), null, 1));
    const tagsBefore = await registryTags(p, id);
    const assetsBefore = await releaseAssets(p, first.outputs.releaseUrl?.value as string | undefined);
    const helmBefore = await p.helmRelease(`splai-${id}`);
    const releaseUrlBefore = first.outputs.releaseUrl?.value as string | undefined;

    // The newer program in the same directory, the same stack and state.
    // The stack's settings file (Pulumi.<stack>.yaml) stays: it is the stack's, not the program's.
    const keep = new Set(["node_modules", `Pulumi.${id}.yaml`]);
    for (const f of readdirSync(program)) if (!keep.has(f)) rmSync(join(program, f), { recursive: true });
    const toSha = checkoutProgram(args.to, join(dir, "to"));
    for (const f of readdirSync(join(dir, "to")))
      if (!keep.has(f)) cpSync(join(dir, "to", f), join(program, f), { recursive: true });
    if (!existsSync(join(program, "Pulumi.yaml"))) throw new UserError(`${args.to} has no Pulumi.yaml`);
    if (args.migrate) {
      info("upgrade-check", "migrating the stand-ins' state (npm run migrate)");
      execFileSync(
        process.execPath,
        ["--import", "tsx", join(repoRoot, "tools", "migrate", "main.ts"), "--stack", id, "--cwd", program],
        { env: { ...process.env, ...stack.workspace.envVars }, stdio: "inherit", cwd: repoRoot },
      );
    }
    info("upgrade-check", `previewing with the program of ${args.to} (${toSha.slice(0, 7)})`);
    const ops = await preview(stack);
    const up = await stack.up({ onOutput: (o) => process.stderr.write(o) });
    const tagsAfter = await registryTags(p, id);
    const helmAfter = await p.helmRelease(`splai-${id}`);
    const assetsAfter = await releaseAssets(p, up.outputs.releaseUrl?.value as string | undefined);
    const assetsReplaced = Object.keys(assetsBefore).filter((n) => assetsAfter[n] !== assetsBefore[n]);
    const changedTags = Object.keys(tagsBefore).filter((t) => tagsAfter[t] !== tagsBefore[t]);
    // `sha256-<digest>` tags are the OCI referrers fallback index of an image (its SBOM and provenance), not releases.
    const referrers = changedTags.filter((t) => /:sha256-[0-9a-f]{64}$/.test(t));
    const moved = changedTags.filter((t) => !referrers.includes(t));
    const deployed = (h: typeof helmBefore): string => {
      const last = h[h.length - 1];
      return JSON.stringify({ chart: last?.chart.metadata.version, values: last?.config });
    };
    const helmSame = deployed(helmBefore) === deployed(helmAfter);
    const releasedTouched = ops.filter((o) => RELEASED.test(o.urn) && /replace|delete/.test(o.op));
    const result = {
      from: fromSha,
      to: toSha,
      tree: args.tree,
      previewOps: ops.map(({ urn, op, diffs }) => ({ resource: urn.split("::").slice(-2).join("::"), op, diffs })),
      commandChanges: ops
        .filter((o) => o.commandChange)
        .map((o) => ({ resource: urn2name(o.urn), ...o.commandChange })),
      releasedReplacedOrDeleted: releasedTouched.map((o) => `${o.op} ${urn2name(o.urn)}`),
      up: { result: up.summary.result, changes: up.summary.resourceChanges },
      registryTagsMoved: moved,
      githubAssets: { before: Object.keys(assetsBefore).length, replaced: assetsReplaced },
      attestationReferrersReattached: referrers.length,
      registryTags: Object.keys(tagsBefore).length,
      helmRevisions: {
        before: helmBefore.map((r) => r.version),
        after: helmAfter.map((r) => r.version),
        sameChartAndValues: helmSame,
      },
      releaseUrl: { before: releaseUrlBefore, after: up.outputs.releaseUrl?.value as string | undefined },
    };
    const json = JSON.stringify(result, null, 2);
    if (args.out) writeFileSync(args.out, json + "\n");
    process.stdout.write(json + "\n");
    const failed =
      releasedTouched.length > 0 ||
      moved.length > 0 ||
      assetsReplaced.length > 0 ||
      !helmSame ||
      up.summary.result !== "succeeded";
    if (failed)
      throw new UserError("the newer program replaces, deletes or re-pushes what the older one released (see above)");
    info("upgrade-check", "nothing released was replaced, deleted or re-pushed");
  } finally {
    await proj?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

function urn2name(urn: string): string {
  return urn.split("::").slice(-1)[0];
}
