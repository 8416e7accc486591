// `npm test`: lint, unit tests (no built tool needed), then the toolchain, the local platform and the integration tests.
// `npm run test:unit` stops after the unit tests; `npm run test:real-node` runs the real node's end-to-end test.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { info, runMain, UserError } from "../lib/log";
import { repoRoot } from "../lib/paths";
import { platformEnv, requirePlatform } from "../platform/state";

/** Where unit tests live: beside the code they test, wherever that runs. */
export const UNIT_TEST_ROOTS = ["config", "components", "shared", "policy", "tools", "test/unit"];

/** Node 20's test runner takes no globs or .ts directories: list the files, recursively. */
export function testFiles(dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names.sort()) {
      const p = join(dir, n);
      if (n === "node_modules" || n === "recipes" || n === "fixtures") continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".test.ts")) out.push(relative(repoRoot, p));
    }
  };
  for (const d of dirs) walk(join(repoRoot, d));
  return out;
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
    step("toolchain (with the real node)", node, ["--import", "tsx", "tools/toolchain/main.ts", "--real-node"]);
    step("platform with a real node", node, ["--import", "tsx", "tools/platform/main.ts", "up", "--node", "real"]);
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
    step("unit tests", node, ["--import", "tsx", "--test", "--test-reporter=spec", ...testFiles(UNIT_TEST_ROOTS)]);
  }
  if (only === "unit") return;
  step("toolchain", node, ["--import", "tsx", "tools/toolchain/main.ts"]);
  step("platform", node, ["--import", "tsx", "tools/platform/main.ts", "up"]);
  const files = process.argv.slice(only === "integration" ? 3 : 2);
  step(
    "integration tests",
    node,
    [
      "--import",
      "tsx",
      "--test",
      "--test-concurrency=1",
      "--test-reporter=spec",
      ...(files.length ? files : testFiles(["test/integration"])),
    ],
    platformEnv(requirePlatform()),
  );
});
