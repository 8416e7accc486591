// The resource graph of index.ts in a promoting tag release, under Pulumi mocks: dev's images by digest, dev's binaries, nothing built.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { chartPushRecord, runProgram } from "../support/program";
import { makeTree } from "../support/tree";
import { programMocks } from "../support/mocks";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const recorded: Recorded[] = [];
const SHA = "0123456789abcdef0123456789abcdef01234567";
const d = (c: string): string => `sha256:${c.repeat(64)}`;
const IMAGES = ["api-gateway", "scheduler", "planner", "operator", "worker-agent"];
const files = ["splaictl-linux-amd64", "splai-planner-linux-amd64"].map((name, i) => ({
  name,
  binary: name.replace(/-linux-amd64$/, ""),
  goos: "linux",
  goarch: "amd64",
  path: `/dev-dist/${name}`,
  sha256: String(i + 1).repeat(64),
}));
const devOutputs = {
  versions: { mode: "branch", app: "0.0.0-main-0123456", commit: SHA },
  releaseImages: Object.fromEntries(
    IMAGES.map((n, i) => [n, { repository: `127.0.0.1:5443/splai/splai-${n}`, digest: d(String(i)) }]),
  ),
  releaseBinaries: { dir: "/dev-dist", files },
  binaryChecksums: files.map((f) => `${f.sha256}  ${f.name}\n`).join(""),
};

/** The archives a promoted v0.3.0 release makes of dev's binaries (what the Homebrew formula names). */
const ARCHIVES = [
  ["darwin", "arm64"],
  ["linux", "amd64"],
  ["linux", "arm64"],
].map(([goos, goarch]) => ({
  name: `splai_0.3.0_${goos}_${goarch}.tar.gz`,
  path: `/prod-dist/splai_0.3.0_${goos}_${goarch}.tar.gz`,
  sha256: d(goos + goarch).slice(7),
  kind: "archive",
  goos,
  goarch,
}));

/** Recording mocks: dev's record as the stack promoted from, the registry's answer to an Index, this test's steps. */
const mocks = programMocks({
  record: (r) => recorded.push(r),
  stdout: (args) => {
    if (args.name === "binaries-copy")
      return JSON.stringify(files.map((f) => ({ ...f, path: `/prod-dist/${f.name}` })));
    else if (args.name === "chart-push") return chartPushRecord("0.3.0", d("c"));
    else if (args.name === "verify-checks") return JSON.stringify({ status: "passed", revision: 1, checks: [] });
    else if (args.name === "github-assets")
      return JSON.stringify(
        ARCHIVES.map((a, i) => ({
          name: a.name,
          id: i,
          size: 1,
          sha256: a.sha256,
          url: `https://dl.example/${a.name}`,
        })),
      );
    else if (args.name === "packages-build") return JSON.stringify({ archives: ARCHIVES, packages: [], checksums: "" });
    else if (args.name === "github-publish")
      return JSON.stringify({ url: "https://github.com/splai/splai/releases/tag/v0.3.0", downloads: {} });
    else if (/^images-.*-attestations$/.test(args.name)) {
      // What copy-attestations prints: dev's referrer of the amd64 image, now also in the release repository.
      const env = unwrap<Record<string, string>>((args.inputs as { environment: unknown }).environment);
      return JSON.stringify({
        attestations: [
          {
            platform: "linux/amd64",
            manifest: `${env.DIGEST.slice(0, 10)}a`,
            attestation: d("e"),
            sbom: d("f"),
            provenance: d("9"),
          },
        ],
      });
    } else return "{}";
  },
  outputs: ({ type, name, inputs }) => {
    switch (type) {
      case "pulumi:pulumi:StackReference":
        // The dev stack promoted from; the stack's own record of its last update is empty (a new stack).
        return { outputs: name === "promote-from" ? devOutputs : {}, secretOutputNames: [] };
      case "docker-build:index:Index": {
        // What the registry answers: the tag with the digest of the one source index.
        const i = inputs as { sources: string[]; tag: string };
        return { ref: `${i.tag}@${i.sources[0].split("@")[1]}` };
      }
      case "github:index/release:Release":
        return { releaseId: 7, htmlUrl: "https://github.com/splai/splai/releases/tag/v0.3.0" };
      default:
        return undefined;
    }
  },
  plain: ["github:index/repositoryFile:RepositoryFile"],
});

const SIG = "4dabf18193072939515e22adb298388d";
/** An input as the program gave it: secrets arrive wrapped in Pulumi's secret signature. */
const unwrap = <T>(v: unknown): T =>
  v !== null && typeof v === "object" && SIG in v ? (v as unknown as { value: T }).value : (v as T);

function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => o.apply(resolve));
}

let program: Record<string, pulumi.Output<unknown>>;

before(async () => {
  program = await runProgram(mocks, "prod", {
    "splai-release:source": makeTree({ chartVersion: "0.3.0" }),
    "splai-release:distDir": "/prod-dist",
    "splai-release:registry": "127.0.0.1:5443",
    "splai-release:owner": "splai",
    "splai-release:mode": "tag",
    "splai-release:ref": "v0.3.0",
    "splai-release:sha": SHA,
    "splai-release:promoteFrom": "organization/splai-release/dev",
  });
  await Promise.all(
    ["installCommand", "releaseUrl", "promotedFrom", "verification", "imageAttestations", "homebrewFormula"].map((k) =>
      valueOf(pulumi.output(program[k])),
    ),
  );
});

