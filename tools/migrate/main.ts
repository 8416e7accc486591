// `npm run migrate -- --stack <name> [--cwd <program dir>] [--dry-run]`: one-time move of a stack released by the
// stand-ins (`commandProvider: dynamic`, `githubApi: rest`, before 37ad192) onto the real plugins' resources, with
// nothing run again: the state is exported (secrets shown, into a private temporary file), rewritten by
// standins.ts, imported (secrets encrypted again by the stack's own secrets provider), and each migrated GitHub
// release refreshed from GitHub. A backup of the original export is kept beside the stack unless the run succeeds.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { info, runMain, UserError } from "../lib/log";
import { repoRoot } from "../lib/paths";
import { loadToolchain } from "../toolchain/versions";
import { migrateStandIns, STAND_IN_TYPE, type Deployment } from "./standins";

interface Options {
  stack: string;
  cwd: string;
  dryRun: boolean;
}

const USAGE = "npm run migrate -- --stack <name> [--cwd <program dir>] [--dry-run]";

function parseArgs(argv: string[]): Options {
  const o: Partial<Options> = { cwd: repoRoot, dryRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") o.stack = argv[++i];
    else if (a === "--cwd") o.cwd = argv[++i];
    else if (a === "--dry-run") o.dryRun = true;
    else throw new UserError(`unknown argument '${a}'; use: ${USAGE}`);
  }
  if (!o.stack) throw new UserError(`--stack is required: ${USAGE}`);
  return o as Options;
}

function pulumi(o: Options, args: string[]): string {
  const r = spawnSync("pulumi", [...args, "--stack", o.stack, "--non-interactive"], {
    cwd: o.cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw new UserError(`cannot run pulumi: ${r.error.message}`);
  if (r.status !== 0) throw new UserError(`pulumi ${args.join(" ")} failed (exit ${r.status}):\n${r.stderr.trim()}`);
  return r.stdout;
}

/** The plugin versions the program's SDKs ask for (package.json's toolchain table). */
function pluginVersions(): { command: string; github: string } {
  const t = loadToolchain();
  const v = (name: string): string => {
    const tool = t.tools.find((x) => x.name === name);
    if (!tool?.version) throw new UserError(`package.json's toolchain has no version for ${name}`);
    return tool.version;
  };
  return { command: v("pulumi-resource-command"), github: v("pulumi-resource-github") };
}

runMain(async () => {
  const o = parseArgs(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), "splai-migrate-"));
  chmodSync(work, 0o700);
  const exported = join(work, "export.json");
  const migrated = join(work, "migrated.json");
  let keepBackup = true;
  try {
    info("migrate", `exporting ${o.stack} (secrets shown, in ${work} only while this runs)`);
    writeFileSync(exported, pulumi(o, ["stack", "export", "--show-secrets"]), { mode: 0o600 });
    const state = JSON.parse(readFileSync(exported, "utf8")) as { version: number; deployment: Deployment };
    const standIns = (state.deployment.resources ?? []).filter((r) => r.type === STAND_IN_TYPE).length;
    if (standIns === 0) {
      keepBackup = false;
      info("migrate", `${o.stack} has no stand-in resources (${STAND_IN_TYPE}): nothing to do`);
      return;
    }
    let result;
    try {
      result = migrateStandIns(state.deployment, pluginVersions());
    } catch (e) {
      throw new UserError(`cannot migrate ${o.stack}: ${(e as Error).message}`);
    }
    const { deployment, report } = result;
    info("migrate", `${report.commands.length} commands -> command:local:Command`);
    for (const r of report.releases) info("migrate", `release ${r.id} -> ${r.urn}`);
    if (o.dryRun) {
      keepBackup = false;
      info("migrate", "dry run: nothing imported");
      return;
    }
    writeFileSync(migrated, JSON.stringify({ ...state, deployment }), { mode: 0o600 });
    pulumi(o, ["stack", "import", "--file", migrated]);
    for (const r of report.releases) {
      info("migrate", `refreshing the release ${r.id} from GitHub`);
      pulumi(o, ["refresh", "--yes", "--skip-preview", "--target", r.urn, "--target", r.provider]);
    }
    keepBackup = false;
    info("migrate", `${o.stack} now uses the real plugins; preview it with the current program before the next up`);
  } finally {
    if (keepBackup) {
      // The original state, to `pulumi stack import` back; it holds secrets in plaintext: delete it once done.
      info("migrate", `the original export is kept at ${exported} (plaintext secrets: delete it once done)`);
      rmSync(migrated, { force: true });
    } else rmSync(work, { recursive: true, force: true });
  }
});
