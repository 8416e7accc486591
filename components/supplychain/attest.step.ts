// Step: attaches BuildKit's SBOM (SPDX) and SLSA provenance attestations to a pushed multi-platform image, run by ImageAttestations.
// @pulumi/docker-build cannot ask BuildKit for attestations (it switches them off), so BuildKit builds the same image
// again from its cache with `attest:sbom` and `attest:provenance` into a local OCI layout. The rebuilt platform images
// must equal the pushed ones digest for digest; the attestation manifests are then pushed as OCI referrers of them.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import {
  attestationRecord,
  OciLayout,
  planAttestations,
  referrerManifest,
  type AttestationRecord,
  type ImageManifestJson,
} from "./attest";
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { ATTEST_IMAGE } from "./contract";

export default defineStep(ATTEST_IMAGE, async (env) => {
  const { REGISTRY: registry, REPOSITORY: repository, DIGEST: digest } = env;
  const image = `${registry}/${repository}@${digest}`;
  const [username, password] = [env.REGISTRY_USERNAME, env.REGISTRY_PASSWORD];
  const client = new OciClient(registry, { username, password });
  const pushed = await client.getManifest(repository, digest);
  if (!pushed?.json.manifests) throw new Error(`${image} is not an image index in the registry; nothing to attest`);

  const work = mkdtempSync(join(tmpdir(), "splai-attest-"));
  try {
    // Credentials for pulling the generator image from a private registry; the file never leaves this directory.
    const auth = Buffer.from(`${username}:${password}`).toString("base64");
    writeFileSync(join(work, "config.json"), JSON.stringify({ auths: { [registry]: { auth } } }), { mode: 0o600 });
    let dockerfileDir = join(work, "dockerfile");
    let filename = "Dockerfile";
    const inline = env.DOCKERFILE_INLINE;
    if (inline !== undefined) {
      mkdirSync(dockerfileDir);
      writeFileSync(join(dockerfileDir, filename), inline);
    } else {
      const path = env.DOCKERFILE_PATH;
      if (path === undefined) throw new Error("set one of DOCKERFILE_INLINE and DOCKERFILE_PATH");
      dockerfileDir = dirname(path);
      filename = basename(path);
    }
    const labels = JSON.parse(env.LABELS) as Record<string, string>;
    const tar = join(work, "image.tar");
    const args = [
      "--addr",
      env.BUILDKIT_ADDR,
      "build",
      "--progress",
      "plain",
      "--frontend",
      "dockerfile.v0",
      "--local",
      `context=${env.CONTEXT_DIR}`,
      "--local",
      `dockerfile=${dockerfileDir}`,
      "--opt",
      `filename=${filename}`,
      "--opt",
      `platform=${env.PLATFORMS}`,
      "--opt",
      `build-arg:SOURCE_DATE_EPOCH=${env.SOURCE_DATE_EPOCH}`,
      ...Object.entries(labels).flatMap(([k, v]) => ["--opt", `label:${k}=${v}`]),
      "--opt",
      `attest:sbom=generator=${env.SBOM_GENERATOR}`,
      "--opt",
      `attest:provenance=${env.PROVENANCE}`,
      "--output",
      `type=oci,dest=${tar},rewrite-timestamp=true`,
    ];
    try {
      execFileSync("buildctl", args, {
        env: { ...process.env, DOCKER_CONFIG: work },
        stdio: ["ignore", "pipe", "pipe"],
        maxBuffer: 64 << 20,
      });
    } catch (err) {
      const e = err as { stderr?: Buffer; message: string };
      const tail = (e.stderr?.toString() ?? e.message).trim().split("\n").slice(-15).join("\n");
      const generator = env.SBOM_GENERATOR;
      const hint = tail.includes(generator.split(":")[0].replace(/^docker\//, ""))
        ? `\nBuildKit could not run the SBOM generator ${generator}; set splai-release:sbomGenerator to an image the builder can pull (the local platform provides SPLAI_SBOM_GENERATOR), or splai-release:attestations false`
        : "";
      throw new Error(`BuildKit's attested build of ${image} failed:\n${tail}${hint}`);
    }
    const layoutDir = join(work, "layout");
    mkdirSync(layoutDir);
    execFileSync("tar", ["-xf", tar, "-C", layoutDir]);
    const layout = new OciLayout(layoutDir);
    const plan = planAttestations(pushed.json.manifests, layout.imageIndex().manifests, `${registry}/${repository}`);

    const records: AttestationRecord[] = [];
    for (const p of plan) {
      const att = layout.json<ImageManifestJson>(p.attestation.digest);
      for (const d of [att.config, ...att.layers]) await client.putBlob(repository, layout.blob(d.digest));
      const body = referrerManifest(att, p.subject);
      const pushedDigest = await client.putReferrer(repository, body, att.mediaType);
      records.push(attestationRecord(p.platform, p.subject.digest, pushedDigest, att));
      process.stderr.write(`${p.platform}: attestation ${pushedDigest} -> ${p.subject.digest}\n`);
    }
    return { attestations: records };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
