// The GitHub workflows SPLAI copies from workflows/github/: clean under actionlint (with shellcheck), and the properties a release pipeline must keep.
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as YAML from "yaml";
import { which } from "../../tools/lib/exec";
import { repoRoot, toolBinDir } from "../../tools/lib/paths";

interface Step {
  readonly id?: string;
  readonly name?: string;
  readonly if?: string;
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string | number | boolean>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly if?: string;
  readonly needs?: string | string[];
  readonly environment?: string | { name: string };
  readonly env?: Record<string, string>;
  readonly permissions?: Record<string, string>;
  readonly "timeout-minutes"?: number;
  readonly strategy?: { matrix: { include: Record<string, string>[] } };
  readonly steps: Step[];
}
interface Workflow {
  readonly name: string;
  readonly on: Record<string, { branches?: string[]; tags?: string[] } | null>;
  readonly permissions?: Record<string, string>;
  readonly concurrency?: { group: string; "cancel-in-progress": boolean };
  readonly jobs: Record<string, Job>;
}
interface CompositeAction {
  readonly inputs: Record<string, { required?: boolean; default?: string }>;
  readonly runs: { using: string; steps: Step[] };
}

const ciDir = join(repoRoot, "workflows", "github");
const files = readdirSync(ciDir)
  .filter((f) => f.endsWith(".yml"))
  .sort();
const wf = Object.fromEntries(files.map((f) => [f, YAML.parse(readFileSync(join(ciDir, f), "utf8")) as Workflow]));
const setup = YAML.parse(readFileSync(join(ciDir, "setup", "action.yml"), "utf8")) as CompositeAction;
const toolchain = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    toolchain: { tools: Record<string, { version?: string }> };
  }
).toolchain.tools;

const allJobs = (): [string, string, Job][] =>
  files.flatMap((f) => Object.entries(wf[f].jobs).map(([id, j]): [string, string, Job] => [f, id, j]));
const allSteps = (): [string, Step][] => [
  ...allJobs().flatMap(([f, id, j]) => j.steps.map((s): [string, Step] => [`${f} ${id}`, s])),
  ...setup.runs.steps.map((s): [string, Step] => ["setup/action.yml", s]),
];
const envName = (j: Job): string | undefined =>
  typeof j.environment === "string" ? j.environment : j.environment?.name;
const isUp = (s: Step): boolean => s.uses?.startsWith("pulumi/actions@") === true && s.with?.command === "up";

function tool(name: string): string | undefined {
  return which(name, `${toolBinDir}:${process.env.PATH ?? ""}`);
}

