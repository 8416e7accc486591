// `npm run release:local`: toolchain, local platform, then a real `pulumi up` of the local stack on the fixture tree, and a summary.
import { spawnSync } from "node:child_process";
import { info, runMain, UserError } from "./lib/log";
import { repoRoot } from "./lib/paths";
import { platformEnv, requirePlatform } from "./lib/platform-state";

function step(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot, env, stdio: "inherit" });
  if (r.status !== 0) throw new UserError(`'${cmd} ${args.join(" ")}' failed (exit ${r.status ?? r.signal})`);
}

runMain(async () => {
  const stack = process.env.SPLAI_STACK ?? "local";
  const tsx = [process.execPath, "--import", "tsx"];
  info("release", "toolchain");
  step(tsx[0], [...tsx.slice(1), "scripts/toolchain.ts"]);
  info("release", "platform");
  step(tsx[0], [...tsx.slice(1), "scripts/platform.ts", "up"]);
  const env = platformEnv(requirePlatform());
  const selected = spawnSync("pulumi", ["stack", "select", stack], { cwd: repoRoot, env, stdio: "ignore" });
  if (selected.status !== 0) step("pulumi", ["stack", "init", stack], env);
  info("release", `pulumi up --stack ${stack}`);
  step("pulumi", ["up", "--yes", "--skip-preview", "--stack", stack, "--diff", "--suppress-progress"], env);
  const out = spawnSync("pulumi", ["stack", "output", "--json", "--stack", stack], { cwd: repoRoot, env, encoding: "utf8" });
  if (out.status !== 0) throw new UserError(`pulumi stack output failed: ${out.stderr}`);
  const o = JSON.parse(out.stdout) as Record<string, unknown>;
  const versions = o.versions as { app: string; chart: string; imageTags: string[] };
  process.stdout.write(
    [
      "",
      `Released SPLAI ${versions.app} (stack ${stack})`,
      `  chart    ${String(o.chartRef)} (${String(o.chartDigest)})`,
      ...Object.entries(o.imageRefs as Record<string, string>).map(([k, v]) => `  image    ${k.padEnd(13)} ${v}`),
      `  tags     ${versions.imageTags.join(", ")}`,
      `  helm     release splai: ${String(o.releaseStatus)} (revision ${String(o.helmRevision)})`,
      `  github   ${String(o.releaseUrl)}`,
      "",
      "Install elsewhere with:",
      String(o.installCommand),
      "",
    ].join("\n"),
  );
});
