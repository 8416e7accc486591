// The release plan from preview events: versions, images, chart, Helm values with secrets masked, GitHub release, Markdown, args.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { specialSecretSig, specialSigKey, unknownValue as UNKNOWN } from "@pulumi/pulumi/runtime/rpc";
import { normalizeOp, parseUrn, type StepEvent } from "./events";
import { renderMarkdown } from "./markdown";
import { buildPlan } from "./plan";
import { DIGEST_AFTER_UP, diffValues, KNOWN_AFTER_UP, MASKED } from "./values";
import { parsePlanArgs } from "./args";

/** A value the engine marked secret, as it appears in events. */
const SECRET = { [specialSigKey]: specialSecretSig, ciphertext: "[secret]" };
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const REG = "127.0.0.1:5743/team";

function step(
  op: string,
  parentType: string | undefined,
  type: string,
  name: string,
  extra: Partial<StepEvent> = {},
): StepEvent {
  return {
    op,
    type,
    urn: `urn:pulumi:dev::splai-release::${parentType ? `${parentType}$` : ""}${type}::${name}`,
    ...extra,
  };
}
/** A replacement arrives as three steps for the same resource. */
const replaced = (parentType: string, type: string, name: string, extra: Partial<StepEvent> = {}): StepEvent[] =>
  ["create-replacement", "replace", "delete-replaced"].map((op) => step(op, parentType, type, name, extra));

const CMD = "command:local:Command";
const oldValues = {
  apiGateway: {
    image: { repository: `${REG}/splai-api-gateway`, tag: `sha-1111111@${d("a")}`, pullPolicy: "IfNotPresent" },
  },
  planner: { image: { repository: `${REG}/splai-planner`, tag: `sha-1111111@${d("b")}`, pullPolicy: "IfNotPresent" } },
  redis: { enabled: false },
  legacy: { on: true },
  auth: { token: SECRET },
};
/** The stack's helmValues: what the program merges under the pinned images. */
const extra = {
  apiGateway: { replicas: 2 },
  redis: { enabled: false },
  minio: { rootPassword: "hunter2", buckets: ["a", "b"] },
  auth: { token: "s3cr3t" },
};
const valuesKeys = { "api-gateway": "apiGateway", planner: "planner" };

const steps: StepEvent[] = [
  step("same", undefined, "pulumi:pulumi:Stack", "splai-release-dev"),
  step("same", undefined, "splai:build:GoBinaries", "binaries"),
  step("same", undefined, "splai:build:ServiceImages", "images"),
  step("same", undefined, "splai:release:ChartPublish", "chart"),
  step("same", undefined, "splai:deploy:SplaiDeployment", "splai"),
  step("same", undefined, "splai:release:GitHubRelease", "github"),
  ...replaced("splai:build:GoBinaries", CMD, "binaries-splai-planner-linux-amd64"),
  step("same", "splai:build:GoBinaries", CMD, "binaries-splai-api-gateway-linux-amd64"),
  ...replaced("splai:build:GoBinaries", CMD, "binaries-sha256sums"),
  step("update", "splai:build:ServiceImages", "docker-build:index:Image", "images-planner", {
    diffs: ["tags", "contextHash"],
    old: { inputs: {}, outputs: { digest: d("b") } },
    new: {
      inputs: {
        tags: [`${REG}/splai-planner:sha-2222222`, `${REG}/splai-planner:latest`],
        platforms: ["linux/amd64", "linux/arm64"],
      },
    },
  }),
  step("same", "splai:build:ServiceImages", "docker-build:index:Image", "images-api-gateway", {
    old: { inputs: {}, outputs: { digest: d("a") } },
    new: {
      inputs: {
        tags: [`${REG}/splai-api-gateway:sha-1111111`, `${REG}/splai-api-gateway:latest`],
        platforms: ["linux/amd64", "linux/arm64"],
      },
    },
  }),
  ...replaced("splai:release:ChartPublish", CMD, "chart-push", {
    old: { outputs: { stdout: `linting\n${JSON.stringify({ name: "splai", version: "0.1.0-main.1" })}` } },
    new: {
      inputs: {
        environment: {
          REGISTRY: "127.0.0.1:5743",
          CHART_REPOSITORY: "team/charts",
          CHART_VERSION: "0.1.0-main.2",
          CHART_ALIAS: "latest",
          REGISTRY_PASSWORD: SECRET,
        },
      },
    },
  }),
  step("update", "splai:deploy:SplaiDeployment", "kubernetes:helm.sh/v3:Release", "splai-release", {
    diffs: ["values", "version"],
    old: { inputs: { name: "splai", namespace: "splai-system", version: "0.1.0-main.1", values: oldValues } },
    // A digest is still to come, so the engine knows the values only as a whole unknown.
    new: { inputs: { name: "splai", namespace: "splai-system", version: UNKNOWN, values: UNKNOWN } },
  }),
  step("update", "splai:release:GitHubRelease", "github:index/release:Release", "github-release", {
    new: {
      inputs: { tagName: "v0.0.0-main-2222222", name: "SPLAI 0.0.0-main-2222222 (prerelease)", prerelease: true },
    },
  }),
  ...replaced("splai:release:GitHubRelease", CMD, "github-assets", {
    new: { inputs: { environment: { ASSET_FILES: UNKNOWN } } },
  }),
];

