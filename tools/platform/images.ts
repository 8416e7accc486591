// Images the platform itself needs (the real node's pause image, the SBOM generator), built here from local files and pushed to its registry.
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../lib/exec";
import { toolBinDir } from "../lib/paths";
import type { PlatformState } from "./state";

export interface LocalImage {
  /** Build directory: the files the Dockerfile copies. */
  readonly work: string;
  readonly dockerfile: string;
  /** Full reference in the platform registry. */
  readonly ref: string;
  readonly platform: string;
}

/** Builds `image` with the platform's BuildKit and pushes it to the platform registry (credentials in a private DOCKER_CONFIG). */
export async function pushLocalImage(s: PlatformState, image: LocalImage): Promise<void> {
  mkdirSync(image.work, { recursive: true });
  writeFileSync(join(image.work, "Dockerfile"), image.dockerfile);
  const auth = Buffer.from(`${s.registry.username}:${s.registry.password}`).toString("base64");
  writeFileSync(join(image.work, "config.json"), JSON.stringify({ auths: { [s.registry.address]: { auth } } }), {
    mode: 0o600,
  });
  await run(
    join(toolBinDir, "buildctl"),
    [
      "--addr",
      `unix://${s.buildkit.socket}`,
      "build",
      "--frontend",
      "dockerfile.v0",
      "--local",
      `context=${image.work}`,
      "--local",
      `dockerfile=${image.work}`,
      "--opt",
      `platform=${image.platform}`,
      "--output",
      `type=image,name=${image.ref},push=true`,
    ],
    { env: { ...process.env, DOCKER_CONFIG: image.work }, timeoutMs: 300_000 },
  );
}

/** The host's platform in OCI terms: BuildKit runs SBOM generators on its native platform. */
export const hostPlatform = (): string => `linux/${process.arch === "x64" ? "amd64" : process.arch}`;

/** Pushes the toolchain's splai-sbom-scanner as the BuildKit SBOM generator image `ref`. */
export async function pushSbomScanner(s: PlatformState, ref: string): Promise<void> {
  const work = join(s.dir, "images", "sbom-scanner");
  mkdirSync(work, { recursive: true });
  copyFileSync(join(toolBinDir, "splai-sbom-scanner"), join(work, "splai-sbom-scanner"));
  await pushLocalImage(s, {
    work,
    ref,
    platform: hostPlatform(),
    // BuildKit mounts the image to scan read-only and a tmpfs on /tmp; syft keeps its caches under $HOME.
    dockerfile:
      'FROM scratch\nCOPY --chmod=0755 splai-sbom-scanner /splai-sbom-scanner\nENV HOME=/tmp\nENTRYPOINT ["/splai-sbom-scanner"]\n',
  });
}
