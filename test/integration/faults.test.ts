// Reliability against the real engine and platform: bad config refused with nothing touched, two updates at once, GitHub
// errors, the registry and the API server going away mid-release, a killed CLI recovered by script, and no secret in any output.
import { LocalWorkspace, type EngineEvent, type OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as YAML from "yaml";
import { repoRoot } from "../../tools/lib/paths";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

interface Release {
  id: number;
  body: string;
  tag_name: string;
}

describe("faults and release safety", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let out: OutputMap;
  let ns: string;
  /** Everything the engine printed or emitted in this file, searched for secrets at the end. */
  const transcript: string[] = [];
  const record = {
    onOutput: (s: string): void => {
      transcript.push(s);
      process.stderr.write(s);
    },
    onEvent: (e: EngineEvent): void => {
      transcript.push(JSON.stringify(e));
    },
  };
  /** The stack's resources and outputs, but for its read of its own last record (a StackReference the pre-flight
   * checks read, which the engine records on every run, refused or not). */
  const resources = async (): Promise<string> => {
    const d = (await proj.stack.exportStack()).deployment as {
      resources?: { urn: string; type: string; outputs?: unknown }[];
    };
    return JSON.stringify(
      (d.resources ?? []).filter((r) => r.type !== "pulumi:pulumi:StackReference").map((r) => [r.urn, r.outputs]),
    );
  };
  const release = async (): Promise<Release> => {
    const tag = (out.versions.value as { app: string }).app;
    const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v${tag}`);
    assert.equal(r.status, 200, `release v${tag} exists`);
    return (await r.json()) as Release;
  };
  const registryDigest = async (image: string, tag: string): Promise<string | undefined> =>
    (await p.registry.getManifest(`${proj.id}/splai-${image}`, tag))?.digest;
  const upFails = async (pattern: RegExp): Promise<string> => {
    const err = await proj.stack.up(record).then(
      () => assert.fail(`up succeeded, expected ${pattern}`),
      (e: Error) => e.message,
    );
    transcript.push(err);
    assert.match(err, pattern);
    return err;
  };

  before(async () => {
    p = platform();
    proj = await releaseProject(p);
    ns = `splai-${proj.id}`;
    // A run that was killed may have left faults behind in the shared emulator.
    await p.emulator("faults", "DELETE");
  });
  after(async () => {
    await p.emulator("faults", "DELETE").catch(() => undefined);
    p.platformCmd("up");
    await proj?.cleanup();
  });

  it("a second update of the same stack while one runs is refused by the lock, and the first completes", async () => {
    const second = await LocalWorkspace.selectStack(
      { stackName: proj.stack.name, workDir: proj.stack.workspace.workDir },
      { envVars: proj.stack.workspace.envVars },
    );
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const first = proj.stack.up({
      onOutput: record.onOutput,
      onEvent: (e) => {
        record.onEvent(e);
        if (e.resourcePreEvent) started();
      },
    });
    await running;
    const refused = await second.up().then(
      () => "second up succeeded",
      (e: Error) => e.message,
    );
    assert.match(refused, /the stack is currently locked by 1 lock\(s\)/);
    const r = await first;
    assert.equal(r.summary.result, "succeeded");
    out = r.outputs;
    for (const i of IMAGES)
      assert.equal(
        await registryDigest(i, (out.versions.value as { imageTags: string[] }).imageTags[0]),
        (out.imageDigests.value as Record<string, string>)[i],
      );
  });

  it("bad config is refused before anything changes, naming the key, the value and what is accepted", async () => {
    const before = await resources();
    const badSource = mkdtempSync(join(tmpdir(), "splai-bad-"));
    cpSync(proj.source, join(badSource, "no-planner"), { recursive: true });
    rmSync(join(badSource, "no-planner", "cmd", "planner"), { recursive: true });
    cpSync(proj.source, join(badSource, "no-values"), { recursive: true });
    const values = join(badSource, "no-values", "charts", "splai", "values.yaml");
    const doc = YAML.parse(readFileSync(values, "utf8")) as { planner: { image: Record<string, string> } };
    delete doc.planner.image.tag;
    writeFileSync(values, YAML.stringify(doc));
    const cases: [string, Record<string, string>, RegExp][] = [
      [
        "tag not semver",
        { "splai-release:mode": "tag", "splai-release:ref": "v1.2" },
        /release tag 'v1\.2' is not a semantic version tag; expected v<major>\.<minor>\.<patch>/,
      ],
      [
        "unknown platform",
        { "splai-release:platforms[0]": "linux/amd64", "splai-release:platforms[1]": "linux/mips" },
        /platforms: 'linux\/mips' is not a supported image platform; accepted: linux\/amd64/,
      ],
      [
        "registry does not parse",
        { "splai-release:registry": "Registry.Example:99999x" },
        /registry 'Registry\.Example:99999x' is not a registry host; expected host\[:port\]/,
      ],
      [
        "namespace not DNS-1123",
        { "splai-release:namespace": "Splai_System" },
        /namespace 'Splai_System' is not a DNS-1123 label/,
      ],
      [
        "missing secret",
        { "splai-release:githubToken": "" },
        /githubToken is missing; set it with 'pulumi config set --secret splai-release:githubToken'/,
      ],
      [
        "source without a main",
        { "splai-release:source": join(badSource, "no-planner") },
        /main package \.\/cmd\/planner \(binary splai-planner\) is missing/,
      ],
      [
        "chart values without image keys",
        { "splai-release:source": join(badSource, "no-values") },
        /values\.yaml lacks planner\.image\.tag/,
      ],
    ];
    const stackFile = join(proj.stack.workspace.workDir, `Pulumi.${proj.stack.name}.yaml`);
    const savedFile = readFileSync(stackFile, "utf8");
    // The platform env carries GITHUB_TOKEN too: blank it so only config decides.
    proj.stack.workspace.envVars.GITHUB_TOKEN = "";
    try {
      for (const [what, cfg, pattern] of cases) {
        // `[i]` keys set list items (Pulumi.yaml types these keys as arrays).
        for (const [k, v] of Object.entries(cfg)) await proj.stack.setConfig(k, { value: v }, k.includes("["));
        try {
          const err = await upFails(pattern);
          assert.match(err, /nothing was changed|not a semantic version/, `${what}: says nothing changed`);
        } finally {
          // Restore the stack file as it was (project defaults make `getAllConfig` unsuitable for a round trip).
          writeFileSync(stackFile, savedFile);
        }
      }
    } finally {
      proj.stack.workspace.envVars.GITHUB_TOKEN = p.state.github.token;
      rmSync(badSource, { recursive: true, force: true });
    }
    assert.equal(await resources(), before, "the stack's resources and outputs are unchanged");
  });

  it("a bad GitHub token is refused at preview with nothing changed; GitHub errors on a write fail the update without changing the release", async () => {
    const original = await release();
    const before = await resources();
    await p.emulator("requests", "DELETE");
    // A token GitHub does not know: the pre-flight check refuses it before any resource is touched.
    proj.stack.workspace.envVars.GITHUB_TOKEN = "";
    await proj.stack.setConfig("splai-release:githubToken", { value: "not-a-token", secret: true });
    try {
      await upFails(/HTTP 401 .*\(the token is missing or invalid: check splai-release:githubToken \/ GITHUB_TOKEN\)/);
    } finally {
      await proj.stack.removeConfig("splai-release:githubToken");
      proj.stack.workspace.envVars.GITHUB_TOKEN = p.state.github.token;
    }
    assert.equal(await resources(), before, "nothing changed");
    const preflight = (await p.emulator("requests")) as { method: string; path: string; status: number }[];
    assert.ok(
      preflight.every((r) => r.method === "GET"),
      `only reads: ${preflight.map((r) => r.method).join(" ")}`,
    );

    // GitHub refusing the notes' write mid-update (its status injected on the release's PATCH): the update fails naming
    // the status and what to do, and the release is as it was.
    const cases: [number, RegExp, unknown?][] = [
      [401, /PATCH .*\/releases\/\d+: HTTP 401 .*\(the token is missing or invalid: check splai-release:githubToken/],
      [403, /PATCH .*\/releases\/\d+: HTTP 403 .*\(the token lacks permission: it needs contents:write/],
      [
        422,
        /PATCH .*\/releases\/\d+: HTTP 422 Validation Failed/,
        {
          message: "Validation Failed",
          errors: [{ resource: "Release", code: "custom", message: "body is too long" }],
        },
      ],
    ];
    let n = 0;
    for (const [status, pattern, body] of cases) {
      await proj.stack.setConfig("splai-release:breakingChanges[0]", { value: `change ${++n}` }, true);
      await p.emulator("faults", "DELETE");
      await p.emulator("faults", "POST", { status, method: "PATCH", match: "/releases/", count: 10, body });
      await upFails(pattern);
      assert.equal((await release()).body, original.body, `HTTP ${status}: the release is unchanged`);
    }
    await p.emulator("faults", "DELETE");
    const log = (await p.emulator("requests")) as { method: string; path: string; status: number }[];
    assert.deepEqual(
      log.filter((r) => r.method === "PATCH").map((r) => r.status),
      [401, 403, 422],
      "each refused PATCH was sent once: a 4xx is not retried",
    );
    // A 503 on a read is retried and the update goes through, as a PATCH of the same release.
    await p.emulator("requests", "DELETE");
    await p.emulator("faults", "POST", { status: 503, method: "GET", match: "/releases/", count: 1 });
    const up = await proj.stack.up(record);
    assert.equal(up.summary.result, "succeeded");
    const updated = await release();
    assert.equal(updated.id, original.id, "same release id: updated, not deleted and recreated");
    assert.match(updated.body, /change 3/);
    const after = (await p.emulator("requests")) as { method: string; path: string; status: number }[];
    const firstFault = after.findIndex((r) => r.status === 503);
    assert.ok(firstFault >= 0, "the fault was met");
    assert.ok(
      after
        .slice(firstFault + 1)
        .some((r) => r.method === "GET" && r.path === after[firstFault].path && r.status === 200),
      "the read was retried until it succeeded",
    );
    assert.equal(after.filter((r) => r.method === "DELETE").length, 0, "nothing deleted");
  });

  it("the registry stopping mid-release fails the update without moving the release; the next up converges", async () => {
    const file = join(proj.source, "cmd/planner/main.go");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace('log.Printf("store=%s"', 'log.Printf("planner registry-fault store=%s"'),
    );
    proj.git("commit", "-qam", "planner change");
    const tag = `sha-${proj.git("rev-parse", "--short=7", "HEAD")}`;
    const chartBefore = await p.registry.getManifest(`${proj.id}/charts/splai`, "latest");
    const helmBefore = (await p.helmRelease(ns, "deployed"))[0];
    let stopped = false;
    const err = await proj.stack
      .up({
        onOutput: (s) => {
          record.onOutput(s);
          if (!stopped && /images-planner\s.*(creating|updating)/.test(s)) {
            stopped = true;
            p.platformCmd("stop", "registry");
          }
        },
        onEvent: record.onEvent,
      })
      .then(
        () => "up succeeded",
        (e: Error) => e.message,
      );
    transcript.push(err);
    assert.ok(stopped, "the registry was stopped during the planner image step");
    assert.match(
      err,
      new RegExp(`${p.state.registry.address.replace(/\./g, "\\.")}.*(connection refused|connect:)`, "s"),
      "the error names the registry",
    );
    p.platformCmd("up");
    assert.equal(await registryDigest("planner", tag), undefined, "no planner image under the new tag");
    assert.equal(
      (await p.registry.getManifest(`${proj.id}/charts/splai`, "latest"))?.digest,
      chartBefore?.digest,
      "chart alias did not move",
    );
    const helmAfterFault = await p.helmRelease(ns, "deployed");
    assert.equal(helmAfterFault[0].version, helmBefore.version, "the deployment was not touched");

    const up = await proj.stack.up(record);
    assert.equal(up.summary.result, "succeeded");
    out = up.outputs;
    const digests = out.imageDigests.value as Record<string, string>;
    assert.equal(await registryDigest("planner", tag), digests.planner);
    const helmNow = await p.helmRelease(ns, "deployed");
    assert.equal(helmNow.length, 1);
    assert.equal(helmNow[0].version, helmBefore.version + 1, "exactly one new Helm revision");
  });

  it("a SIGKILLed pulumi leaves a lock and pending operations; npm run recover clears them and converges", async () => {
    const file = join(proj.source, "cmd/scheduler/main.go");
    writeFileSync(file, readFileSync(file, "utf8").replace("func main() {", 'func main() {\n\t_ = "sigkill"'));
    proj.git("commit", "-qam", "scheduler change");
    const ws = proj.stack.workspace;
    const env = { ...process.env, ...ws.envVars };
    const cli = spawn("pulumi", ["up", "--yes", "--skip-preview", "--non-interactive", "--stack", proj.stack.name], {
      cwd: ws.workDir,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let text = "";
    let fired = false;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the scheduler image step never started:\n${text}`)), 180_000);
      const onData = (b: Buffer): void => {
        text += b.toString();
        if (!fired && /images-scheduler\s.*(creating|updating)/.test(text)) {
          fired = true;
          clearTimeout(timer);
          // Let the build get under way, then kill the CLI and everything it started, as a lost CI runner would.
          setTimeout(() => {
            process.kill(-cli.pid!, "SIGKILL");
            resolve();
          }, 1500);
        }
      };
      cli.stdout.on("data", onData);
      cli.stderr.on("data", onData);
    });
    await new Promise((r) => cli.on("close", r));
    transcript.push(text);
    // A file backend writes no metadata sidecars (metadata=skip): none can be left truncated by the kill.
    if (proj.backend.kind === "file")
      assert.deepEqual(
        readdirSync(join(proj.dir, "state", ".pulumi"), { recursive: true }).filter((f) =>
          String(f).endsWith(".attrs"),
        ),
        [],
        "no .attrs sidecar in the state",
      );
    // (A preview takes no lock; an update does, and is refused at once.)
    await assert.rejects(proj.stack.up(), /the stack is currently locked by 1 lock/, "the killed update left its lock");

    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(repoRoot, "tools", "recover", "main.ts"),
        "--stack",
        proj.stack.name,
        "--cwd",
        ws.workDir,
        "--up",
      ],
      {
        cwd: repoRoot,
        env,
        encoding: "utf8",
        timeout: 900_000,
      },
    );
    transcript.push(r.stdout, r.stderr);
    assert.equal(r.status, 0, `recover failed:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /clearing 1 stale lock/);
    assert.match(r.stderr, /pending (creating|updating): .*images-scheduler/);
    assert.match(r.stderr, /pending operations cleared/);
    assert.match(r.stderr, /converged/);

    const outputs = await proj.stack.outputs();
    out = outputs;
    const tag = `sha-${proj.git("rev-parse", "--short=7", "HEAD")}`;
    assert.equal(
      await registryDigest("scheduler", tag),
      (outputs.imageDigests.value as Record<string, string>).scheduler,
    );
    const pending =
      ((await proj.stack.exportStack()).deployment as { pending_operations?: unknown[] }).pending_operations ?? [];
    assert.equal(pending.length, 0);
    const preview = await proj.stack.preview();
    assert.deepEqual(
      Object.keys(preview.changeSummary).filter((k) => k !== "read"),
      ["same"],
      `converged: ${JSON.stringify(preview.changeSummary)}`,
    );
  });

  it("the API server being down fails the update with a clear error; back up, the next up converges", async () => {
    const revision = (await p.helmRelease(ns, "deployed"))[0].version;
    const helmValues = JSON.parse((await proj.stack.getConfig("splai-release:helmValues")).value) as Record<
      string,
      unknown
    >;
    await proj.stack.setConfig("splai-release:helmValues", {
      value: JSON.stringify({ ...helmValues, apiGateway: { replicaCount: 2 } }),
    });
    // The controller manager goes too, or it would mark the kwok nodes (which cannot renew their leases meanwhile) NotReady.
    p.platformCmd("stop", "kube-controller-manager");
    p.platformCmd("stop", "kube-apiserver");
    try {
      await upFails(new RegExp(`127\\.0\\.0\\.1:${p.state.ports.apiserver}.*connection refused`, "s"));
    } finally {
      p.platformCmd("up");
    }
    const up = await proj.stack.up(record);
    assert.equal(up.summary.result, "succeeded");
    const helm = await p.helmRelease(ns, "deployed");
    assert.equal(helm[0].version, revision + 1);
    assert.equal((helm[0].config.apiGateway as { replicaCount: number }).replicaCount, 2);
  });

  it("no plaintext secret in the stack export, the engine events, the output, the Helm values or the release notes", async () => {
    const pv = await proj.stack.preview({ diff: true, ...record });
    transcript.push(pv.stdout, pv.stderr);
    const secrets = { "registry password": p.state.registry.password, "GitHub token": p.state.github.token };
    // The Automation API's exportStack() decrypts (it runs `stack export --show-secrets`); a plain CLI export shows
    // what the backend stores.
    const ws = proj.stack.workspace;
    const stored = spawnSync("pulumi", ["stack", "export", "--stack", proj.stack.name], {
      cwd: ws.workDir,
      env: { ...process.env, ...ws.envVars },
      encoding: "utf8",
    });
    assert.equal(stored.status, 0, stored.stderr);
    const places: Record<string, string> = {
      "stack export": stored.stdout,
      "engine events and up/preview output": transcript.join("\n"),
      "Helm values": JSON.stringify((await p.helmRelease(ns)).map((r) => r.config)),
      "release notes": (await release()).body,
    };
    assert.ok(transcript.length > 100, "the transcript holds the run's output and events");
    const exported = (JSON.parse(stored.stdout) as { deployment: { resources?: { urn: string }[] } }).deployment;
    for (const [where, text] of Object.entries(places)) {
      for (const [what, value] of Object.entries(secrets)) {
        const holders =
          where === "stack export"
            ? (exported.resources ?? []).filter((r) => JSON.stringify(r).includes(value)).map((r) => r.urn)
            : [];
        assert.equal(text.includes(value), false, `${what} appears in ${where} ${holders.join(", ")}`);
      }
    }
    assert.match(places["stack export"], /"ciphertext"/, "secrets are stored encrypted");
  });
});