const outputs = {
  versions: {
    mode: "branch",
    ref: "main",
    commit: "2222222aaaabbbbccccdddd",
    app: "0.0.0-main-2222222",
    chart: "0.1.0-main.2",
    imageTags: ["sha-2222222", "latest"],
  },
  imageDigests: UNKNOWN,
};

const plan = buildPlan({
  stack: "dev",
  steps,
  outputs,
  changeSummary: { replace: 4, update: 3, same: 9 },
  updatePlan: "/tmp/plans/dev.update-plan.json",
  helmValueSources: { extra, valuesKeys },
});

describe("reading engine events", () => {
  it("parses nested and top-level URNs", () => {
    assert.deepEqual(
      parseUrn("urn:pulumi:dev::splai-release::splai:build:ServiceImages$docker-build:index:Image::images-planner"),
      {
        stack: "dev",
        project: "splai-release",
        type: "docker-build:index:Image",
        parentType: "splai:build:ServiceImages",
        name: "images-planner",
      },
    );
    assert.equal(parseUrn("urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev").parentType, undefined);
    assert.throws(() => parseUrn("images-planner"), /is not a Pulumi URN/);
  });
  it("names each engine operation by what it means, and refuses one it does not know", () => {
    assert.equal(normalizeOp("create-replacement"), "replace");
    assert.equal(normalizeOp("delete-replaced"), "replace");
    assert.equal(normalizeOp("same"), "same");
    assert.throws(() => normalizeOp("teleport"), /unknown engine operation 'teleport'.*tools\/plan\/events\.ts/);
  });
});

