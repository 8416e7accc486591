// `npm run plan -- --stack <name>`: the release a stack's next `up` would make, as Markdown and JSON, optionally with the engine's update plan; `--apply` runs exactly that plan.
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import * as YAML from "yaml";
import { renderMarkdown } from "./markdown";
import { nextReleaseTag } from "../../shared/versioning";
import { info, runMain, UserError } from "../lib/log";
import { repoRoot, toolBinDir } from "../lib/paths";
import { parsePlanArgs, PlanArgsError } from "./args";
import { applyPlan, previewPlan } from "./engine";
import { platformEnv, requirePlatform } from "../platform/state";

/**
 * The local stack runs against the local platform, whose environment carries its backend and credentials. Other stacks
 * use the caller's environment as it is (CI's secrets, the user's `pulumi login`), with the pinned tools first on PATH
 * when they are built here.
 */
function workspaceEnv(stack: string): Record<string, string> {
  const base =
    stack === "local"
      ? platformEnv(requirePlatform())
      : { PATH: existsSync(toolBinDir) ? `${toolBinDir}:${process.env.PATH ?? ""}` : (process.env.PATH ?? "") };
  return Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The tag the source tree would be released as next, from its tags and its Chart.yaml (see nextReleaseTag). */
function nextTagOf(source: string, chartPath: string): string {
  let tags: string[];
  try {
    tags = execFileSync("git", ["-C", source, "tag", "--list", "v*"], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    throw new UserError(
      `--next-tag reads the tags of the source tree, but ${source} is not a git checkout; check out SPLAI there (with its tags: fetch-depth 0 in CI)`,
    );
  }
  const chartFile = join(chartPath, "Chart.yaml");
  const declared = existsSync(chartFile)
    ? (YAML.parse(readFileSync(chartFile, "utf8")) as { version?: unknown } | null)?.version
    : undefined;
  const version = typeof declared === "string" ? declared : "";
  return nextReleaseTag(tags, version);
}

runMain(async () => {
  let args;
  try {
    args = parsePlanArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof PlanArgsError) throw new UserError(e.message);
    throw e;
  }
  const dir = resolve(args.dir ?? repoRoot);
  const out = resolve(args.out ?? join(repoRoot, ".state", "plans"));
  const envVars = workspaceEnv(args.stack);
  // The Automation API finds the `pulumi` binary on this process's PATH, not on the workspace's.
  process.env.PATH = envVars.PATH;
  const stack = await LocalWorkspace.selectStack({ stackName: args.stack, workDir: dir }, { envVars }).catch(
    (e: Error) => {
      throw new UserError(
        `cannot select stack '${args.stack}' in ${dir}: ${e.message.split("\n").find((l) => l.includes("error")) ?? e.message}`,
      );
    },
  );

  if (args.apply !== undefined) {
    const file = resolve(args.apply);
    info("plan", `up --plan ${file} (stack ${args.stack})`);
    const up = await applyPlan(stack, file, { onOutput: (s) => process.stderr.write(s) });
    info("plan", `applied: ${up.summary.result}, ${JSON.stringify(up.summary.resourceChanges ?? {})}`);
    return;
  }

  if (args.nextTag) {
    const config = await stack.getAllConfig();
    const get = (k: string, d: string): string => {
      const v = config[`splai-release:${k}`]?.value;
      return v === undefined || v === "" ? d : v;
    };
    const source = resolve(dir, get("source", "../splai"));
    const chartPath = get("chartPath", "charts/splai");
    const tag = nextTagOf(source, isAbsolute(chartPath) ? chartPath : join(source, chartPath));
    info("plan", `planning the next release tag of ${source}: ${tag}`);
    stack.workspace.envVars.SPLAI_RELEASE_REF = tag;
  } else if (args.ref !== undefined) {
    stack.workspace.envVars.SPLAI_RELEASE_REF = args.ref;
  }

  mkdirSync(out, { recursive: true });
  const updatePlan = args.savePlan ? join(out, `${args.stack}.update-plan.json`) : undefined;
  info("plan", `preview --diff of stack ${args.stack}${updatePlan ? `, saving the update plan to ${updatePlan}` : ""}`);
  const { plan } = await previewPlan(stack, { savePlan: updatePlan, onOutput: (s) => process.stderr.write(s) });
  const applyCommand = updatePlan
    ? `npm run plan -- --stack ${args.stack} --apply ${relative(process.cwd(), updatePlan) || updatePlan}`
    : undefined;
  const md = renderMarkdown(plan, { maxChars: args.maxChars, applyCommand });
  writeFileSync(join(out, `${args.stack}.json`), `${JSON.stringify(plan, null, 2)}\n`);
  writeFileSync(join(out, `${args.stack}.md`), md);
  process.stdout.write(md);
  info(
    "plan",
    `wrote ${join(out, `${args.stack}.md`)} and ${args.stack}.json${updatePlan ? ` and ${args.stack}.update-plan.json` : ""}`,
  );
});
