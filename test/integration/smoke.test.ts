// Smoke test of the toolchain and platform: a tiny Pulumi program through the real CLI and all providers against the local platform.
import type { Stack } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileBackendUrl } from "../../tools/lib/backend";
import { repoRoot } from "../../tools/lib/paths";
import { loadToolchain } from "../../tools/toolchain/versions";
import { eventually } from "../support/eventually";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { scratchProject } from "../support/scratch-project";

/** The plugin an npm SDK asks for: the one `npm run toolchain` built and installed. */
const pluginOf = (pkg: string): { name: string; version: string } =>
  (require(join(repoRoot, "node_modules", pkg, "package.json")) as { pulumi: { name: string; version: string } })
    .pulumi;

const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const command = require("@pulumi/command");
const dockerbuild = require("@pulumi/docker-build");
const k8s = require("@pulumi/kubernetes");
const cfg = new pulumi.Config();
const hello = new command.local.Command("hello", { create: "echo hello from command" });
const image = new dockerbuild.Image("image", {
  context: { location: cfg.require("context") },
  dockerfile: { inline: "FROM scratch\\nARG TARGETARCH\\nCOPY hello-\${TARGETARCH} /hello\\n" },
  platforms: ["linux/amd64", "linux/arm64"],
  tags: [cfg.require("tag")],
  push: true,
  builder: { name: cfg.require("builder") },
  registries: [{ address: cfg.require("registry"), username: cfg.require("username"), password: cfg.requireSecret("password") }],
});
const provider = new k8s.Provider("k8s", { kubeconfig: cfg.require("kubeconfig") });
const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: cfg.require("namespace") } }, { provider });
const release = new k8s.helm.v3.Release("rel", {
  name: "smoke",
  namespace: ns.metadata.name,
  chart: cfg.require("chart"),
  version: "0.1.0",
  repositoryOpts: { username: cfg.require("username"), password: cfg.requireSecret("password") },
  values: { image: image.ref },
  timeout: 120,
}, { provider });
const github = require("@pulumi/github");
const gp = new github.Provider("gh", { owner: cfg.require("ghOwner"), baseUrl: cfg.require("ghUrl"), token: cfg.requireSecret("ghToken") });
const gh = new github.Release("gh-release", { repository: "splai", tagName: cfg.require("ghTag"), name: "smoke", body: "smoke test", draft: false, prerelease: true }, { provider: gp });
exports.stdout = hello.stdout;
exports.digest = image.digest;
exports.releaseStatus = release.status.status;
exports.releaseUrl = gh.htmlUrl;
`;

const CHART = {
  "Chart.yaml": "apiVersion: v2\nname: hello\nversion: 0.1.0\n",
  "values.yaml": "image: registry.invalid/none:0\n",
  "templates/deployment.yaml": [
    "apiVersion: apps/v1",
    "kind: Deployment",
    "metadata: { name: hello }",
    "spec:",
    "  replicas: 1",
    "  selector: { matchLabels: { app: hello } }",
    "  template:",
    "    metadata: { labels: { app: hello } }",
    "    spec:",
    '      containers: [{ name: hello, image: "{{ .Values.image }}" }]',
    "",
  ].join("\n"),
};

describe("smoke: real Pulumi CLI, four providers, local platform", { timeout: 20 * 60_000 }, () => {
  let p: Platform;
  let work: string;
  let stack: Stack;
  const id = `smoke${Date.now().toString(36)}`;

  before(async () => {
    p = platform();
    work = mkdtempSync(join(tmpdir(), "splai-smoke-"));
    mkdirSync(join(work, "ctx"));
    for (const arch of ["amd64", "arm64"]) writeFileSync(join(work, "ctx", `hello-${arch}`), `hello ${arch} ${id}\n`);
    // The chart lives in the local registry first, as a release would leave it.
    for (const [f, text] of Object.entries(CHART)) {
      mkdirSync(join(work, "chart", f, ".."), { recursive: true });
      writeFileSync(join(work, "chart", f), text);
    }
    execFileSync("helm", ["package", join(work, "chart"), "-d", join(work, "pkg")], { env: p.env });
    execFileSync(
      "helm",
      ["push", join(work, "pkg", "hello-0.1.0.tgz"), `oci://${p.state.registry.address}/${id}/charts`],
      { env: p.env, stdio: "pipe" },
    );
    stack = await scratchProject(p, work, "smoke", id, PROGRAM);
    await stack.setAllConfig({
      context: { value: join(work, "ctx") },
      tag: { value: `${p.state.registry.address}/${id}/hello:smoke` },
      builder: { value: p.state.buildkit.builder },
      registry: { value: p.state.registry.address },
      username: { value: p.state.registry.username },
      password: { value: p.state.registry.password, secret: true },
      kubeconfig: { value: p.state.kubeconfig },
      namespace: { value: id },
      chart: { value: `oci://${p.state.registry.address}/${id}/charts/hello` },
      ghOwner: { value: p.state.github.owner },
      ghUrl: { value: p.state.github.url },
      ghToken: { value: p.state.github.token, secret: true },
      ghTag: { value: `v0.0.0-${id}` },
    });
  });

  after(async () => {
    if (stack) {
      await stack.destroy().catch(() => undefined);
      await stack.workspace.removeStack(stack.name).catch(() => undefined);
    }
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("runs `pulumi up` and every provider does real work", async () => {
    const version = execFileSync("pulumi", ["version"], { env: p.env, encoding: "utf8" }).trim();
    assert.match(version, /^v3\.\d+\.\d+$/);
    const up = await stack.up({ onOutput: (s) => process.stderr.write(s) });
    assert.equal(up.summary.result, "succeeded");
    assert.equal(up.outputs.stdout.value, "hello from command");
    assert.equal(up.outputs.releaseStatus.value, "deployed");

    // The registry holds an index with both platforms under the pushed digest.
    const digest = up.outputs.digest.value as string;
    const index = await p.registry.getManifest(`${id}/hello`, "smoke");
    assert.ok(index, "tag exists");
    assert.equal(index.digest, digest);
    const platforms = (index.json.manifests ?? [])
      .filter((m) => m.platform?.os === "linux")
      .map((m) => m.platform!.architecture)
      .sort();
    assert.deepEqual(platforms, ["amd64", "arm64"]);

    // The Deployment exists and is Ready on a kwok node.
    const dep = await eventually("deployment ready", async () => {
      const r = await p.kube(`/apis/apps/v1/namespaces/${id}/deployments/hello`);
      const st = r.json.status as { readyReplicas?: number } | undefined;
      return st?.readyReplicas === 1 ? r.json : undefined;
    });
    assert.equal(
      (dep.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0].image,
      `${p.state.registry.address}/${id}/hello:smoke@${digest}`,
    );

    const r = await p.github(`repos/${p.state.github.owner}/splai/releases/tags/v0.0.0-${id}`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { prerelease: boolean }).prerelease, true);
    assert.equal(
      up.outputs.releaseUrl.value,
      `${p.state.github.url}${p.state.github.owner}/splai/releases/tag/v0.0.0-${id}`,
    );

    // The engine ran the real plugins it was asked for, each at the version its SDK names, and its own Go language host.
    const about = JSON.parse(
      execFileSync("pulumi", ["about", "--json"], {
        cwd: join(work, "project"),
        env: { ...p.env, PULUMI_BACKEND_URL: fileBackendUrl(join(work, "state")), PULUMI_CONFIG_PASSPHRASE: "smoke" },
        encoding: "utf8",
      }),
    ) as {
      plugins: { name: string; version: string; kind: string }[];
    };
    for (const pkg of ["@pulumi/command", "@pulumi/docker-build", "@pulumi/kubernetes", "@pulumi/github"]) {
      const want = pluginOf(pkg);
      assert.ok(
        about.plugins.some((pl) => pl.name === want.name && pl.version.replace(/^v/, "") === want.version),
        `${want.name} ${want.version} in: ${JSON.stringify(about.plugins)}`,
      );
    }
    const host = loadToolchain().tools.find((t) => t.name === "pulumi-language-nodejs")!;
    assert.ok(
      about.plugins.some(
        (pl) => pl.kind === "language" && pl.name === "nodejs" && pl.version.replace(/^v/, "") === host.version,
      ),
      `the Go language host ${host.version} in: ${JSON.stringify(about.plugins)}`,
    );
  });
});
