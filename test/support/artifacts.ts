// Inspects released artifacts: binary headers, image indexes and configs, files inside image layers.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OciClient } from "../../shared/oci";

export interface BinaryKind {
  readonly os: "linux" | "darwin";
  readonly arch: "amd64" | "arm64";
}

/** Reads the OS and CPU from an ELF or Mach-O header. */
export function binaryKind(file: string): BinaryKind {
  const b = readFileSync(file).subarray(0, 64);
  if (b.readUInt32BE(0) === 0x7f454c46) {
    const machine = b.readUInt16LE(18);
    const arch = machine === 0x3e ? "amd64" : machine === 0xb7 ? "arm64" : undefined;
    if (!arch) throw new Error(`${file}: ELF machine 0x${machine.toString(16)}`);
    return { os: "linux", arch };
  }
  if (b.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = b.readUInt32LE(4);
    const arch = cpu === 0x01000007 ? "amd64" : cpu === 0x0100000c ? "arm64" : undefined;
    if (!arch) throw new Error(`${file}: Mach-O cputype 0x${cpu.toString(16)}`);
    return { os: "darwin", arch };
  }
  throw new Error(`${file}: neither ELF nor 64-bit Mach-O`);
}

export interface PlatformImage {
  readonly arch: string;
  readonly digest: string;
  readonly config: {
    architecture: string;
    os: string;
    config?: { Entrypoint?: string[]; User?: string; Labels?: Record<string, string> };
  };
  readonly layers: string[];
}

/** The linux platform manifests of an image index, with their configs. */
export async function platformImages(
  client: OciClient,
  repository: string,
  reference: string,
): Promise<PlatformImage[]> {
  const index = await client.getManifest(repository, reference);
  if (!index) throw new Error(`${repository}:${reference} not found`);
  const out: PlatformImage[] = [];
  for (const m of index.json.manifests ?? []) {
    if (m.platform?.os !== "linux") continue; // attestation manifests carry os "unknown"
    const manifest = await client.getManifest(repository, m.digest);
    const config = JSON.parse(
      (await client.getBlob(repository, manifest!.json.config!.digest)).toString("utf8"),
    ) as PlatformImage["config"];
    out.push({
      arch: m.platform.architecture,
      digest: m.digest,
      config,
      layers: (manifest!.json.layers ?? []).map((l) => l.digest),
    });
  }
  return out.sort((a, b) => a.arch.localeCompare(b.arch));
}

/** Extracts `path` (inside the image filesystem) from the layers of one platform image; returns the local file. */
export async function extractFromImage(
  client: OciClient,
  repository: string,
  image: PlatformImage,
  path: string,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "layer-"));
  for (const digest of image.layers) {
    const tarFile = join(dir, "layer.tgz");
    writeFileSync(tarFile, await client.getBlob(repository, digest));
    const list = execFileSync("tar", ["-tzf", tarFile], { encoding: "utf8" }).split("\n");
    const entry = list.find((e) => e.replace(/^\.?\//, "") === path.replace(/^\//, ""));
    if (entry) {
      execFileSync("tar", ["-xzf", tarFile, "-C", dir, entry]);
      return join(dir, entry);
    }
  }
  throw new Error(`${path} is in no layer of ${repository}@${image.digest}`);
}