describe("promoting release program graph", () => {
  it("reads the dev stack by the configured name", () => {
    const ref = recorded.find((r) => r.type === "pulumi:pulumi:StackReference" && r.name === "promote-from")!;
    assert.equal(ref.name, "promote-from");
    assert.equal(ref.inputs.name, "organization/splai-release/dev");
  });

  it("builds nothing: no go build, no image build, no build component", () => {
    assert.equal(recorded.filter((r) => r.type === "docker-build:index:Image").length, 0);
    assert.equal(recorded.filter((r) => r.type.startsWith("splai:build:")).length, 0);
    assert.ok(!JSON.stringify(recorded.map((r) => r.inputs)).includes("go build"));
  });

  it("tags each dev image by digest under the release tag, after an immutability check by digest", () => {
    const indexes = recorded.filter((r) => r.type === "docker-build:index:Index");
    assert.equal(indexes.length, 5);
    const planner = indexes.find((r) => r.name === "images-planner")!;
    assert.deepEqual(planner.inputs.sources, [`127.0.0.1:5443/splai/splai-planner@${d("2")}`]);
    assert.equal(planner.inputs.tag, "127.0.0.1:5443/splai/splai-planner:0.3.0");
    assert.equal(planner.inputs.push, true);
    const guard = recorded.find((r) => r.name === "images-planner-immutable")!;
    assert.equal(
      (guard.inputs.environment as Record<string, unknown>)[SIG],
      "1b47061264138c4ac30d75fd1eb44270",
      "the check's environment holds the password: secret",
    );
    const env = unwrap<Record<string, string>>(guard.inputs.environment);
    assert.equal(env.DIGEST, d("2"));
    assert.equal(env.TAG, "0.3.0");
    assert.equal(env.CONTEXT_HASH, undefined);
  });

  it("copies dev's SBOM and provenance referrers next to the release tags, after the push, and lists them in the notes", async () => {
    const copies = recorded.filter(
      (r) => r.type === "command:local:Command" && /^images-.*-attestations$/.test(r.name),
    );
    assert.equal(copies.length, 5);
    const planner = copies.find((r) => r.name === "images-planner-attestations")!;
    const env = unwrap<Record<string, string>>(planner.inputs.environment);
    assert.equal(planner.inputs.create, "node --use-openssl-ca step.js copy-attestations");
    assert.equal(env.SOURCE, "127.0.0.1:5443/splai/splai-planner");
    assert.equal(env.DIGEST, d("2"));
    assert.equal(env.REPOSITORY, "splai/splai-planner");
    assert.equal(env.REQUIRE_ATTESTATIONS, "false", "attestations auto: dev may have none");
    const atts = await valueOf(program.imageAttestations as pulumi.Output<Record<string, { attestation: string }[]>>);
    assert.deepEqual(Object.keys(atts).sort(), [...IMAGES].sort());
    assert.equal(atts.planner[0].attestation, d("e"));
    const gh = recorded.find((r) => r.type === "github:index/release:Release")!;
    assert.match(String(gh.inputs.body), /### SBOMs and provenance/);
    assert.ok(String(gh.inputs.body).includes(`127.0.0.1:5443/splai/splai-planner@${d("e")}`));
  });

  it("copies dev's binaries, checked against dev's SHA256SUMS", () => {
    const copy = recorded.find((r) => r.name === "binaries-copy")!;
    const env = unwrap<Record<string, string>>(copy.inputs.environment);
    assert.equal(env.OUT_DIR, "/prod-dist");
    assert.equal(env.CHECKSUMS, devOutputs.binaryChecksums);
    assert.deepEqual(
      JSON.parse(env.FILES),
      [...files].sort((a, b) => a.name.localeCompare(b.name)),
    );
  });

  it("deploys the chart with dev's digests under the release tag and announces where they come from", async () => {
    const rel = recorded.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    const values = rel.inputs.values as Record<string, { image: { repository: string; tag: string } }>;
    assert.equal(values.planner.image.tag, `0.3.0@${d("2")}`);
    const gh = recorded.find((r) => r.type === "github:index/release:Release")!;
    assert.match(
      String(gh.inputs.body),
      /Promoted from `organization\/splai-release\/dev` build `0\.0\.0-main-0123456`/,
    );
    assert.deepEqual(await valueOf(pulumi.output(program.promotedFrom)), {
      stack: "organization/splai-release/dev",
      version: "0.0.0-main-0123456",
      sha: SHA,
      digests: Object.fromEntries(IMAGES.map((n, i) => [n, d(String(i))])),
    });
    assert.equal(await valueOf(pulumi.output(program.binaryChecksums)), devOutputs.binaryChecksums);
  });

  it("keeps the registry password secret in the Index and the checks", () => {
    const plainly = (v: unknown): boolean => {
      if (typeof v === "string") return v.includes("s3cret");
      if (v === null || typeof v !== "object") return false;
      const o = v as Record<string, unknown>;
      if (o[SIG] !== undefined) return false;
      return Object.values(o).some(plainly);
    };
    for (const r of recorded) assert.ok(!plainly(r.inputs), `plaintext secret in ${r.name}`);
  });

  it("commits the tag release's Homebrew formula to the tap, naming each archive's download URL and sha256", async () => {
    const file = recorded.find((r) => r.type === "github:index/repositoryFile:RepositoryFile")!;
    assert.equal(file.name, "homebrew-formula");
    assert.equal(file.inputs.repository, "homebrew-tap");
    assert.equal(file.inputs.file, "Formula/splaictl.rb");
    assert.equal(file.inputs.commitMessage, "splaictl 0.3.0");
    const formula = String(file.inputs.content);
    for (const a of ARCHIVES) {
      assert.ok(formula.includes(`url "https://dl.example/${a.name}"`), a.name);
      assert.ok(formula.includes(`sha256 "${a.sha256}"`), a.name);
    }
    assert.equal(await valueOf(pulumi.output(program.homebrewFormula)), formula);
  });
});
