// Step: copies a promoted image's SBOM and provenance referrers from dev's repository to the release repository, run by PromotedImages.
// The released digests are dev's, so dev's attestations describe them exactly; they are copied byte for byte.
import { copyAttestations } from "./attest";
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { COPY_ATTESTATIONS } from "./contract";

export default defineStep(COPY_ATTESTATIONS, async (env) => {
  const { REGISTRY: registry, REPOSITORY: repository, DIGEST: digest, SOURCE: source } = env;
  const slash = source.indexOf("/");
  if (slash < 0) throw new Error(`SOURCE ${source} is not <registry>/<repository>`);
  const [sourceHost, sourceRepo] = [source.slice(0, slash), source.slice(slash + 1)];
  const creds = { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD };
  const target = new OciClient(registry, creds);
  // Another registry is read anonymously: the release's credentials are never sent to a host they were not given for.
  const from = sourceHost === registry ? target : new OciClient(sourceHost);
  const attestations = await copyAttestations(from, sourceRepo, target, repository, digest);
  if (attestations.length === 0 && env.REQUIRE_ATTESTATIONS) {
    throw new Error(
      `${source}@${digest} has no SBOM or provenance referrers to promote; build the dev stack with splai-release:attestations on, or set attestations auto/false on this stack`,
    );
  }
  for (const a of attestations)
    process.stderr.write(`${a.platform}: attestation ${a.attestation} copied to ${repository}\n`);
  return { attestations };
});