describe("a release plan from a preview", () => {
  it("takes the versions from the stack's outputs and the counts from the engine", () => {
    assert.equal(plan.versions?.app, "0.0.0-main-2222222");
    assert.deepEqual(plan.versions?.imageTags, ["sha-2222222", "latest"]);
    assert.deepEqual(plan.counts, { create: 0, update: 3, replace: 4, delete: 0, same: 9, read: 0 });
  });
  it("lists each binary with its change, without the checksum file", () => {
    assert.deepEqual(plan.binaries, [
      { file: "splai-api-gateway-linux-amd64", change: "same" },
      { file: "splai-planner-linux-amd64", change: "replace" },
    ]);
  });
  it("lists each image with repository, tags and platforms; a kept image keeps its digest", () => {
    assert.deepEqual(plan.images, [
      {
        name: "api-gateway",
        repository: `${REG}/splai-api-gateway`,
        tags: ["sha-1111111", "latest"],
        platforms: ["linux/amd64", "linux/arm64"],
        change: "same",
        digest: d("a"),
      },
      {
        name: "planner",
        repository: `${REG}/splai-planner`,
        tags: ["sha-2222222", "latest"],
        platforms: ["linux/amd64", "linux/arm64"],
        change: "update",
        digest: KNOWN_AFTER_UP,
      },
    ]);
  });
  it("names the chart, its new version, the previous one and the alias", () => {
    assert.deepEqual(plan.chart, {
      ref: "oci://127.0.0.1:5743/team/charts/splai",
      version: "0.1.0-main.2",
      alias: "latest",
      change: "replace",
      previous: "0.1.0-main.1",
    });
  });
  it("shows the Helm chart version the release moves to even while the engine does not know it yet", () => {
    assert.deepEqual(plan.helm?.chartVersion, { before: "0.1.0-main.1", after: "0.1.0-main.2" });
    assert.equal(plan.helm?.namespace, "splai-system");
  });
  it("diffs the Helm values leaf by leaf from their sources while a digest is unknown, masking secrets", () => {
    assert.equal(plan.helm?.valuesFrom, "sources");
    assert.deepEqual(plan.helm?.values, [
      { path: "apiGateway.replicas", before: undefined, after: "2" },
      { path: "legacy.on", before: "true", after: undefined },
      { path: "minio.buckets", before: undefined, after: '["a","b"]' },
      { path: "minio.rootPassword", before: undefined, after: MASKED },
      { path: "planner.image.tag", before: `sha-1111111@${d("b")}`, after: `sha-2222222@${DIGEST_AFTER_UP}` },
    ]);
  });
  it("takes the engine's values when it knows them", () => {
    const known = { ...oldValues, redis: { enabled: true } };
    const p = buildPlan({
      stack: "dev",
      outputs: {},
      helmValueSources: { extra, valuesKeys },
      steps: [
        step("update", "splai:deploy:SplaiDeployment", "kubernetes:helm.sh/v3:Release", "splai-release", {
          old: { inputs: { version: "0.1.0", values: oldValues } },
          new: { inputs: { version: "0.1.0", values: known } },
        }),
      ],
    });
    assert.equal(p.helm?.valuesFrom, "preview");
    assert.deepEqual(p.helm?.values, [{ path: "redis.enabled", before: "false", after: "true" }]);
  });
  it("leaves the values unknown rather than guess when an image they need is not in the preview", () => {
    const p = buildPlan({
      stack: "dev",
      outputs: {},
      helmValueSources: { extra, valuesKeys: { scheduler: "scheduler" } },
      steps: [
        step("create", "splai:deploy:SplaiDeployment", "kubernetes:helm.sh/v3:Release", "splai-release", {
          new: { inputs: { values: UNKNOWN } },
        }),
      ],
    });
    assert.deepEqual(p.helm?.values, [{ path: "(all values)", before: undefined, after: KNOWN_AFTER_UP }]);
  });
  it("describes the GitHub release, whose assets are the binaries and SHA256SUMS while their paths are unknown", () => {
    assert.deepEqual(plan.githubRelease, {
      tag: "v0.0.0-main-2222222",
      title: "SPLAI 0.0.0-main-2222222 (prerelease)",
      prerelease: true,
      change: "update",
      assets: ["SHA256SUMS", "splai-api-gateway-linux-amd64", "splai-planner-linux-amd64"],
      assetsChange: "replace",
    });
  });
  it("lists every resource that changes, once, and nothing unchanged", () => {
    assert.deepEqual(
      plan.resources.map((r) => `${r.change} ${r.name}`),
      [
        "replace binaries-splai-planner-linux-amd64",
        "replace binaries-sha256sums",
        "update images-planner",
        "replace chart-push",
        "update splai-release",
        "update github-release",
        "replace github-assets",
      ],
    );
    assert.deepEqual(plan.resources.find((r) => r.name === "images-planner")?.diffs, ["contextHash", "tags"]);
  });
  it("reads a provider-managed GitHub release and listed assets too", () => {
    const p = buildPlan({
      stack: "prod",
      outputs: {},
      steps: [
        step("same", undefined, "splai:release:GitHubRelease", "github"),
        step("create", "splai:release:GitHubRelease", "github:index/release:Release", "github-release", {
          new: { inputs: { tagName: "v0.2.0", name: "SPLAI 0.2.0", prerelease: false } },
        }),
        step("create", "splai:release:GitHubRelease", CMD, "github-assets", {
          new: { inputs: { environment: { ASSET_FILES: "/d/splaictl-linux-amd64\n/d/SHA256SUMS" } } },
        }),
      ],
    });
    assert.deepEqual(p.githubRelease, {
      tag: "v0.2.0",
      title: "SPLAI 0.2.0",
      prerelease: false,
      change: "create",
      assets: ["SHA256SUMS", "splaictl-linux-amd64"],
      assetsChange: "create",
    });
    assert.equal(p.versions, undefined, "no versions output, no versions");
    assert.equal(p.counts.create, 2, "counts from the steps when the engine gave none");
  });
  it("names the archives and packages a release will attach before the binaries' paths are known", () => {
    const p = buildPlan({
      stack: "prod",
      outputs: {},
      steps: [
        step("same", undefined, "splai:build:GoBinaries", "binaries"),
        step("same", undefined, "splai:release:ReleasePackages", "packages"),
        step("same", undefined, "splai:release:GitHubRelease", "github"),
        step("create", "splai:build:GoBinaries", CMD, "binaries-splaictl-linux-amd64"),
        step("create", "splai:build:GoBinaries", CMD, "binaries-splaictl-darwin-arm64"),
        step("create", "splai:release:ReleasePackages", CMD, "packages-build", {
          new: {
            inputs: {
              environment: {
                VERSION: "1.2.3",
                FORMATS: '["deb","rpm"]',
                PACKAGES: '[{"name":"splaictl","binary":"splaictl","description":"CLI"}]',
                BINARIES: UNKNOWN,
              },
            },
          },
        }),
        step("create", "splai:release:GitHubRelease", "github:index/release:Release", "github-release", {
          new: { inputs: { tagName: "v1.2.3", name: "SPLAI 1.2.3", prerelease: false } },
        }),
        step("create", "splai:release:GitHubRelease", CMD, "github-assets", {
          new: { inputs: { environment: { ASSET_FILES: UNKNOWN } } },
        }),
      ],
    });
    assert.deepEqual(p.githubRelease?.assets, [
      "SHA256SUMS",
      "splai_1.2.3_darwin_arm64.tar.gz",
      "splai_1.2.3_linux_amd64.tar.gz",
      "splaictl-1.2.3.x86_64.rpm",
      "splaictl-darwin-arm64",
      "splaictl-linux-amd64",
      "splaictl_1.2.3_amd64.deb",
    ]);
  });
  it("reads a promoting release: dev's digests under the release tags, dev's binaries copied, nothing built", () => {
    const PROMOTED = "splai:release:PromotedImages";
    const dev = `${REG}/splai-planner@${d("c")}`;
    const p = buildPlan({
      stack: "prod",
      outputs: {
        promotedFrom: {
          stack: "org/splai-release/dev",
          version: "0.0.0-main-2222222",
          sha: "2222222aaaabbbb",
          digests: { planner: d("c") },
        },
      },
      steps: [
        step("same", undefined, PROMOTED, "images"),
        step("same", undefined, "splai:release:PromotedBinaries", "binaries"),
        step("create", PROMOTED, "docker-build:index:Index", "images-planner", {
          new: { inputs: { sources: [dev], tag: `${REG}/prod/splai-planner:0.3.0` } },
        }),
        step("create", PROMOTED, "docker-build:index:Index", "images-planner-1", {
          new: { inputs: { sources: [dev], tag: `${REG}/prod/splai-planner:stable` } },
        }),
        step("create", PROMOTED, CMD, "images-planner-immutable", { new: { inputs: { environment: {} } } }),
        step("create", "splai:release:PromotedBinaries", CMD, "binaries-copy", {
          new: {
            inputs: {
              environment: {
                FILES: JSON.stringify([{ name: "splaictl-linux-amd64" }, { name: "splai-planner-linux-amd64" }]),
              },
            },
          },
        }),
      ],
    });
    assert.deepEqual(p.promotedFrom, {
      stack: "org/splai-release/dev",
      version: "0.0.0-main-2222222",
      sha: "2222222aaaabbbb",
    });
    assert.deepEqual(p.images, [
      {
        name: "planner",
        repository: `${REG}/prod/splai-planner`,
        tags: ["0.3.0", "stable"],
        platforms: [],
        change: "create",
        digest: d("c"),
        promotedFrom: dev,
      },
    ]);
    assert.deepEqual(p.binaries, [
      { file: "splai-planner-linux-amd64", change: "create" },
      { file: "splaictl-linux-amd64", change: "create" },
    ]);
    const md = renderMarkdown(p);
    assert.ok(
      md.includes(
        "**Promotion** of `org/splai-release/dev` build `0.0.0-main-2222222` (commit `2222222aaaab`): nothing is built",
      ),
      md,
    );
    assert.ok(
      md.includes(
        `| \`${REG}/prod/splai-planner\` | \`0.3.0\`, \`stable\` | dev's: \`${REG}/splai-planner\` | create | \`${d("c")}\` |`,
      ),
      md,
    );
    assert.ok(md.includes("2 of dev's binaries are copied (checked against dev's SHA256SUMS), not built."), md);
  });
  it("a first release diffs the values against nothing, and an unknown values document is one line", () => {
    assert.deepEqual(diffValues(undefined, UNKNOWN), [
      { path: "(all values)", before: undefined, after: KNOWN_AFTER_UP },
    ]);
    assert.deepEqual(
      diffValues({ a: { token: "x" } }, { a: { token: "y" } }),
      [],
      "a changed credential shows no change it could leak",
    );
  });
});

