// The resource graph of index.ts under Pulumi mocks: counts, parents, Release values pinned by digest, secrets kept secret.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { BRANCH_BUILD, chartPushRecord, runProgram } from "../support/program";
import { makeTree } from "../support/tree";
import { programMocks } from "../support/mocks";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  parent?: string;
  urn: string;
}

const recorded: Recorded[] = [];
/** Secret inputs reach the mock monitor wrapped in Pulumi's secret signature; this unwraps them. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
function unsecret<T>(v: unknown): T {
  const o = v as Record<string, unknown> | null;
  return (o !== null && typeof o === "object" && SECRET_SIG in o ? o.value : v) as T;
}
const IMAGE_NAMES = [
  "images-api-gateway",
  "images-operator",
  "images-planner",
  "images-scheduler",
  "images-worker-agent",
];
const fakeSha = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Recording mocks that fake each provider's outputs and throw on anything unexpected. */
const mocks = programMocks({
  record: (r) => recorded.push(r),
  stdout: (args) => {
    if (args.name.startsWith("chart-push")) {
      return chartPushRecord("0.1.0-main.3", `sha256:${fakeSha("chart")}`);
    } else if (args.name.startsWith("verify-checks")) {
      return JSON.stringify({ status: "passed", revision: 1, checks: ["ok   rollout"] });
    } else if (args.name === "packages-build") {
      const archive = (goos: string, goarch: string): Record<string, string> => ({
        name: `splai_0.0.0-main-0123456_${goos}_${goarch}.tar.gz`,
        path: `/dist/splai_0.0.0-main-0123456_${goos}_${goarch}.tar.gz`,
        sha256: fakeSha(`${goos}${goarch}`),
        kind: "archive",
        goos,
        goarch,
      });
      return JSON.stringify({
        archives: [archive("darwin", "arm64"), archive("linux", "amd64"), archive("linux", "arm64")],
        packages: [],
        checksums: "sums\n",
      });
    } else if (args.name === "github-publish") {
      return JSON.stringify({
        url: "https://github.com/splai/splai/releases/tag/v0.0.0-main-0123456",
        downloads: {},
      });
    } else if (args.name.startsWith("github-assets")) {
      return "[]";
    } else if (args.name.endsWith("-attest")) {
      const digest = unsecret<{ DIGEST: string }>((args.inputs as { environment: unknown }).environment).DIGEST;
      return JSON.stringify({
        attestations: ["linux/amd64", "linux/arm64"].map((platform) => ({
          platform,
          manifest: `sha256:${fakeSha(`${digest}${platform}`)}`,
          attestation: `sha256:${fakeSha(`${args.name}${platform}`)}`,
          sbom: `sha256:${fakeSha(`sbom${args.name}${platform}`)}`,
          provenance: `sha256:${fakeSha(`prov${args.name}${platform}`)}`,
        })),
      });
    } else if (args.name.endsWith("-sha256sums")) {
      return "sums\n";
    } else {
      return fakeSha(args.name);
    }

    throw new Error(`no stdout for ${args.name}`);
  },
});

/** Awaits an Output's value in a test. */
function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

let program: Record<string, pulumi.Output<unknown>>;

before(async () => {
  const tree = makeTree({ chartVersion: "0.1.0" });
  // The buildx builder `splai-local` as the platform registers it: its BuildKit address turns attestations on.
  const buildx = mkdtempSync(join(tmpdir(), "buildx-"));
  mkdirSync(join(buildx, "instances"));
  writeFileSync(
    join(buildx, "instances", "splai-local"),
    JSON.stringify({ Name: "splai-local", Driver: "remote", Nodes: [{ Endpoint: "unix:///run/buildkitd.sock" }] }),
  );
  process.env.BUILDX_CONFIG = buildx;
  program = await runProgram(mocks, "test", {
    "splai-release:source": tree,
    ...BRANCH_BUILD,
    "splai-release:builder": "splai-local",
    "splai-release:helmValues": JSON.stringify({ redis: { enabled: false } }),
  });
  // Outputs resolve once every resource they depend on is registered.
  await Promise.all(
    ["installCommand", "releaseStatus", "releaseUrl", "releaseAssets", "imageRefs", "verification"].map((k) =>
      valueOf(pulumi.output(program[k])),
    ),
  );
});

