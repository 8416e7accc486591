// Step: lints, packages and pushes the SPLAI chart to an OCI registry, moves the `latest` alias, and refuses to overwrite a
// released version. Run by ChartPublish; settings arrive in the environment so credentials never appear in argv or logs.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as semver from "semver";
import { OciClient } from "../../shared/oci";
import { defineStep } from "../../shared/step/run";
import { PUBLISH_CHART } from "./contract";

/** Runs helm; returns stdout and stderr together (helm prints push digests on either, depending on version). */
function helm(args: string[], input?: string): string {
  const r = spawnSync("helm", args, { encoding: "utf8", input, timeout: 300_000 });
  if (r.error) throw new Error(`cannot run helm: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`helm ${args[0]} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
  return `${r.stdout}${r.stderr}`;
}

/** Files of a chart archive with their contents, timestamps ignored: two packages of the same chart compare equal. */
function archiveContents(tgz: string): string {
  const dir = mkdtempSync(join(tmpdir(), "chart-x-"));
  execFileSync("tar", ["-xzf", tgz, "-C", dir]);
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (name.isDirectory()) walk(join(d, name.name), `${rel}${name.name}/`);
      else out.push(`${rel}${name.name}\n${readFileSync(join(d, name.name), "utf8")}`);
    }
  };
  walk(dir, "");
  rmSync(dir, { recursive: true, force: true });
  return out.join("\0");
}

export default defineStep(PUBLISH_CHART, async (env) => {
  const {
    CHART_PATH: chartPath,
    CHART_VERSION: version,
    APP_VERSION: appVersion,
    REGISTRY: registry,
    CHART_ALIAS: alias,
  } = env;
  const [repoPath, immutable] = [env.CHART_REPOSITORY, env.IMMUTABLE];
  const creds = { username: env.REGISTRY_USERNAME, password: env.REGISTRY_PASSWORD };

  const work = mkdtempSync(join(tmpdir(), "splai-chart-"));
  try {
    const chartCopy = join(work, "chart");
    cpSync(chartPath, chartCopy, { recursive: true });
    process.stderr.write(`helm lint ${chartPath}\n`);
    helm(["lint", chartCopy, "--quiet"]);
    const pkgDir = join(work, "pkg");
    helm(["package", chartCopy, "--version", version, "--app-version", appVersion, "--destination", pkgDir]);
    const tgz = join(
      pkgDir,
      readdirSync(pkgDir).find((f) => f.endsWith(".tgz"))!,
    );
    const name = (readdirSync(pkgDir)[0] ?? "").replace(`-${version}.tgz`, "");
    const repository = `${repoPath}/${name}`;
    const client = new OciClient(registry, creds);

    const existing = await client.getManifest(repository, version);
    let digest: string;
    if (existing) {
      const layer = existing.json.layers?.find((l) => l.mediaType.includes("helm.chart.content"));
      const remoteTgz = join(work, "remote.tgz");
      writeFileSync(remoteTgz, layer ? await client.getBlob(repository, layer.digest) : Buffer.alloc(0));
      const same = layer !== undefined && archiveContents(remoteTgz) === archiveContents(tgz);
      if (same) {
        process.stderr.write(
          `${repository}:${version} already holds this chart (${existing.digest}); not pushing again\n`,
        );
        digest = existing.digest;
      } else if (immutable) {
        throw new Error(
          `chart ${registry}/${repository}:${version} is already released with different content (digest ${existing.digest}); released versions are immutable — release a new version instead`,
        );
      } else {
        process.stderr.write(`${repository}:${version} exists with other content; replacing this prerelease\n`);
        digest = push(work, registry, creds, tgz, repoPath);
      }
    } else {
      digest = push(work, registry, creds, tgz, repoPath);
    }

    // A tag release never moves the alias backwards: rolling back to an older version leaves `latest` on the newest one.
    const aliasVersion = await chartVersionAt(client, repository, alias);
    if (immutable && aliasVersion !== undefined && semver.valid(aliasVersion) && semver.gt(aliasVersion, version)) {
      process.stderr.write(
        `pushed oci://${registry}/${repository}:${version} (${digest}); ${alias} stays on the newer ${aliasVersion}\n`,
      );
      return { ref: `oci://${registry}/${repository}`, name, version, digest, alias };
    }
    // The alias is a second tag on the very same manifest, so it always resolves to the digest just published.
    const manifest = await client.getManifest(repository, digest);
    if (!manifest) throw new Error(`pushed chart ${repository}@${digest} is not in the registry`);
    await client.putManifest(repository, alias, manifest);
    const aliased = await client.getManifest(repository, alias);
    if (aliased?.digest !== digest)
      throw new Error(`alias ${repository}:${alias} resolves to ${aliased?.digest ?? "nothing"}, expected ${digest}`);
    process.stderr.write(`pushed oci://${registry}/${repository}:${version} (${digest}); ${alias} → ${digest}\n`);
    return { ref: `oci://${registry}/${repository}`, name, version, digest, alias };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

/** The chart version an existing tag points at, from the chart's OCI config blob (Chart.yaml as JSON). */
async function chartVersionAt(client: OciClient, repository: string, tag: string): Promise<string | undefined> {
  const m = await client.getManifest(repository, tag);
  if (!m?.json.config) return undefined;
  return (JSON.parse((await client.getBlob(repository, m.json.config.digest)).toString("utf8")) as { version?: string })
    .version;
}

function push(
  work: string,
  registry: string,
  creds: { username: string; password: string },
  tgz: string,
  repoPath: string,
): string {
  const registryConfig = join(work, "registry.json");
  helm(
    [
      "registry",
      "login",
      registry,
      "--username",
      creds.username,
      "--password-stdin",
      "--registry-config",
      registryConfig,
    ],
    creds.password,
  );
  const out = helm(["push", tgz, `oci://${registry}/${repoPath}`, "--registry-config", registryConfig]);
  const m = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(out);
  if (!m) throw new Error(`helm push printed no digest:\n${out}`);
  return m[1];
}