describe("the plan as Markdown", () => {
  const md = renderMarkdown(plan, { applyCommand: "npm run plan -- --stack dev --apply dev.update-plan.json" });
  it("names versions, images, chart, values, GitHub release and the saved plan", () => {
    for (const want of [
      "## Release plan for stack `dev`",
      "**SPLAI 0.0.0-main-2222222** from branch `main` at `2222222aaaab`",
      "| 0 | 3 | 4 | 0 | 9 |",
      `| \`${REG}/splai-planner\` | \`sha-2222222\`, \`latest\` | linux/amd64, linux/arm64 | update | new, known after the build |`,
      `| \`${REG}/splai-api-gateway\` | \`sha-1111111\`, \`latest\` | linux/amd64, linux/arm64 | unchanged | \`${d("a")}\` |`,
      "1 of 2 binaries are built: `splai-planner-linux-amd64`.",
      "`oci://127.0.0.1:5743/team/charts/splai` version `0.1.0-main.2` (was `0.1.0-main.1`), alias `latest`: **replace**.",
      "**update**, chart version `0.1.0-main.1` → `0.1.0-main.2`.",
      `- planner.image.tag: sha-1111111@${d("b")}\n+ planner.image.tag: sha-2222222@(digest known after up)`,
      "Values that change (from the stack's `helmValues` and the planned images, as the program computes them):",
      "+ minio.rootPassword: [secret]",
      "`v0.0.0-main-2222222` “SPLAI 0.0.0-main-2222222 (prerelease)”, a prerelease: **update**; 3 assets are uploaded",
      "Every resource that changes (7)",
      "`npm run plan -- --stack dev --apply dev.update-plan.json` applies exactly this plan",
    ]) {
      assert.ok(md.includes(want), `missing: ${want}\n---\n${md}`);
    }
  });
  it("never shows a secret or the engine's secret marker", () => {
    assert.ok(!md.includes("hunter2") && !md.includes("s3cr3t"));
    assert.ok(!md.includes(specialSigKey));
    assert.ok(!/hunter2|s3cr3t/.test(JSON.stringify(plan)), "nor does the JSON plan");
  });
  it("drops detail to fit a size limit, keeping the summary", () => {
    const full = renderMarkdown(plan);
    const small = renderMarkdown(plan, { maxChars: full.length - 1 });
    assert.ok(small.length < full.length, `${small.length} < ${full.length}`);
    assert.ok(small.includes("| 0 | 3 | 4 | 0 | 9 |"));
    assert.ok(!small.includes("Every resource that changes"));
  });
  it("says so when nothing changes", () => {
    const none = renderMarkdown(
      buildPlan({ stack: "dev", steps: [step("same", undefined, "pulumi:pulumi:Stack", "s")], outputs: {} }),
    );
    assert.ok(none.includes("Nothing changes"));
  });
});