describe("release program graph", () => {
  it("builds 6 mains × 3 targets plus SHA256SUMS", () => {
    const builds = recorded.filter(
      (r) => r.type === "command:local:Command" && r.name.startsWith("binaries-") && !r.name.endsWith("sha256sums"),
    );
    assert.equal(builds.length, 18);
    assert.ok(recorded.some((r) => r.name === "binaries-sha256sums"));
    const gw = builds.find((b) => b.name === "binaries-splai-api-gateway-linux-arm64")!;
    assert.match(
      String(gw.inputs.create),
      /go build -trimpath -buildvcs=false -ldflags '-s -w -X main.version=0\.0\.0-main-0123456'/,
    );
    assert.deepEqual(gw.inputs.environment, { GOOS: "linux", GOARCH: "arm64", CGO_ENABLED: "0", GOFLAGS: "-mod=mod" });
    assert.equal((gw.inputs.triggers as string[]).length, 1);
  });

  it("builds five multi-arch images, tags latest and sha, never on preview", () => {
    const images = recorded.filter((r) => r.type === "docker-build:index:Image");
    assert.deepEqual(images.map((i) => i.name).sort(), [
      "images-api-gateway",
      "images-operator",
      "images-planner",
      "images-scheduler",
      "images-worker-agent",
    ]);
    for (const i of images) {
      assert.deepEqual(i.inputs.platforms, ["linux/amd64", "linux/arm64"]);
      assert.deepEqual(i.inputs.exports, [{ raw: "type=registry,rewrite-timestamp=true" }]);
      assert.equal(i.inputs.buildOnPreview, false);
      assert.deepEqual(i.inputs.builder, { name: "splai-local" });
    }
    const gw = images.find((i) => i.name === "images-api-gateway")!;
    assert.deepEqual(gw.inputs.tags, [
      "127.0.0.1:5443/splai/splai-api-gateway:sha-0123456",
      "127.0.0.1:5443/splai/splai-api-gateway:latest",
    ]);
    assert.match(
      String((gw.inputs.dockerfile as { inline: string }).inline),
      /FROM scratch[\s\S]*COPY \$\{TARGETOS\}-\$\{TARGETARCH\}\/ \/[\s\S]*USER 65532[\s\S]*ENTRYPOINT \["\/ko-app\/splai-api-gateway"\]/,
    );
    assert.equal(
      (gw.inputs.labels as Record<string, string>)["org.opencontainers.image.revision"],
      "0123456789abcdef0123456789abcdef01234567",
    );
  });

  it("attaches BuildKit's SBOM and provenance to every image from the same build inputs, and lists them in the notes", async () => {
    const runs = recorded.filter((r) => r.name.endsWith("-attest"));
    assert.deepEqual(
      runs.map((r) => r.name).sort(),
      IMAGE_NAMES.map((n) => `${n}-attest`),
    );
    for (const r of runs) {
      const image = recorded.find((i) => i.type === "docker-build:index:Image" && `${i.name}-attest` === r.name)!;
      assert.ok(
        SECRET_SIG in (r.inputs.environment as object),
        `${r.name}: its environment holds the registry password, so it is secret`,
      );
      const env = unsecret<Record<string, string>>(r.inputs.environment);
      assert.equal(env.BUILDKIT_ADDR, "unix:///run/buildkitd.sock");
      assert.equal(env.SBOM_GENERATOR, "docker/buildkit-syft-scanner:stable-1");
      assert.equal(env.PROVENANCE, "mode=max");
      assert.equal(env.DIGEST, `sha256:${fakeSha(image.name)}`);
      assert.equal(env.DOCKERFILE_INLINE, (image.inputs.dockerfile as { inline: string }).inline);
      assert.deepEqual(JSON.parse(env.LABELS), image.inputs.labels);
      assert.equal(env.SOURCE_DATE_EPOCH, (image.inputs.buildArgs as Record<string, string>).SOURCE_DATE_EPOCH);
      assert.equal(env.PLATFORMS, "linux/amd64,linux/arm64");
    }
    const attestations = await valueOf(
      pulumi.output(program.imageAttestations as pulumi.Output<Record<string, { attestation: string }[]>>),
    );
    assert.equal(attestations.planner.length, 2);
    const notes = String(recorded.find((r) => r.type === "github:index/release:Release")!.inputs.body);
    assert.match(notes, /### SBOMs and provenance/);
    assert.ok(notes.includes(attestations.planner[1].attestation));
  });

  it("installs the published chart with every image pinned by digest", () => {
    const rel = recorded.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    assert.equal(rel.inputs.name, "splai");
    assert.equal(rel.inputs.namespace, "splai-system");
    assert.equal(rel.inputs.chart, "oci://127.0.0.1:5443/splai/charts/splai");
    assert.equal(rel.inputs.version, "0.1.0-main.3");
    assert.equal(rel.inputs.atomic, false);
    // The Verification waits (and rolls back when atomic) instead of Helm.
    assert.equal(rel.inputs.skipAwait, true);
    const values = rel.inputs.values as Record<string, { image: { repository: string; tag: string } }>;
    for (const [key, image] of [
      ["apiGateway", "api-gateway"],
      ["scheduler", "scheduler"],
      ["planner", "planner"],
      ["worker", "worker-agent"],
    ]) {
      assert.equal(values[key].image.repository, `127.0.0.1:5443/splai/splai-${image}`);
      assert.equal(values[key].image.tag, `sha-0123456@sha256:${fakeSha(`images-${image}`)}`);
    }
    assert.deepEqual((values as unknown as Record<string, unknown>).redis, { enabled: false });
  });

  it("gives every resource a splai component parent", () => {
    const components = recorded.filter((r) => r.type.startsWith("splai:"));
    assert.deepEqual(components.map((c) => c.type).sort(), [
      "splai:build:GoBinaries",
      "splai:build:ServiceImages",
      "splai:deploy:SplaiDeployment",
      "splai:deploy:Verification",
      "splai:release:ChartPublish",
      "splai:release:GitHubRelease",
      "splai:release:ReleasePackages",
      ...IMAGE_NAMES.map(() => "splai:supplychain:ImageAttestation"),
    ]);
  });

  it("verifies the release after Helm with the released images and this machine's splaictl, and exports the result", async () => {
    const checks = recorded.find((r) => r.name === "verify-checks")!;
    const env = checks.inputs.environment as Record<string, string>;
    assert.equal(env.NAMESPACE, "splai-system");
    assert.equal(env.RELEASE, "splai");
    assert.equal(env.REVISION, "1");
    assert.equal(env.ROLLBACK, "false", "branch builds are not atomic");
    assert.equal(env.REQUIRE_REAL_NODE, "false", "verify: auto skips the HTTP checks on fake nodes");
    assert.deepEqual(JSON.parse(env.COMPONENTS), ["api-gateway", "planner", "scheduler"]);
    const images = JSON.parse(env.IMAGES) as Record<string, string>;
    assert.deepEqual(
      Object.keys(images),
      ["api-gateway", "operator", "planner", "scheduler", "worker-agent"],
      "by component, so each is found by its image",
    );
    assert.equal(images.planner, `127.0.0.1:5443/splai/splai-planner:sha-0123456@sha256:${fakeSha("images-planner")}`);
    assert.match(env.SPLAICTL, /\/splaictl-linux-amd64$/);
    assert.deepEqual(await valueOf(pulumi.output(program.verification)), {
      status: "passed",
      revision: 1,
      checks: ["ok   rollout"],
    });
  });

  it("publishes a GitHub prerelease for the branch build with notes naming the images", () => {
    const rel = recorded.find((r) => r.type === "github:index/release:Release")!;
    assert.equal(rel.inputs.tagName, "v0.0.0-main-0123456");
    assert.equal(rel.inputs.prerelease, true);
    assert.equal(rel.inputs.draft, true, "a draft until its assets are attached");
    assert.match(String(rel.inputs.body), /127\.0\.0\.1:5443\/splai\/splai-planner@sha256:/);
    assert.match(String(rel.inputs.body), /helm install splai oci:\/\/127\.0\.0\.1:5443\/splai\/charts\/splai/);
    // The fixture tree is no git repository: the changelog, read at load, says so instead of failing the release.
    assert.match(
      String(rel.inputs.body),
      /Prerelease build of commit `0123456789abcdef0123456789abcdef01234567`\.\n\n## Changelog\n\n_The source tree .* is not a git repository/,
    );
  });

  it("keeps credentials secret", async () => {
    // The mock monitor receives secrets wrapped in Pulumi's secret signature; plain would mean a leak into state.
    const SIG = "4dabf18193072939515e22adb298388d";
    const secretHolding = (v: unknown, plain: string): boolean => {
      if (v === null || typeof v !== "object") return false;
      const o = v as Record<string, unknown>;
      if (o[SIG] === "1b47061264138c4ac30d75fd1eb44270") return JSON.stringify(o.value).includes(plain);
      return Object.values(o).some((x) => secretHolding(x, plain));
    };
    const plainly = (v: unknown, plain: string): boolean => {
      if (typeof v === "string") return v.includes(plain);
      if (v === null || typeof v !== "object") return false;
      const o = v as Record<string, unknown>;
      if (o[SIG] !== undefined) return false;
      return Object.values(o).some((x) => plainly(x, plain));
    };
    const chartPush = recorded.find((r) => r.name === "chart-push")!;
    assert.ok(secretHolding(chartPush.inputs.environment, "s3cret-registry"), "chart push password is secret");
    for (const img of recorded.filter((r) => r.type === "docker-build:index:Image"))
      assert.ok(secretHolding(img.inputs.registries, "s3cret-registry"), img.name);
    const rel = recorded.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    assert.ok(secretHolding(rel.inputs.repositoryOpts, "s3cret-registry"), "helm repository password is secret");
    assert.ok(
      secretHolding(recorded.find((r) => r.type === "pulumi:providers:github")!.inputs.token, "s3cret-token"),
      "GitHub token is secret",
    );
    assert.ok(
      secretHolding(recorded.find((r) => r.name === "github-assets")!.inputs.environment, "s3cret-token"),
      "asset upload token is secret",
    );
    for (const r of recorded) {
      assert.ok(
        !plainly(r.inputs, "s3cret-registry") && !plainly(r.inputs, "s3cret-token"),
        `plaintext secret in ${r.name}`,
      );
    }
    const outputs = await Promise.all(Object.values(program).map((o) => valueOf(pulumi.output(o))));
    assert.ok(!JSON.stringify(outputs).includes("s3cret"), "no secret in stack outputs");
  });

  it("exports versions, digests and the install command", async () => {
    assert.deepEqual(await valueOf(pulumi.output(program.versions)), {
      mode: "branch",
      ref: "main",
      commit: "0123456789abcdef0123456789abcdef01234567",
      app: "0.0.0-main-0123456",
      chart: "0.1.0-main.3",
      imageTags: ["sha-0123456", "latest"],
      // The configured sha is not in the test tree, so git cannot date it: the epoch falls back to 0.
      sourceDateEpoch: 0,
    });
    const refs = (await valueOf(program.imageRefs)) as Record<string, string>;
    assert.equal(Object.keys(refs).length, 5);
    assert.match(String(await valueOf(program.installCommand)), /--set worker\.image\.tag=sha-0123456@sha256:/);
  });
});
