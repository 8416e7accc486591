// The resource graph of index.ts with signing: key — a signature per image, the chart and SHA256SUMS after their
// pushes, the gate the Helm release waits for, the bundle among the assets, the notes' cosign commands, no key leaked.
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, describe, it } from "node:test";
import { inPlaintext, programMocks, unsecret } from "../support/mocks";
import { BRANCH_BUILD, chartPushRecord, runProgram } from "../support/program";
import { makeTree } from "../support/tree";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const recorded: Recorded[] = [];
const deps = new Map<
  string,
  pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined
>();
const fakeSha = (s: string): string => createHash("sha256").update(s).digest("hex");
const KEY_BODY = "c2lnbmluZy1rZXktYnl0ZXMtdGhhdC1tdXN0LW5ldmVyLWxlYWs=";
const KEY = `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${KEY_BODY}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
const KEY_PASSWORD = "pa55-of-the-key";
const PUB = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n";
const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

const mocks = programMocks({
  record: (r) => recorded.push(r),
  stdout: (args) => {
    const env = (): Record<string, string> => unsecret<Record<string, string>>(args.inputs.environment);
    if (args.name === "chart-push") return chartPushRecord("0.1.0-main.3", `sha256:${fakeSha("chart")}`);
    else if (args.name === "packages-build") return JSON.stringify({ archives: [], packages: [], checksums: "sums\n" });
    else if (args.name === "github-publish")
      return JSON.stringify({ url: "https://github.com/splai/splai/releases/tag/x", downloads: {} });
    else if (args.name.startsWith("github-assets")) return "[]";
    else if (args.name.endsWith("-attest")) return JSON.stringify({ attestations: [] });
    else if (args.name === "signing-public-key")
      return JSON.stringify({ publicKey: PUB, fingerprint: "sha256:0123456789ab" });
    else if (args.name === "sign-checksums-sign")
      return JSON.stringify({ file: env().FILE, bundle: env().BUNDLE, bundleSha256: "b".repeat(64) });
    else if (args.name.startsWith("sign-")) return JSON.stringify({ ref: env().REF, signatures: [`${env().REF}.sig`] });
    else if (args.name === "deploy-signatures-verify") return JSON.stringify({ verified: [] });
    else if (args.name.startsWith("verify-checks"))
      return JSON.stringify({ status: "passed", revision: 1, checks: [] });
    else if (args.name.endsWith("-sha256sums")) return "sums\n";
    else return fakeSha(args.name);

    throw new Error(`no stdout for ${args.name}`);
  },
});

const valueOf = <T>(o: pulumi.Input<T>): Promise<T> =>
  new Promise((resolve) => pulumi.output(o).apply((v) => resolve(v as T)));
const cmd = (name: string): Recorded => {
  const r = recorded.find((x) => x.type === "command:local:Command" && x.name === name);
  assert.ok(r, `no command ${name}`);
  return r;
};
const depNames = async (name: string): Promise<string[]> => {
  const d = deps.get(name);
  const list = (await valueOf(pulumi.output(d as pulumi.Input<pulumi.Resource[]>))) ?? [];
  return Promise.all(list.map(async (r) => (await valueOf(r.urn)).split("::").pop()!));
};

let program: Record<string, pulumi.Output<unknown>>;

before(async () => {
  process.env.SPLAI_SIGNING_KEY = KEY;
  process.env.SPLAI_SIGNING_PASSWORD = KEY_PASSWORD;
  program = await runProgram(
    mocks,
    "signed",
    {
      "splai-release:source": makeTree({ chartVersion: "0.1.0" }),
      ...BRANCH_BUILD,
      "splai-release:signing": "key",
      "splai-release:signingTlog": "false",
    },
    (_type, name, opts) => deps.set(name, opts.dependsOn),
  );
  await Promise.all(
    ["releaseUrl", "releaseAssets", "signatures", "signatureVerification", "verification"].map((k) =>
      valueOf(pulumi.output(program[k])),
    ),
  );
});

describe("release program graph with signing: key", () => {
  it("signs every image (recursively), the chart and SHA256SUMS with the stack's key, without Rekor", () => {
    for (const image of IMAGES) {
      const e = unsecret<Record<string, unknown>>(cmd(`sign-${image}-sign`).inputs.environment);
      assert.equal(e.REF, `127.0.0.1:5443/splai/splai-${image}@sha256:${fakeSha(`images-${image}`)}`);
      assert.equal(e.RECURSIVE, "true");
      assert.equal(e.MODE, "key");
      assert.equal(e.TLOG, "false");
      assert.equal(unsecret(e.COSIGN_PRIVATE_KEY), KEY);
    }
    const chart = unsecret<Record<string, unknown>>(cmd("sign-chart-sign").inputs.environment);
    assert.equal(chart.REF, `127.0.0.1:5443/splai/charts/splai@sha256:${fakeSha("chart")}`);
    assert.equal(chart.RECURSIVE, "false");
    const sums = unsecret<Record<string, unknown>>(cmd("sign-checksums-sign").inputs.environment);
    assert.match(String(sums.BUNDLE), /SHA256SUMS\.cosign\.bundle$/);
    assert.equal(sums.SHA256, fakeSha("sums\n"));
  });

  it("signs after the pushes: images after ServiceImages, the chart after its push, SHA256SUMS after the packages", async () => {
    for (const image of IMAGES) assert.deepEqual(await depNames(`sign-${image}`), ["images"]);
    assert.deepEqual(await depNames("sign-chart"), ["chart"]);
    assert.deepEqual(await depNames("sign-checksums"), ["packages"]);
  });

  it("gates the Helm release on every pinned digest and the chart verifying against the stack's key", async () => {
    assert.ok((await depNames("splai-release")).includes("deploy-signatures-verify"), "the Release waits for the gate");
    assert.deepEqual(
      (await depNames("deploy-signatures")).sort(),
      [...IMAGES.map((i) => `sign-${i}`), "sign-chart", "sign-checksums"].sort(),
    );
    const e = unsecret<Record<string, string>>(cmd("deploy-signatures-verify").inputs.environment);
    const targets = JSON.parse(e.TARGETS) as { name: string; ref: string; tag: string }[];
    assert.deepEqual(
      targets.map((t) => [t.name, t.tag]),
      [...IMAGES.map((i) => [`image ${i}`, "sha-0123456"]), ["chart splai", "0.1.0-main.3"]],
    );
    assert.deepEqual(JSON.parse(e.TRUST), { mode: "key", keys: [PUB], tlog: false }, "trusts the key's public half");
  });

  it("attaches SHA256SUMS' bundle to the GitHub release and tells users how to verify each artifact", async () => {
    const assets = String(unsecret<Record<string, string>>(cmd("github-assets").inputs.environment).ASSET_FILES);
    assert.match(assets, /SHA256SUMS\.cosign\.bundle$/);
    const notes = String(recorded.find((r) => r.type === "github:index/release:Release")!.inputs.body);
    assert.match(notes, /### Verify signatures/);
    assert.ok(notes.includes(PUB.trim()), "the notes print the public key");
    assert.ok(
      notes.includes(
        `cosign verify --key cosign.pub --insecure-ignore-tlog=true 127.0.0.1:5443/splai/splai-planner@sha256:${fakeSha("images-planner")}`,
      ),
    );
    assert.ok(
      notes.includes(
        `cosign verify --key cosign.pub --insecure-ignore-tlog=true 127.0.0.1:5443/splai/charts/splai@sha256:`,
      ),
    );
    assert.ok(
      notes.includes(
        "cosign verify-blob --key cosign.pub --insecure-ignore-tlog=true --bundle SHA256SUMS.cosign.bundle SHA256SUMS",
      ),
    );
  });

  it("never puts the private key or its password in plaintext into any resource, output or the notes", async () => {
    for (const r of recorded) {
      assert.equal(inPlaintext(r.inputs, KEY_BODY), false, `${r.type} ${r.name}`);
      assert.equal(inPlaintext(r.inputs, KEY_PASSWORD), false, `${r.type} ${r.name}`);
    }
    for (const [k, v] of Object.entries(program)) {
      const text = JSON.stringify(await valueOf(pulumi.output(v)));
      assert.ok(!text?.includes(KEY_BODY) && !text?.includes(KEY_PASSWORD), k);
    }
    assert.equal(((await valueOf(program.signatures)) as string[]).length, IMAGES.length + 2);
  });
});