describe("workflows/github (SPLAI's release workflows)", () => {
  const tmp = mkdtempSync(join(tmpdir(), "splai-workflows-"));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** SPLAI's repository as the README lays it out: the workflows in .github/workflows, splai-release checked out beside. */
  function splaiRepo(name: string, edit: (file: string, text: string) => string = (_f, t) => t): string {
    const root = join(tmp, name);
    mkdirSync(join(root, ".github", "workflows"), { recursive: true });
    for (const f of files)
      writeFileSync(join(root, ".github", "workflows", f), edit(f, readFileSync(join(ciDir, f), "utf8")));
    symlinkSync(repoRoot, join(root, "splai-release"));
    // actionlint finds the project (and so the local setup action) through its git repository.
    spawnSync("git", ["init", "-q", root]);
    return root;
  }

  function actionlint(cwd: string): { status: number | null; out: string } {
    const bin = tool("actionlint");
    const shellcheck = tool("shellcheck");
    assert.ok(bin, "actionlint is not built; run: npm run toolchain -- actionlint");
    assert.ok(
      shellcheck,
      "shellcheck is missing, so actionlint would skip the run: scripts; run: npm run toolchain (it installs Debian's shellcheck)",
    );
    const r = spawnSync(bin, ["-color=false", `-shellcheck=${shellcheck}`], { cwd, encoding: "utf8", timeout: 60_000 });
    return { status: r.status, out: `${r.stdout}${r.stderr}` };
  }

  it("are three: the pull-request plan, the dev release and the prod release", () => {
    assert.deepEqual(files, ["release-dev.yml", "release-plan.yml", "release-prod.yml"]);
  });

  it("pass actionlint, shellcheck included, in SPLAI's layout with the setup action resolved", () => {
    const r = actionlint(splaiRepo("clean"));
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out.trim(), "");
  });

  it("would fail actionlint on a wrong setup input, so the check above reads the setup action", () => {
    const r = actionlint(
      splaiRepo("broken", (f, t) =>
        f === "release-dev.yml" ? t.replace("kubeconfig: ${{ secrets.SPLAI_KUBECONFIG_DEV }}", "kubeconf: x") : t,
      ),
    );
    assert.notEqual(r.status, 0);
    assert.match(r.out, /input "kubeconf" is not defined in action "splai-release setup"/);
  });

  it("keep the setup action's scripts shellcheck-clean too (actionlint does not read composite actions' steps)", () => {
    const shellcheck = tool("shellcheck");
    assert.ok(shellcheck, "shellcheck is missing; run: npm run toolchain");
    for (const [i, s] of setup.runs.steps.entries()) {
      if (s.run === undefined) continue;
      assert.ok(!s.run.includes("${{"), `setup step ${s.name ?? i}: expressions go through env, not into the script`);
      const file = join(tmp, `setup-step-${i}.sh`);
      writeFileSync(file, `#!/usr/bin/env bash\nset -e\n${s.run}`);
      const r: SpawnSyncReturns<string> = spawnSync(shellcheck, ["-s", "bash", file], { encoding: "utf8" });
      assert.equal(r.status, 0, `${s.name ?? i}:\n${r.stdout}`);
    }
  });

  it("trigger on pull requests into main/master, pushes to main/master, and v* tags, and nothing else", () => {
    assert.deepEqual(wf["release-plan.yml"].on, { pull_request: { branches: ["main", "master"] } });
    assert.deepEqual(wf["release-dev.yml"].on, { push: { branches: ["main", "master"] } });
    assert.deepEqual(wf["release-prod.yml"].on, { push: { tags: ["v*"] } });
    for (const f of files)
      assert.ok(!("pull_request_target" in wf[f].on), `${f}: pull_request_target would run a fork's code with secrets`);
  });

  it("never run two releases of one stack at once, and never cancel a release half-way", () => {
    const ups = allJobs().filter(([, , j]) => j.steps.some(isUp));
    assert.deepEqual(ups.map(([f, id]) => `${f} ${id}`).sort(), [
      "release-dev.yml release",
      "release-prod.yml release",
    ]);
    for (const [f, , j] of ups) {
      const stack = String(j.steps.find(isUp)!.with!["stack-name"]);
      assert.deepEqual(
        wf[f].concurrency,
        { group: `splai-release-${stack}`, "cancel-in-progress": false },
        `${f}: one group per stack, workflow-wide`,
      );
    }
    assert.equal(wf["release-plan.yml"].concurrency?.group, "release-plan-${{ github.event.pull_request.number }}");
    assert.equal(
      wf["release-plan.yml"].concurrency?.["cancel-in-progress"],
      true,
      "a newer push makes a pull request's running plan obsolete",
    );
  });

  it("put prod behind the protected production environment, approved after its plan, with prod write access only there", () => {
    const prod = wf["release-prod.yml"].jobs;
    assert.equal(envName(prod.release), "production");
    assert.equal(prod.release.needs, "plan", "the approval comes after the plan it approves");
    assert.equal(envName(prod.plan), undefined, "the plan job needs no approval");
    const kubeconfigs = allJobs().flatMap(([f, id, j]) =>
      j.steps
        .filter((s) => s.uses === "./splai-release/workflows/github/setup")
        .map((s) => [`${f} ${id}`, String(s.with?.kubeconfig)]),
    );
    assert.deepEqual(
      kubeconfigs.filter(([, k]) => k === "${{ secrets.SPLAI_KUBECONFIG }}").map(([where]) => where),
      ["release-prod.yml release"],
    );
    assert.equal(envName(wf["release-dev.yml"].jobs.release), "dev");
  });

  it("apply exactly the plan they show: every up reads the update plan its workflow saved", () => {
    for (const [f, id, j] of allJobs().filter(([, , x]) => x.steps.some(isUp))) {
      const up = j.steps.find(isUp)!;
      const stack = String(up.with!["stack-name"]);
      assert.equal(up.with!.plan, `\${{ runner.temp }}/plan/${stack}.update-plan.json`, `${f} ${id}`);
      assert.equal(up.with!["work-dir"], "splai-release");
      assert.equal(j.env?.PULUMI_EXPERIMENTAL, "true", `${f} ${id}: update plans are experimental in Pulumi 3.274`);
      const planner = f === "release-prod.yml" ? wf[f].jobs.plan : j;
      const run = planner.steps.map((s) => s.run ?? "").join("\n");
      assert.match(
        run,
        new RegExp(`npm run -s plan -- --stack ${stack} --out "\\$RUNNER_TEMP/plan" --save-plan`),
        `${f}: the plan is made by npm run plan`,
      );
      assert.match(
        run,
        new RegExp(`cat "\\$RUNNER_TEMP/plan/${stack}.md" >> "\\$GITHUB_STEP_SUMMARY"`),
        `${f}: and shown as the job summary`,
      );
    }
  });

  it("plan both stacks on a pull request from this repository, as job summary and pull-request comment", () => {
    const job = wf["release-plan.yml"].jobs.plan;
    assert.equal(job.if, "github.event.pull_request.head.repo.full_name == github.repository");
    assert.deepEqual(
      job.strategy?.matrix.include.map((m) => [m.stack, m.target]),
      [
        ["dev", "base-branch"],
        ["prod", "next-tag"],
      ],
    );
    const plan = job.steps.find((s) => s.id === "plan")!;
    assert.match(plan.run!, /--next-tag/);
    assert.match(plan.run!, /--ref "\$BASE_REF"/);
    assert.match(plan.run!, />> "\$GITHUB_STEP_SUMMARY"/);
    assert.ok(!job.steps.some(isUp), "a pull request never releases");
    const comment = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    assert.ok(comment, "the plan is posted as a comment");
    assert.match(String(comment.with?.script), /updateComment[\s\S]*createComment/, "edited in place, created once");
    assert.equal(job.permissions?.["pull-requests"], "write");
    assert.equal(wf["release-plan.yml"].permissions?.contents, "read");
  });

  it("hand dev's binaries of a commit to a promoting prod release, at the path its plan and its up both name", () => {
    const upload = wf["release-dev.yml"].jobs.release.steps.find((s) => s.name === "Keep the binaries for promotion")!;
    assert.equal(upload.with?.name, "splai-binaries-${{ github.sha }}");
    assert.equal(upload.with?.path, "splai/dist/release/", "dev's distDir: <source>/dist/release with source ../splai");
    const prod = wf["release-prod.yml"].jobs;
    const fetch = prod.release.steps.find((s) => s.name === "Fetch dev's binaries of this commit")!;
    assert.equal(fetch.if, "vars.SPLAI_PROMOTE == 'true'");
    assert.match(fetch.run!, /gh run list .*--commit "\$GITHUB_SHA" --status success/);
    assert.match(fetch.run!, /--name "splai-binaries-\$GITHUB_SHA" --dir "\$RUNNER_TEMP\/dev-binaries"/);
    assert.equal(prod.release.permissions?.actions, "read");
    // Keyless signing: the release jobs (and only they) may ask GitHub for an OIDC token.
    assert.equal(prod.release.permissions?.["id-token"], "write");
    assert.equal(wf["release-dev.yml"].jobs.release.permissions?.["id-token"], "write");
    assert.equal(prod.plan.permissions?.["id-token"], undefined);
    const dir = "${{ runner.temp }}/dev-binaries";
    assert.equal(prod.release.steps.find(isUp)!.env?.SPLAI_PROMOTE_BINARIES_DIR, dir);
    assert.equal(
      prod.plan.steps.find((s) => s.name === "Release plan")!.env?.SPLAI_PROMOTE_BINARIES_DIR,
      dir,
      "the saved plan has the same input",
    );
  });

  it("on a pull request, say why a promoting prod has no plan yet instead of failing its preview", () => {
    const plan = wf["release-plan.yml"].jobs.plan.steps.find((s) => s.id === "plan")!;
    assert.equal(plan.env?.PROMOTE, "${{ vars.SPLAI_PROMOTE }}");
    const dir = mkdtempSync(join(tmp, "promote-plan-"));
    const summary = join(dir, "summary.md");
    // The step's script as the runner runs it, with the promoting prod of a pull request.
    const r = spawnSync("bash", ["-e", "-c", plan.run!], {
      env: {
        PATH: "/usr/bin:/bin",
        STACK: "prod",
        TARGET: "next-tag",
        PROMOTE: "true",
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: summary,
      },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(join(dir, "plan", "prod.md"), "utf8");
    assert.match(md, /^## Release plan for stack `prod`\n\n`prod` promotes \(`splai-release:promoteFrom`\)/);
    assert.match(md, /prod's plan is made, and approved, when the tag is pushed/);
    assert.equal(readFileSync(summary, "utf8"), md, "and it is the job summary (the comment step posts the same file)");
  });

  it("take the ref, commit and build number from CI's variables on pushes, as lib/gitref.ts reads them", () => {
    for (const f of ["release-dev.yml", "release-prod.yml"]) {
      const runs = allJobs()
        .filter(([x]) => x === f)
        .flatMap(([, , j]) => j.steps.map((s) => s.run ?? ""))
        .join("\n");
      assert.doesNotMatch(
        runs,
        /--ref|--next-tag|SPLAI_RELEASE_REF|splai-release:(ref|sha|buildNumber)/,
        `${f}: GITHUB_REF_NAME, GITHUB_SHA and GITHUB_RUN_NUMBER decide`,
      );
    }
  });

  it("take the state backend, its credentials and the BuildKit endpoints from repository variables and secrets", () => {
    const stackJobs = allJobs().filter(([, , j]) => j.env?.PULUMI_BACKEND_URL !== undefined);
    assert.equal(stackJobs.length, 4, "the plan job, the dev release, prod's plan and prod's release");
    for (const [f, name, j] of stackJobs) {
      const env = j.env ?? {};
      const where = `${f} ${name}`;
      assert.equal(env.PULUMI_BACKEND_URL, "${{ vars.PULUMI_BACKEND_URL || 'https://api.pulumi.com' }}", where);
      assert.equal(env.AWS_ACCESS_KEY_ID, "${{ secrets.SPLAI_STATE_ACCESS_KEY_ID }}", where);
      assert.equal(env.AWS_SECRET_ACCESS_KEY, "${{ secrets.SPLAI_STATE_SECRET_ACCESS_KEY }}", where);
      assert.equal(env.AWS_REGION, "${{ vars.SPLAI_STATE_REGION }}", where);
      assert.equal(env.SPLAI_BUILDER_ENDPOINTS, "${{ vars.SPLAI_BUILDER_ENDPOINTS }}", where);
    }
  });

  it("pass secrets through env only, and never echo them", () => {
    const secretEnv = new Set<string>(["KUBECONFIG_DOCUMENT"]);
    for (const [, , j] of allJobs()) {
      for (const [k, v] of Object.entries(j.env ?? {})) if (v.includes("secrets.")) secretEnv.add(k);
      for (const s of j.steps)
        for (const [k, v] of Object.entries(s.env ?? {})) if (v.includes("secrets.")) secretEnv.add(k);
    }
    assert.ok(
      secretEnv.has("SPLAI_REGISTRY_PASSWORD") && secretEnv.has("GITHUB_TOKEN") && secretEnv.has("PULUMI_ACCESS_TOKEN"),
    );
    assert.ok(secretEnv.has("AWS_SECRET_ACCESS_KEY"), "the state store's secret key is a secret");
    for (const [where, s] of allSteps()) {
      if (s.run === undefined) continue;
      assert.ok(
        !/\$\{\{\s*(secrets|inputs)\./.test(s.run),
        `${where} ${s.name}: a secret or input written into a script can leak; pass it in env`,
      );
      assert.ok(
        !/\bset -x\b|\bset -o xtrace\b/.test(s.run),
        `${where} ${s.name}: xtrace prints the environment's values`,
      );
      for (const line of s.run.split("\n")) {
        const names = [...secretEnv].filter((n) => new RegExp(`\\$\\{?${n}\\b|printenv ${n}\\b`).test(line));
        if (names.length === 0) continue;
        assert.ok(!/\b(echo|printf)\b/.test(line), `${where} ${s.name}: '${line.trim()}' echoes ${names.join(", ")}`);
        assert.ok(
          !/printenv/.test(line) || /> *"?\$RUNNER_TEMP\//.test(line),
          `${where} ${s.name}: '${line.trim()}' must write ${names.join(", ")} to a file, not the log`,
        );
      }
    }
    assert.equal(setup.inputs.kubeconfig.required, true);
  });

  it("pin every action to a full release version", () => {
    const uses = allSteps()
      .map(([where, s]) => [where, s.uses] as const)
      .filter((u): u is readonly [string, string] => u[1] !== undefined);
    assert.ok(uses.length > 20);
    for (const [where, u] of uses) {
      if (u.startsWith("./")) continue;
      assert.match(
        u,
        /^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/,
        `${where}: '${u}' is not pinned to vX.Y.Z or a commit`,
      );
    }
    assert.ok(
      uses.some(([, u]) => u.startsWith("pulumi/actions@")),
      "Pulumi's official action runs the ups",
    );
  });

  it("install the Pulumi CLI and Helm at splai-release's toolchain versions", () => {
    const pulumi = setup.runs.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    assert.equal(pulumi?.with?.["pulumi-version"], toolchain.pulumi.version);
    assert.equal(
      setup.runs.steps.find((s) => s.uses?.startsWith("azure/setup-helm@"))?.with?.version,
      `v${toolchain.helm.version}`,
    );
  });

  it("harden every job: timeouts, read-only checkout credentials, a stack checkout beside the program", () => {
    for (const [f, id, j] of allJobs()) {
      assert.ok((j["timeout-minutes"] ?? 0) > 0, `${f} ${id}: timeout-minutes`);
      const checkouts = j.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
      assert.deepEqual(
        checkouts.map((s) => s.with?.path),
        ["splai", "splai-release"],
        `${f} ${id}: SPLAI and splai-release side by side (splai-release:source is ../splai)`,
      );
      for (const c of checkouts)
        assert.equal(c.with?.["persist-credentials"], false, `${f} ${id}: no token left in .git/config`);
    }
    assert.ok(existsSync(join(repoRoot, "workflows", "github", "setup", "action.yml")));
  });
});
