// `npm run release:local`: toolchain, local platform, then a real `pulumi up` of the local stack, shown as progress and a summary.
import { LocalWorkspace, type OutputMap } from "@pulumi/pulumi/automation";
import { createWriteStream, mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/exec";
import { info, runMain, UserError } from "../lib/log";
import { policyPackDir, repoRoot } from "../lib/paths";
import { platformEnv, requirePlatform } from "../platform/state";
import { ReleaseProgress, stripFormatting } from "../lib/progress";

const USAGE = `usage: npm run release:local [-- --diff] [--stack <name>]
  --diff          also print the engine's full property diff (it always goes to the log file)
  --stack <name>  the stack to release (default: local, or SPLAI_STACK)`;

/**
 * Runs a preparation step quietly: one line on success, everything it printed on failure. Lines about building pass
 * through as they come: a cold toolchain builds for the better part of an hour.
 */
async function step(what: string, args: string[]): Promise<void> {
  const t0 = Date.now();
  let built = 0;
  try {
    await run(process.execPath, ["--import", "tsx", ...args], {
      cwd: repoRoot,
      onLine: (line) => {
        if (/: (building|still building|built in) /.test(line)) process.stderr.write(`${line}\n`);
        if (/: built in /.test(line)) built++;
      },
    });
  } catch (err) {
    throw new UserError(`${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
  info(
    "release",
    `${what} ready in ${((Date.now() - t0) / 1000).toFixed(0)}s${built ? ` (${built} tool(s) built)` : ""}`,
  );
}

function parseArgs(argv: string[]): { diff: boolean; stack: string } {
  let stack = process.env.SPLAI_STACK ?? "local";
  let diff = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--diff") diff = true;
    else if (argv[i] === "--stack" && argv[i + 1]) stack = argv[++i];
    else if (argv[i] === "--help" || argv[i] === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new UserError(`unknown argument '${argv[i]}'\n${USAGE}`);
  }
  return { diff, stack };
}

function summary(stack: string, o: OutputMap, seconds: number, phases: string[], log: string): string {
  const v = o.versions.value as { app: string; chart: string; imageTags: string[] };
  const images = Object.entries((o.imageRefs?.value ?? {}) as Record<string, string>);
  return [
    "",
    `Released SPLAI ${v.app} (stack ${stack}) in ${seconds.toFixed(0)}s`,
    ...phases,
    "",
    `  chart    ${String(o.chartRef.value)} (${String(o.chartDigest.value)})`,
    ...images.map(([k, ref]) => `  image    ${k.padEnd(13)} ${ref}`),
    `  tags     ${v.imageTags.join(", ")}`,
    `  helm     ${String(o.releaseStatus.value)} (revision ${String(o.helmRevision?.value ?? "-")})`,
    `  github   ${String(o.releaseUrl.value)}`,
    "",
    "Install elsewhere with:",
    `  ${String(o.installCommand.value)}`,
    "",
    `Full engine output (diffs included): ${log}`,
    "",
  ].join("\n");
}

runMain(async () => {
  const { diff, stack } = parseArgs(process.argv.slice(2));
  await step("toolchain", ["tools/toolchain/main.ts"]);
  await step("local platform", ["tools/platform/main.ts", "up"]);
  const env = platformEnv(requirePlatform()) as Record<string, string>;
  // The Automation API finds the pinned `pulumi` and its plugins through this process's environment.
  Object.assign(process.env, env);
  const st = await LocalWorkspace.createOrSelectStack({ stackName: stack, workDir: repoRoot }, { envVars: env }).catch(
    (e: unknown) => {
      throw new UserError(
        `cannot select or create stack '${stack}': ${stripFormatting(e instanceof Error ? e.message : String(e))}`,
      );
    },
  );
  const logDir = join(repoRoot, ".state", "logs");
  mkdirSync(logDir, { recursive: true });
  const logFile = join(logDir, `release-local-${stack}.log`);
  const log = createWriteStream(logFile);
  const progress = new ReleaseProgress((line) => process.stdout.write(`${line}\n`));
  info("release", `pulumi up --stack ${stack} (progress below; full output in ${logFile})`);
  const t0 = Date.now();
  try {
    const r = await st.up({
      diff: true,
      policyPacks: [policyPackDir],
      color: "never",
      onEvent: progress.onEvent,
      onOutput: (text) => {
        log.write(text);
        if (diff) process.stdout.write(text);
      },
    });
    process.stdout.write(summary(stack, r.outputs, (Date.now() - t0) / 1000, progress.summary(), logFile));
  } catch (err) {
    const why = progress.errors.length
      ? progress.errors.join("\n")
      : stripFormatting(err instanceof Error ? err.message : String(err)).trim();
    throw new UserError(
      `the release of stack '${stack}' failed after ${((Date.now() - t0) / 1000).toFixed(0)}s:\n${why}\nFull engine output: ${logFile}`,
    );
  } finally {
    log.end();
  }
});
