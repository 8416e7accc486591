// Build once, promote: checks what a dev stack exported before a tag release publishes its images and binaries.
import type { BuiltBinary } from "../binaries/contract";

/** One image as the dev stack exported it (`releaseImages`). */
export interface DevImage {
  readonly repository: string;
  readonly digest: string;
}

/** One binary as the dev stack exported it (`releaseBinaries.files`): a released binary's record. */
export type DevBinary = BuiltBinary;

/** The dev stack's outputs, as read through a StackReference (any of them may be missing). */
export interface DevStackOutputs {
  readonly versions?: { app?: unknown; commit?: unknown };
  readonly releaseImages?: unknown;
  readonly releaseBinaries?: unknown;
  readonly binaryChecksums?: unknown;
}

/** What this release is: the commit of its tag, its registry and the images it must ship. */
export interface PromotionTarget {
  /** Stack name as configured in `promoteFrom`. */
  readonly stack: string;
  readonly tag: string;
  readonly sha: string;
  readonly registry: string;
  /** Image short names the chart and the release expect (`api-gateway`, …). */
  readonly images: readonly string[];
}

/** A dev build that passed every check: the very images and binaries to publish. */
export interface PromotionSource {
  readonly stack: string;
  /** The dev build's app version (what the promoted binaries report as `main.version`). */
  readonly version: string;
  readonly sha: string;
  readonly images: Readonly<Record<string, DevImage>>;
  readonly binaries: readonly DevBinary[];
  /** The dev build's SHA256SUMS. */
  readonly checksums: string;
}

export class PromotionError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: string[],
  ) {
    super(
      `promotion from stack '${stackName}' was refused; nothing was changed:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
  }
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const SHA = /^[0-9a-f]{7,40}$/;

/** Two commit SHAs name the same commit when equal, or when one (at least 7 characters) abbreviates the other. */
export function sameCommit(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (!SHA.test(x) || !SHA.test(y)) return false;
  return x.length <= y.length ? y.startsWith(x) : x.startsWith(y);
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The registry host of `host[:port]/path`. */
const registryOf = (repository: string): string => repository.split("/")[0];

/**
 * Checks a dev stack's outputs against the release and returns what to publish, or throws a PromotionError listing every
 * problem: a build of another commit, no images (or one missing), images in another registry, no binaries or checksums.
 */
export function checkPromotion(dev: DevStackOutputs, target: PromotionTarget): PromotionSource {
  const problems: string[] = [];
  const rerun = `run 'pulumi up --stack ${target.stack}' at commit ${target.sha.slice(0, 12)} first`;
  const version = typeof dev.versions?.app === "string" ? dev.versions.app : undefined;
  const sha = typeof dev.versions?.commit === "string" ? dev.versions.commit : undefined;
  if (version === undefined || sha === undefined) {
    problems.push(
      `stack '${target.stack}' has no versions output (app version and commit); is it a splai-release stack that was updated? ${rerun}`,
    );
  } else if (!sameCommit(sha, target.sha)) {
    problems.push(
      `stack '${target.stack}' built commit ${sha} (version ${version}), but ${target.tag} is commit ${target.sha}; only the build of the release commit can be promoted — ${rerun}, or tag the commit it built`,
    );
  }

  const images: Record<string, DevImage> = {};
  if (!isRecord(dev.releaseImages) || Object.keys(dev.releaseImages).length === 0) {
    problems.push(
      `stack '${target.stack}' has no images output (releaseImages); ${rerun} with this version of splai-release`,
    );
  } else {
    for (const name of target.images) {
      const img = dev.releaseImages[name];
      if (
        !isRecord(img) ||
        typeof img.repository !== "string" ||
        typeof img.digest !== "string" ||
        !DIGEST.test(img.digest)
      ) {
        problems.push(
          `stack '${target.stack}' exported no image ${name} with a repository and a sha256 digest; ${rerun}`,
        );
        continue;
      }
      if (registryOf(img.repository) !== target.registry) {
        problems.push(
          `image ${name} of stack '${target.stack}' is in registry ${registryOf(img.repository)}, this release publishes to ${target.registry}; promotion copies within one registry — set splai-release:registry to the same registry on both stacks`,
        );
        continue;
      }
      images[name] = { repository: img.repository, digest: img.digest };
    }
  }

  const files =
    isRecord(dev.releaseBinaries) && Array.isArray(dev.releaseBinaries.files)
      ? (dev.releaseBinaries.files as unknown[])
      : undefined;
  const binaries: DevBinary[] = [];
  if (files === undefined || files.length === 0) {
    problems.push(
      `stack '${target.stack}' has no binaries output (releaseBinaries); ${rerun} with this version of splai-release`,
    );
  } else {
    for (const f of files) {
      const b = isRecord(f) ? f : {};
      const fields = ["name", "binary", "goos", "goarch", "path", "sha256"] as const;
      if (
        fields.some((k) => typeof b[k] !== "string") ||
        !/^[0-9a-f]{64}$/.test(String(b.sha256)) ||
        /[/\\]/.test(String(b.name))
      ) {
        problems.push(`stack '${target.stack}' exported a malformed binary ${JSON.stringify(f)}; ${rerun}`);
        continue;
      }
      binaries.push(Object.fromEntries(fields.map((k) => [k, String(b[k])])) as unknown as DevBinary);
    }
  }
  const checksums =
    typeof dev.binaryChecksums === "string" && dev.binaryChecksums.trim() !== "" ? dev.binaryChecksums : undefined;
  if (checksums === undefined)
    problems.push(`stack '${target.stack}' has no binaryChecksums output (its SHA256SUMS); ${rerun}`);
  else {
    // The files released must be exactly the ones the dev build summed.
    const sums = parseChecksums(checksums);
    for (const b of binaries) {
      if (sums.get(b.name) !== b.sha256)
        problems.push(
          `binary ${b.name} of stack '${target.stack}' has sha256 ${b.sha256}, its SHA256SUMS says ${sums.get(b.name) ?? "nothing"}; ${rerun}`,
        );
    }
  }

  if (problems.length) throw new PromotionError(target.stack, problems);
  return Object.freeze({
    stack: target.stack,
    version: version!,
    sha: sha!,
    images: Object.freeze(images),
    binaries: Object.freeze(binaries.sort((a, b) => a.name.localeCompare(b.name))),
    checksums: checksums!,
  });
}

/** `sha256sum` output as file → checksum. */
export function parseChecksums(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line.trim());
    if (m) out.set(m[2], m[1]);
  }
  return out;
}
