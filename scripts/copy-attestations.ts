// Copies a promoted image's SBOM and provenance referrers from dev's repository to the release repository, run by PromotedImages.
// The released digests are dev's, so dev's attestations describe them exactly; they are copied byte for byte.
import { copyAttestations } from "../lib/attest";
import { OciClient } from "../lib/oci";
import { optionalEnv, requireEnv, runScript } from "./lib/script";

async function main(): Promise<void> {
  const registry = requireEnv("REGISTRY");
  const repository = requireEnv("REPOSITORY");
  const digest = requireEnv("DIGEST");
  // SOURCE is dev's repository with its registry host (`host[:port]/owner/splai-planner`).
  const source = requireEnv("SOURCE");
  const slash = source.indexOf("/");
  if (slash < 0) throw new Error(`SOURCE ${source} is not <registry>/<repository>`);
  const [sourceHost, sourceRepo] = [source.slice(0, slash), source.slice(slash + 1)];
  const creds = { username: requireEnv("REGISTRY_USERNAME"), password: requireEnv("REGISTRY_PASSWORD") };
  const target = new OciClient(registry, creds);
  // Another registry is read anonymously: the release's credentials are never sent to a host they were not given for.
  const from = sourceHost === registry ? target : new OciClient(sourceHost);
  const attestations = await copyAttestations(from, sourceRepo, target, repository, digest);
  if (attestations.length === 0 && optionalEnv("REQUIRE_ATTESTATIONS") === "true") {
    throw new Error(
      `${source}@${digest} has no SBOM or provenance referrers to promote; build the dev stack with splai-release:attestations on, or set attestations auto/false on this stack`,
    );
  }
  for (const a of attestations) process.stderr.write(`${a.platform}: attestation ${a.attestation} copied to ${repository}\n`);
  process.stdout.write(`${JSON.stringify({ attestations })}\n`);
}

runScript(main);