describe("npm run plan arguments", () => {
  it("reads a planning run", () => {
    assert.deepEqual(
      parsePlanArgs(["--stack", "prod", "--next-tag", "--save-plan", "--out=/tmp/p", "--max-chars", "30000"]),
      {
        stack: "prod",
        dir: undefined,
        out: "/tmp/p",
        savePlan: true,
        ref: undefined,
        nextTag: true,
        maxChars: 30000,
        apply: undefined,
      },
    );
    assert.equal(parsePlanArgs(["--stack=dev", "--ref", "main"]).ref, "main");
  });
  it("reads an apply run", () => {
    assert.equal(parsePlanArgs(["--stack", "dev", "--apply", "dev.update-plan.json"]).apply, "dev.update-plan.json");
  });
  for (const [argv, problem] of [
    [[], /--stack is required/],
    [["--stack"], /--stack needs a value/],
    [["--stack", "--save-plan"], /--stack needs a value/],
    [["--stack", "dev", "--frobnicate"], /unknown argument '--frobnicate'/],
    [["--stack", "dev", "--ref", "main", "--next-tag"], /give one of them/],
    [["--stack", "dev", "--apply", "p.json", "--save-plan"], /belong to the planning run/],
    [["--stack", "dev", "--max-chars", "12"], /at least 1000/],
  ] as const) {
    it(`refuses ${JSON.stringify(argv)} with usage`, () => {
      assert.throws(
        () => parsePlanArgs(argv),
        (e: Error) => problem.test(e.message) && e.message.includes("usage: npm run plan"),
      );
    });
  }
});
