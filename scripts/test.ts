// `npm test`: lint, unit tests, then the toolchain, the local platform and the integration tests against it.
// `npm run test:real-node`: the real-node toolchain, the platform with its real node, and the real-node end-to-end test.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { info, runMain, UserError } from "./lib/log";
import { repoRoot } from "./lib/paths";
import { platformEnv, requirePlatform } from "./lib/platform-state";

/** Node 20's test runner takes no globs or .ts directories: list the files. */
function testFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir))
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((f) => join(dir, f));
}

function step(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): void {
  info("test", name);
  const r = spawnSync(cmd, args, { cwd: repoRoot, env, stdio: "inherit" });
  if (r.status !== 0) throw new UserError(`${name} failed (exit ${r.status ?? r.signal})`);
}

runMain(async () => {
  const only = process.argv[2];
  const node = process.execPath;
  if (only === "real-node") {
    step("toolchain (with the real node)", node, ["--import", "tsx", "scripts/toolchain.ts", "--real-node"]);
    step("platform with a real node", node, ["--import", "tsx", "scripts/platform.ts", "up", "--node", "real"]);
    step(
      "real-node end-to-end test",
      node,
      ["--import", "tsx", "--test", "--test-reporter=spec", "test/integration/real-node.test.ts"],
      platformEnv(requirePlatform()),
    );
    return;
  }
  if (only !== "integration") {
    step("lint", "npm", ["run", "-s", "lint"]);
    // The workflow tests run actionlint, the one built tool the unit tests need (cached after the first build).
    step("toolchain (actionlint)", node, ["--import", "tsx", "scripts/toolchain.ts", "actionlint"]);
    step("unit tests", node, ["--import", "tsx", "--test", "--test-reporter=spec", ...testFiles("test/unit")]);
  }
  if (only === "unit") return;
  step("toolchain", node, ["--import", "tsx", "scripts/toolchain.ts"]);
  step("platform", node, ["--import", "tsx", "scripts/platform.ts", "up"]);
  const files = process.argv.slice(only === "integration" ? 3 : 2);
  step(
    "integration tests",
    node,
    ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...(files.length ? files : testFiles("test/integration"))],
    platformEnv(requirePlatform()),
  );
});
