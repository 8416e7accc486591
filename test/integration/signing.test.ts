// Signed releases: cosign signatures of every image, platform image, the chart and SHA256SUMS, checked by the test
// with cosign itself; the gate that refuses a deploy of a tag re-pushed behind the program's back or signed by no
// trusted key; key rotation; a promotion refused (nothing pushed) for a wrong key or a deleted signature, and one
// that copies the signatures; the private key nowhere in the state, the events, the output or the notes.
import type { EngineEvent, OutputMap, Stack } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { signatureTag } from "../../components/signing/contract";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { LOCAL_HELM_VALUES, releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const IMAGES = ["api-gateway", "operator", "planner", "scheduler", "worker-agent"];

interface KeyPair {
  readonly key: string;
  readonly password: string;
  /** Path of the public key file. */
  readonly pub: string;
}

describe("signed releases", { timeout: 60 * 60_000 }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let work: string;
  let dockerConfig: string;
  let ns: string;
  let out: OutputMap;
  let key1: KeyPair;
  let key2: KeyPair;
  /** A public key that signed nothing: a wrongly configured trust. */
  let strangerPem: string;
  /** Everything the engine printed or emitted in this file, searched for the private keys at the end. */
  const transcript: string[] = [];
  const notes: string[] = [];
  const record = {
    onOutput: (s: string): void => {
      transcript.push(s);
      process.stderr.write(s);
    },
    onEvent: (e: EngineEvent): void => {
      transcript.push(JSON.stringify(e));
    },
  };
  const host = (): string => p.state.registry.address;
  /** cosign as a user runs it: the platform's tools on PATH, registry credentials in a Docker config of its own. */
  const cosign = (args: string[], env: Record<string, string> = {}): { ok: boolean; out: string } => {
    const r = spawnSync("cosign", args, {
      env: { ...p.env, DOCKER_CONFIG: dockerConfig, ...env },
      encoding: "utf8",
      timeout: 120_000,
    });
    return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
  };
  const verify = (ref: string, pub: string) => cosign(["verify", "--key", pub, "--insecure-ignore-tlog=true", ref]);
  const newKeyPair = (name: string): KeyPair => {
    const dir = join(work, name);
    spawnSync("mkdir", ["-p", dir]);
    const password = `pw-${name}-${Date.now()}`;
    const r = spawnSync("cosign", ["generate-key-pair"], {
      cwd: dir,
      env: { ...p.env, COSIGN_PASSWORD: password },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return { key: readFileSync(join(dir, "cosign.key"), "utf8"), password, pub: join(dir, "cosign.pub") };
  };
  const upFails = async (st: Stack, pattern: RegExp): Promise<string> => {
    const err = await st.up(record).then(
      () => assert.fail(`up succeeded, expected ${pattern}`),
      (e: Error) => e.message,
    );
    transcript.push(err);
    assert.match(err, pattern);
    return err;
  };
  const releaseBody = async (tag: string): Promise<{ body: string; id: number }> => {
    const r = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/${tag}`);
    assert.equal(r.status, 200, `release ${tag}`);
    return (await r.json()) as { body: string; id: number };
  };
  /** Sets the whole trustedKeys list (a list key: set element by element, by path). */
  const trust = async (st: Stack, pems: string[]): Promise<void> => {
    await st.removeConfig("splai-release:trustedKeys").catch(() => undefined);
    for (const [i, pem] of pems.entries()) await st.setConfig(`splai-release:trustedKeys[${i}]`, { value: pem }, true);
  };
  const pem = (k: KeyPair): string => readFileSync(k.pub, "utf8");
  const deployedRevision = async (namespace: string): Promise<number> =>
    (await p.helmRelease(namespace, "deployed"))[0].version;

  before(async () => {
    p = platform();
    assert.ok(p.state.signing, "the platform has a signing key pair (npm run platform -- up makes it)");
    work = mkdtempSync(join(tmpdir(), "splai-signing-"));
    dockerConfig = join(work, "docker");
    spawnSync("mkdir", ["-p", dockerConfig]);
    const auth = Buffer.from(`${p.state.registry.username}:${p.state.registry.password}`).toString("base64");
    writeFileSync(join(dockerConfig, "config.json"), JSON.stringify({ auths: { [host()]: { auth } } }));
    key1 = {
      key: readFileSync(p.state.signing.key, "utf8"),
      password: p.state.signing.password,
      pub: p.state.signing.publicKey,
    };
    key2 = newKeyPair("rotated");
    strangerPem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .publicKey.export({ type: "spki", format: "pem" })
      .toString();
    proj = await releaseProject(p, {
      config: {
        "splai-release:signing": { value: "key" },
        "splai-release:signingTlog": { value: "false" },
        "splai-release:signingKey": { value: key1.key, secret: true },
        "splai-release:signingPassword": { value: key1.password, secret: true },
      },
    });
    ns = `splai-${proj.id}`;
  });

  after(async () => {
    await proj?.cleanup();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("signs every image, each platform image, the chart and SHA256SUMS; cosign verifies them with the public key", async () => {
    const started = Date.now();
    const up = await proj.stack.up(record);
    process.stderr.write(`signed release up: ${Math.round((Date.now() - started) / 1000)}s\n`);
    assert.equal(up.summary.result, "succeeded");
    out = up.outputs;
    const refs = out.imageRefs.value as Record<string, string>;
    assert.deepEqual(Object.keys(refs).sort(), IMAGES);
    let platformImages = 0;
    for (const image of IMAGES) {
      const ref = refs[image];
      const v = verify(ref, key1.pub);
      assert.ok(v.ok, `cosign verify ${ref}: ${v.out}`);
      assert.ok(v.out.includes(ref.split("@")[1]), "cosign names the verified digest");
      const index = await p.registry.getManifest(`${proj.id}/splai-${image}`, ref.split("@")[1]);
      for (const m of index?.json.manifests ?? []) {
        const pv = verify(`${host()}/${proj.id}/splai-${image}@${m.digest}`, key1.pub);
        assert.ok(pv.ok, `${image} platform image ${m.digest}: ${pv.out}`);
        platformImages++;
      }
    }
    assert.equal(platformImages, IMAGES.length * 2, "both platform images of every index are signed");
    const chartRef = `${String(out.chartRef.value)
      .replace(/^oci:\/\//, "")
      .replace(/:[^:/]+$/, "")}@${String(out.chartDigest.value)}`;
    const cv = verify(chartRef, key1.pub);
    assert.ok(cv.ok, `cosign verify ${chartRef}: ${cv.out}`);
    // The check means something: another key does not verify them.
    assert.equal(verify(refs.planner, key2.pub).ok, false, "a key that did not sign does not verify");

    // SHA256SUMS and its bundle, downloaded from the GitHub release as a user would.
    const tag = `v${(out.versions.value as { app: string }).app}`;
    const rel = await releaseBody(tag);
    notes.push(rel.body);
    const assets = (await (
      await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/${rel.id}/assets?per_page=100`)
    ).json()) as { name: string; browser_download_url: string }[];
    const download = async (name: string): Promise<string> => {
      const a = assets.find((x) => x.name === name);
      assert.ok(a, `asset ${name} among ${assets.map((x) => x.name).join(", ")}`);
      const file = join(work, name);
      writeFileSync(file, Buffer.from(await (await fetch(a.browser_download_url)).arrayBuffer()));
      return file;
    };
    const sums = await download("SHA256SUMS");
    const bundle = await download("SHA256SUMS.cosign.bundle");
    const bv = cosign(["verify-blob", "--key", key1.pub, "--insecure-ignore-tlog=true", "--bundle", bundle, sums]);
    assert.ok(bv.ok, `cosign verify-blob SHA256SUMS: ${bv.out}`);
    writeFileSync(join(work, "tampered"), `${readFileSync(sums, "utf8")}${"0".repeat(64)}  evil\n`);
    const tampered = cosign([
      "verify-blob",
      "--key",
      key1.pub,
      "--insecure-ignore-tlog=true",
      "--bundle",
      bundle,
      join(work, "tampered"),
    ]);
    assert.equal(tampered.ok, false, "a changed SHA256SUMS does not verify");

    // The notes say how: the public key and the exact commands for every image, the chart and SHA256SUMS.
    assert.match(rel.body, /### Verify signatures/);
    assert.ok(rel.body.includes(readFileSync(key1.pub, "utf8").trim()), "the notes print the public key");
    for (const ref of Object.values(refs))
      assert.ok(rel.body.includes(`cosign verify --key cosign.pub --insecure-ignore-tlog=true ${ref}`), ref);
    assert.ok(rel.body.includes(`cosign verify --key cosign.pub --insecure-ignore-tlog=true ${chartRef}`));
    assert.ok(
      rel.body.includes(
        "cosign verify-blob --key cosign.pub --insecure-ignore-tlog=true --bundle SHA256SUMS.cosign.bundle SHA256SUMS",
      ),
    );
    // The gate verified every pinned digest and the chart before Helm ran.
    const gate = out.signatureVerification.value as { name: string; ref: string }[];
    assert.deepEqual(gate.map((g) => g.name).sort(), [...IMAGES.map((i) => `image ${i}`), "chart splai"].sort());
  });

  it("an image re-pushed under its tag behind the program's back: the next up refuses to deploy, naming the digest", async () => {
    const revision = await deployedRevision(ns);
    const repo = `${proj.id}/splai-planner`;
    const tag = (out.versions.value as { imageTags: string[] }).imageTags[0];
    const original = await p.registry.getManifest(repo, tag);
    assert.ok(original);
    // Other content under the released tag: a one-platform image of nothing, unsigned.
    const config = Buffer.from(
      JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] }, config: {} }),
    );
    const configDigest = await p.registry.putBlob(repo, config);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length },
        layers: [],
      }),
    );
    const intruder = await p.registry.putManifest(repo, tag, {
      body: manifest,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    });
    assert.notEqual(intruder, original.digest);
    // A new value for the deployment: the Helm release would be upgraded, so the gate checks first.
    await proj.stack.setConfig("splai-release:helmValues", {
      value: JSON.stringify({
        ...LOCAL_HELM_VALUES,
        apiGateway: { ...(LOCAL_HELM_VALUES.apiGateway as object), replicaCount: 2 },
      }),
    });
    const err = await upFails(proj.stack, /signature verification refused/);
    assert.ok(err.includes(intruder), `the refusal names the re-pushed digest ${intruder}`);
    assert.match(err, /image planner: .*now holds .*not the released/);
    assert.match(err, /nothing was deployed/);
    assert.equal(await deployedRevision(ns), revision, "the Helm release is unchanged");

    // Put the released image back: the gate passes and the upgrade goes through.
    assert.equal(await p.registry.putManifest(repo, tag, original), original.digest);
    const up = await proj.stack.up(record);
    assert.equal(up.summary.result, "succeeded");
    assert.equal(await deployedRevision(ns), revision + 1);
  });

  it("rotation: a new key signs the next release, and verification accepts any listed key", async () => {
    await proj.stack.setAllConfig({
      "splai-release:signingKey": { value: key2.key, secret: true },
      "splai-release:signingPassword": { value: key2.password, secret: true },
    });
    await trust(proj.stack, [pem(key1), pem(key2)]);
    const up = await proj.stack.up(record);
    assert.equal(up.summary.result, "succeeded");
    out = up.outputs;
    const refs = out.imageRefs.value as Record<string, string>;
    for (const image of IMAGES) {
      assert.ok(verify(refs[image], key2.pub).ok, `${image} signed with the new key`);
      assert.ok(verify(refs[image], key1.pub).ok, `${image} still verifies with the old key`);
    }
    const rel = await releaseBody(`v${(out.versions.value as { app: string }).app}`);
    notes.push(rel.body);
    assert.ok(rel.body.includes(readFileSync(key2.pub, "utf8").trim()), "the notes print the new public key");
  });

  it("a trusted key that signed nothing: refused before the Helm release, every artifact named", async () => {
    const revision = await deployedRevision(ns);
    await trust(proj.stack, [strangerPem]);
    const err = await upFails(proj.stack, /signature verification refused 6 of 6 artifacts/);
    for (const ref of Object.values(out.imageRefs.value as Record<string, string>))
      assert.ok(err.includes(`${ref} has no valid signature by the trusted key sha256:`), ref);
    assert.match(err, /add that public key to splai-release:trustedKeys/);
    assert.equal(await deployedRevision(ns), revision, "the Helm release is unchanged");
    await trust(proj.stack, [pem(key1), pem(key2)]);
  });

  it("a promotion verifies dev's signatures first: a wrong key or a deleted signature pushes nothing; then it copies them", async () => {
    const prodOwner = `${proj.id}p`;
    proj.git("tag", "v0.5.0");
    const prod = await proj.addStack(`${proj.id}p`, {
      "splai-release:mode": { value: "tag" },
      "splai-release:promoteFrom": { value: `organization/splai-release/${proj.id}` },
      "splai-release:owner": { value: prodOwner },
      "splai-release:namespace": { value: `splai-${proj.id}p` },
      "splai-release:distDir": { value: join(proj.dir, "dist-prod", "release") },
      "splai-release:githubRelease": { value: "false" },
      // Dev signed without Rekor: prod verifies without it too.
      "splai-release:signingTlog": { value: "false" },
    });
    await trust(prod, [strangerPem]);
    const nothingPushed = async (): Promise<void> => {
      for (const image of IMAGES)
        assert.deepEqual(await p.registry.tags(`${prodOwner}/splai-${image}`), [], `${image}: nothing pushed`);
      assert.deepEqual(await p.registry.tags(`${prodOwner}/charts/splai`), [], "no chart pushed");
    };
    const devDigests = out.imageDigests.value as Record<string, string>;

    let err = await upFails(prod, /signature verification refused 5 of 5 artifacts; nothing was promoted or pushed/);
    assert.ok(err.includes(`/${proj.id}/splai-planner@${devDigests.planner} has no valid signature`));
    await nothingPushed();

    // The right keys now, but dev's planner signature is gone.
    await trust(prod, [pem(key1), pem(key2)]);
    const devRepo = `${proj.id}/splai-planner`;
    const sig = await p.registry.getManifest(devRepo, signatureTag(devDigests.planner));
    assert.ok(sig, "dev's planner index is signed");
    assert.equal(await p.registry.deleteManifest(devRepo, sig.digest), true);
    err = await upFails(prod, /signature verification refused 1 of 5 artifacts; nothing was promoted or pushed/);
    assert.match(err, new RegExp(`image planner: \\S+/${devRepo}@${devDigests.planner} has no valid signature`));
    await nothingPushed();

    // Signature back: the promotion goes through and prod's repositories carry dev's signatures with the digests.
    await p.registry.putManifest(devRepo, signatureTag(devDigests.planner), sig);
    const up = await prod.up(record);
    assert.equal(up.summary.result, "succeeded");
    assert.deepEqual(up.outputs.imageDigests.value, devDigests, "prod publishes dev's digests");
    for (const image of IMAGES) {
      const v = verify(`${host()}/${prodOwner}/splai-${image}@${devDigests[image]}`, key1.pub);
      assert.ok(v.ok, `prod's ${image} carries dev's signature: ${v.out}`);
    }
  });

  it("the private keys and their passwords appear nowhere: stack export, engine events, output, notes", () => {
    const stored = (st: string): string => {
      const ws = proj.stack.workspace;
      const r = spawnSync("pulumi", ["stack", "export", "--stack", st], {
        cwd: ws.workDir,
        env: { ...process.env, ...ws.envVars },
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const places: Record<string, string> = {
      "dev stack export": stored(proj.stack.name),
      "prod stack export": stored(`${proj.id}p`),
      "engine events and output": transcript.join("\n"),
      "release notes": notes.join("\n"),
    };
    assert.ok(transcript.length > 100, "the transcript holds the runs' output and events");
    assert.ok(notes.length >= 2);
    // The key's body (its base64 lines, without the PEM armour every key shares) and the password.
    const body = (k: KeyPair): string =>
      k.key
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("-----"))
        .join("");
    const secrets = {
      "first private key": body(key1),
      "first key's password": key1.password,
      "rotated private key": body(key2),
      "rotated key's password": key2.password,
    };
    for (const [where, text] of Object.entries(places)) {
      const flat = text.replace(/\\n|\n/g, "");
      for (const [what, value] of Object.entries(secrets)) {
        assert.ok(value.length > 16, what);
        assert.equal(flat.split(value).length - 1, 0, `${what} appears in ${where}`);
      }
    }
    assert.match(places["dev stack export"], /"ciphertext"/, "secrets are stored encrypted");
  });
});
