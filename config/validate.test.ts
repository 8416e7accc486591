// Config validation: every bad value is refused with the key, the value and what is accepted; good config gets defaults.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { promotionProblems, type PromotionContext } from "./promotion";
import { ConfigError, validateSettings, type RawSettings } from "./validate";
import { makeTree } from "../test/support/tree";

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: dev
contexts:
  - name: dev
    context: { cluster: c, user: u }
  - name: staging
    context: { cluster: c, user: u }
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]
users: [{ name: u, user: {} }]
`;
const ok: RawSettings = { owner: "splai", hasRegistryPassword: true, hasGithubToken: true, kubeconfig: KUBECONFIG };

function problems(raw: RawSettings, tree = makeTree()): string[] {
  try {
    // A home without ~/.kube/config: only the stack's kubeconfig counts.
    validateSettings({ ...raw, source: tree }, "/", "/nonexistent-home");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.match(e.message, /nothing was changed/);
    return e.problems;
  }
  return [];
}

describe("validateSettings", () => {
  it("accepts a minimal config and fills the documented defaults", () => {
    const tree = makeTree();
    const s = validateSettings({ ...ok, source: tree }, "/");
    assert.equal(s.registry, "ghcr.io");
    assert.equal(s.namespace, "splai-system");
    assert.deepEqual(s.platforms, ["linux/amd64", "linux/arm64"]);
    assert.deepEqual(s.binaryTargets, ["linux/amd64", "linux/arm64", "darwin/arm64"]);
    assert.equal(s.chartBaseVersion, "0.1.0");
    assert.equal(s.githubOwner, "splai");
    assert.equal(s.distDir, `${tree}/dist/release`);
    assert.equal(s.attestations, undefined, "attestations auto: on wherever the builder's BuildKit address is known");
    assert.equal(s.sbomGenerator, "docker/buildkit-syft-scanner:stable-1");
    assert.ok(Object.isFrozen(s));
  });

  const cases: [string, RawSettings, RegExp][] = [
    [
      "unknown platform",
      { ...ok, platforms: ["linux/amd64", "linux/sparc"] },
      /platforms: 'linux\/sparc' is not a supported image platform; accepted: linux\/amd64/,
    ],
    [
      "unknown binary target",
      { ...ok, binaryTargets: ["plan9/amd64", "linux/amd64", "linux/arm64"] },
      /binaryTargets: 'plan9\/amd64' is not a supported GOOS\/GOARCH/,
    ],
    [
      "image platform without binaries",
      { ...ok, binaryTargets: ["linux/amd64"] },
      /images for linux\/arm64 need binaries for it; add 'linux\/arm64' to splai-release:binaryTargets/,
    ],
    [
      "registry that does not parse",
      { ...ok, registry: "https://ghcr.io/" },
      /registry 'https:\/\/ghcr.io\/' is not a registry host; expected host\[:port\]/,
    ],
    ["upper-case registry", { ...ok, registry: "GHCR.io" }, /registry 'GHCR.io'/],
    ["owner with capitals", { ...ok, owner: "MChenetz" }, /owner 'MChenetz' is not a valid repository path component/],
    [
      "namespace not a DNS-1123 label",
      { ...ok, namespace: "Splai_System" },
      /namespace 'Splai_System' is not a DNS-1123 label/,
    ],
    ["namespace too long", { ...ok, namespace: "a".repeat(64) }, /is not a DNS-1123 label/],
    [
      "missing registry secret",
      { ...ok, hasRegistryPassword: false },
      /registryPassword is missing; set it with 'pulumi config set --secret splai-release:registryPassword'/,
    ],
    ["missing GitHub token", { ...ok, hasGithubToken: false }, /githubToken is missing/],
    ["bad mode", { ...ok, mode: "release" }, /mode 'release' is not accepted; use auto, tag or branch/],
    ["bad sha", { ...ok, sha: "HEAD" }, /sha 'HEAD' is not a git commit SHA/],
    ["bad base image", { ...ok, baseImage: "not an image!" }, /baseImage 'not an image!' is not an image reference/],
    [
      "unknown Dockerfile key",
      { ...ok, dockerfiles: { gateway: "Dockerfile" } },
      /dockerfiles: 'gateway' is not an image; accepted keys: api-gateway/,
    ],
    [
      "missing Dockerfile",
      { ...ok, dockerfiles: { "worker-agent": "packaging/worker/Dockerfile" } },
      /dockerfiles.worker-agent: 'packaging\/worker\/Dockerfile' does not exist/,
    ],
    [
      "bad builder endpoint",
      { ...ok, builderEndpoints: ["buildkit.example:1234"] },
      /builderEndpoints: 'buildkit.example:1234' is not a BuildKit address/,
    ],
    [
      "a builder and builder endpoints (the fleet's, from the environment)",
      { ...ok, builder: "splai-local", builderEndpoints: ["unix:///s/amd64.sock", "unix:///s/arm64.sock"] },
      /builder 'splai-local' and builderEndpoints \[unix:\/\/\/s\/amd64.sock, unix:\/\/\/s\/arm64.sock\] are both set; choose one: 'pulumi config rm splai-release:builder' to build on the endpoints, or unset builderEndpoints \(and SPLAI_BUILDER_ENDPOINTS/,
    ],
    ["negative timeout", { ...ok, helmTimeout: -5 }, /helmTimeout '-5' must be a positive number of seconds/],
    ["no owner at all", { hasRegistryPassword: true, hasGithubToken: true }, /owner is not set/],
    [
      "attestations required without a BuildKit builder",
      { ...ok, attestations: true },
      /attestations is true but no BuildKit builder is configured; set splai-release:builder .* or builderEndpoints, or attestations auto\/false/,
    ],
    [
      "an SBOM generator that is no image reference",
      { ...ok, sbomGenerator: "Syft Scanner" },
      /sbomGenerator 'Syft Scanner' is not an image reference/,
    ],
    [
      "a negative SOURCE_DATE_EPOCH",
      { ...ok, sourceDateEpoch: -2 },
      /sourceDateEpoch '-2' must be a non-negative number of seconds since 1970/,
    ],
    ["a build number of -1", { ...ok, buildNumber: -1 }, /buildNumber '-1' must be a non-negative integer/],
    [
      "a build number that is no number",
      { ...ok, buildNumber: "12a" },
      /buildNumber '12a' must be a non-negative integer/,
    ],
    [
      "a kube context the kubeconfig does not have, listing the ones it has",
      { ...ok, kubeContext: "prod" },
      /kubeContext 'prod' is not a context of the kubeconfig document in splai-release:kubeconfig; its contexts are: dev, staging — set splai-release:kubeContext to one of them/,
    ],
    [
      "a kubeconfig without current context when no context is set",
      { ...ok, kubeconfig: KUBECONFIG.replace("current-context: dev", "") },
      /kubeContext is unset and .* has no current-context; set splai-release:kubeContext to one of: dev, staging/,
    ],
    [
      "no kubeconfig at all for a deploying stack",
      { ...ok, kubeconfig: undefined },
      /kubeconfig: no kubeconfig found .*; set splai-release:kubeconfig, or splai-release:deploy false/,
    ],
    [
      "helmValues that set a pinned image key",
      { ...ok, helmValues: { planner: { image: { tag: "latest" } } } },
      /helmValues.planner.image.tag is set to 'latest', but the release pins planner's image .*; remove helmValues.planner.image.tag/,
    ],
    [
      "a release name that Helm refuses",
      { ...ok, releaseName: "SPLAI_prod" },
      /releaseName 'SPLAI_prod' is not a Helm release name/,
    ],
    [
      "promoteFrom that is no stack name",
      { ...ok, mode: "tag", promoteFrom: "organization/splai-release/dev prod" },
      /promoteFrom 'organization\/splai-release\/dev prod' is not a stack name; use the dev stack's fully qualified name <organization>\/<project>\/<stack>/,
    ],
    [
      "promoteFrom with too many parts",
      { ...ok, mode: "tag", promoteFrom: "a/b/c/d" },
      /promoteFrom 'a\/b\/c\/d' is not a stack name/,
    ],
    [
      "promoteFrom on a branch build",
      { ...ok, mode: "branch", promoteFrom: "organization/splai-release/dev" },
      /promoteFrom 'organization\/splai-release\/dev' is set on a branch build \(mode 'branch'\); promotion publishes a tag release .* or unset splai-release:promoteFrom/,
    ],
  ];
  for (const [name, raw, want] of cases) {
    it(`refuses ${name}`, () => {
      const p = problems(raw);
      assert.ok(
        p.some((x) => want.test(x)),
        `expected ${want} in:\n${p.join("\n")}`,
      );
    });
  }

  it("accepts helmValues beside the pinned image keys, and a known context; skips cluster checks when not deploying", () => {
    assert.deepEqual(
      problems({
        ...ok,
        kubeContext: "staging",
        helmValues: { planner: { replicaCount: 2, image: { pullPolicy: "Always" } } },
      }),
      [],
    );
    assert.deepEqual(problems({ ...ok, kubeconfig: undefined, kubeContext: "anything", deploy: false }), []);
  });

  it("does not require a GitHub token when releases are off", () => {
    assert.deepEqual(problems({ ...ok, hasGithubToken: false, githubRelease: false }), []);
  });

  it("refuses a source tree without the expected mains, naming each", () => {
    const p = problems(ok, makeTree({ omit: ["./cmd/planner", "./worker/cmd/worker-agent"] }));
    assert.ok(p.some((x) => x.includes("main package ./cmd/planner (binary splai-planner) is missing")));
    assert.ok(p.some((x) => x.includes("main package ./worker/cmd/worker-agent (binary splai-worker) is missing")));
  });

  it("refuses a chart whose values lack the image keys", () => {
    const p = problems(ok, makeTree({ values: "apiGateway:\n  image:\n    repository: x\n" }));
    assert.ok(p.some((x) => x.includes("values.yaml lacks apiGateway.image.tag")));
    assert.ok(p.some((x) => x.includes("values.yaml lacks worker.image.repository")));
  });

  it("refuses a directory that is no Go module", () => {
    const p = problems({ ...ok, source: "/nonexistent" }, "/nonexistent");
    assert.ok(p.some((x) => x.includes("no go.mod in /nonexistent")));
  });

  it("adds extra mains after SPLAI's own, and refuses bad or clashing ones", () => {
    const tree = makeTree();
    const s = validateSettings(
      { ...ok, source: tree, extraMains: [{ pkg: "./cmd/splaictl", binary: "splai-extra", image: "extra" }] },
      "/",
    );
    assert.equal(s.mains.length, 7);
    assert.deepEqual(s.mains[6], { pkg: "./cmd/splaictl", binary: "splai-extra", image: "extra" });
    const p = problems({
      ...ok,
      extraMains: [
        { pkg: "./cmd/nothing", binary: "splai-x" },
        { pkg: "./cmd/planner", binary: "Bad Name" },
        { pkg: "./cmd/planner", binary: "splai-y", image: "planner" },
      ],
    });
    assert.ok(
      p.some((x) => x.includes("extraMains[0].pkg './cmd/nothing': no 'package main' .go file")),
      p.join("\n"),
    );
    assert.ok(p.some((x) => x.includes("extraMains[1].binary 'Bad Name' must be lower-case letters, digits and '-'")));
    assert.ok(
      p.some((x) => x.includes("extraMains[2]: binary 'splai-y' or image 'planner' is already used by ./cmd/planner")),
    );
  });

  it("reports every problem at once", () => {
    const p = problems({ ...ok, namespace: "A", registry: "x y", platforms: ["mips"] });
    assert.ok(p.length >= 3, p.join("\n"));
  });

  it("keeps promoteFrom for tag releases", () => {
    const s = validateSettings(
      { ...ok, source: makeTree(), mode: "tag", promoteFrom: "organization/splai-release/dev" },
      "/",
    );
    assert.equal(s.promoteFrom, "organization/splai-release/dev");
    assert.equal(validateSettings({ ...ok, source: makeTree() }, "/").promoteFrom, undefined);
  });
});

describe("promotionProblems (after the ref is resolved)", () => {
  const prod: PromotionContext = {
    mode: "tag",
    ref: "v0.3.0",
    organization: "organization",
    project: "splai-release",
    stack: "prod",
  };
  it("accepts a tag release promoting from another stack, and anything without promoteFrom", () => {
    assert.deepEqual(promotionProblems("organization/splai-release/dev", prod), []);
    assert.deepEqual(promotionProblems("dev", prod), []);
    assert.deepEqual(promotionProblems("other-org/splai-release/prod", prod), []);
    assert.deepEqual(promotionProblems(undefined, { ...prod, mode: "branch" }), []);
  });
  it("refuses promotion on a ref that resolved to a branch build (mode auto), naming the ref and the fix", () => {
    const p = promotionProblems("organization/splai-release/dev", { ...prod, mode: "branch", ref: "main" });
    assert.equal(p.length, 1);
    assert.match(
      p[0],
      /promoteFrom 'organization\/splai-release\/dev' is set, but ref 'main' is a branch build; .* or unset splai-release:promoteFrom/,
    );
  });
  it("refuses a stack promoting from itself, in any spelling", () => {
    for (const name of ["prod", "organization/prod", "organization/splai-release/prod"]) {
      assert.match(promotionProblems(name, prod).join("\n"), /names this stack itself; set it to the dev stack/, name);
    }
  });
});
