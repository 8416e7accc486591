// Refuses to push an image tag that is already released with other content; run by ServiceImages before a tag release builds.
// The released image carries the hash of its build context in a label, so equal content may be pushed again and anything else is refused.
import { OciClient } from "../lib/oci";
import { CONTEXT_LABEL } from "../lib/dockerfile";
import { requireEnv, runScript } from "./lib/script";

async function main(): Promise<void> {
  const [registry, repository, tag, contextHash] = [requireEnv("REGISTRY"), requireEnv("REPOSITORY"), requireEnv("TAG"), requireEnv("CONTEXT_HASH")];
  const client = new OciClient(registry, { username: requireEnv("REGISTRY_USERNAME"), password: requireEnv("REGISTRY_PASSWORD") });
  const index = await client.getManifest(repository, tag);
  if (!index) {
    process.stdout.write(`${JSON.stringify({ tag, existing: null })}\n`);
    return;
  }
  const first = (index.json.manifests ?? []).find((m) => m.platform?.os === "linux");
  const manifest = first ? await client.getManifest(repository, first.digest) : index;
  const config = manifest?.json.config
    ? (JSON.parse((await client.getBlob(repository, manifest.json.config.digest)).toString("utf8")) as { config?: { Labels?: Record<string, string> } })
    : {};
  const released = config.config?.Labels?.[CONTEXT_LABEL];
  if (released !== contextHash) {
    throw new Error(
      `${registry}/${repository}:${tag} is already released (digest ${index.digest}) from other content; released tags are immutable, so nothing was pushed — release a new version instead`,
    );
  }
  // Builds are reproducible (timestamps rewritten to SOURCE_DATE_EPOCH), so the same content pushes the same digest.
  process.stderr.write(`${repository}:${tag} exists with the same content; the rebuild yields the same digest\n`);
  process.stdout.write(`${JSON.stringify({ tag, existing: index.digest })}\n`);
}

runScript(main);
