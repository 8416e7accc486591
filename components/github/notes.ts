// Release notes in Markdown: the changelog, every image by digest, exact helm install/upgrade commands, checksums.
import { userVerifyBlob, userVerifyImage, type TrustPolicy } from "../signing/cosign";

export interface NotesInput {
  readonly version: string;
  readonly mode: "tag" | "branch";
  readonly sha: string;
  readonly images: readonly {
    name: string;
    repository: string;
    tags: readonly string[];
    digest: string;
    /** BuildKit's SBOM and provenance, one referrer per platform image. */
    attestations?: readonly {
      platform: string;
      manifest: string;
      attestation: string;
      sbom?: string;
      provenance?: string;
    }[];
  }[];
  readonly chart: { ref: string; version: string; digest: string; alias: string };
  readonly namespace: string;
  /** Helm release name; default `splai`. */
  readonly release?: string;
  readonly valuesKeys: Readonly<Record<string, string>>;
  /** The changelog in Markdown (config/changelog.ts): commits since the previous release, breaking changes first. */
  readonly changelog: string;
  /** SHA256SUMS contents: every binary, archive and package. */
  readonly checksums: string;
  /** The Homebrew tap (`owner/name`) whose formula this release updates, when it does. */
  readonly tap?: string;
  /** How the release was signed, when it was: what a user verifies each artifact with. */
  readonly signing?: NotesSigning;
  /** Set when the images and binaries were promoted from another stack's build instead of built for this release. */
  readonly promotedFrom?: { readonly stack: string; readonly version: string; readonly sha: string };
}

export interface NotesSigning {
  readonly mode: "key" | "keyless";
  /** Key mode: the public key that signed (printed in the notes, saved by the user as cosign.pub). */
  readonly publicKey?: string;
  /** Key mode: whether the signatures are in Rekor. */
  readonly tlog: boolean;
  readonly identity?: string;
  readonly issuer?: string;
  /** File name of SHA256SUMS' bundle among the assets. */
  readonly bundle: string;
}

/** The "Verify signatures" section: the key, and the exact cosign commands for every image, the chart and SHA256SUMS. */
export function signatureSection(n: Pick<NotesInput, "images" | "chart" | "signing">): string[] {
  const sg = n.signing;
  if (sg === undefined) return [];
  const trust: TrustPolicy = {
    mode: sg.mode,
    keys: sg.publicKey ? [sg.publicKey] : [],
    tlog: sg.tlog,
    identity: sg.identity,
    issuer: sg.issuer,
  };
  const out = ["### Verify signatures", ""];
  if (sg.mode === "key") {
    out.push(
      "Every image (its index and each platform image), the chart and `SHA256SUMS` are signed with cosign. Save this",
      "public key as `cosign.pub`:",
      "",
      "```text",
      (sg.publicKey ?? "").trim(),
      "```",
      "",
    );
    if (!sg.tlog) out.push("The signatures are not in a transparency log, hence `--insecure-ignore-tlog=true`.", "");
  } else {
    out.push(
      "Every image (its index and each platform image), the chart and `SHA256SUMS` are signed keyless with cosign:",
      `the certificate names the release workflow (matching \`${sg.identity ?? ""}\`, issuer \`${sg.issuer ?? ""}\`) and`,
      "the signatures are in Sigstore's Rekor log.",
      "",
    );
  }
  const chartRef = `${n.chart.ref.replace(/^oci:\/\//, "")}@${n.chart.digest}`;
  out.push("```bash");
  for (const i of [...n.images].sort((a, b) => a.name.localeCompare(b.name)))
    out.push(userVerifyImage(`${i.repository}@${i.digest}`, trust));
  out.push(userVerifyImage(chartRef, trust));
  out.push(userVerifyBlob("SHA256SUMS", sg.bundle, trust));
  out.push("```", "");
  return out;
}

export function helmSetFlags(input: Pick<NotesInput, "images" | "valuesKeys">): string[] {
  const flags: string[] = [];
  for (const [image, key] of Object.entries(input.valuesKeys)) {
    const img = input.images.find((i) => i.name === `splai-${image}`);
    if (!img) continue;
    flags.push(
      `--set ${key}.image.repository=${img.repository}`,
      `--set ${key}.image.tag=${img.tags[0]}@${img.digest}`,
    );
  }
  return flags;
}

export function helmCommand(
  verb: "install" | "upgrade",
  input: Pick<NotesInput, "chart" | "namespace" | "images" | "valuesKeys" | "release">,
): string {
  const lines = [
    `helm ${verb} ${input.release ?? "splai"} ${input.chart.ref}`,
    `--version ${input.chart.version}`,
    `--namespace ${input.namespace}`,
  ];
  if (verb === "install") lines.push("--create-namespace");
  lines.push(...helmSetFlags(input));
  return lines.join(" \\\n  ");
}

/** `brew install` of splaictl from a tap: `owner/homebrew-x` is tapped as `owner/x`; any other name by its URL. */
function brewCommand(tap: string): string {
  const [owner, name] = tap.split("/");
  if (name.startsWith("homebrew-")) return `brew install ${owner}/${name.slice("homebrew-".length)}/splaictl`;
  return `brew tap ${tap} https://github.com/${tap} && brew install ${tap}/splaictl`;
}

/** How a user installs each kind of download this release has (from the file names in its checksums). */
export function installCommands(n: Pick<NotesInput, "checksums" | "tap">): string[] {
  const files = n.checksums
    .split("\n")
    .map((l) => l.trim().split(/\s+\*?/)[1])
    .filter((f): f is string => f !== undefined);
  const find = (re: RegExp): string | undefined => files.find((f) => re.test(f));
  const lines: string[] = [];
  if (n.tap !== undefined) lines.push(`${brewCommand(n.tap)}   # macOS, Linux`);
  const deb = find(/^splaictl_.*_amd64\.deb$/);
  if (deb) lines.push(`sudo apt install ./${deb}   # Debian, Ubuntu (arm64: …_arm64.deb)`);
  const rpm = find(/^splaictl-.*\.x86_64\.rpm$/);
  if (rpm) lines.push(`sudo dnf install ./${rpm}   # Fedora, RHEL (arm64: ….aarch64.rpm)`);
  const apk = find(/^splaictl_.*_x86_64\.apk$/);
  if (apk) lines.push(`sudo apk add --allow-untrusted ./${apk}   # Alpine (arm64: …_aarch64.apk)`);
  const worker = find(/^splai-worker_.*_amd64\.deb$/);
  if (worker)
    lines.push(`sudo apt install ./${worker} && sudo systemctl enable --now splai-worker   # the worker agent`);
  const archive = find(/^splai_.*_linux_amd64\.tar\.gz$/);
  if (archive) lines.push(`tar -xzf ${archive}   # every binary; archives for each OS and architecture`);
  if (lines.length > 0) lines.push("sha256sum --check --ignore-missing SHA256SUMS   # check what you downloaded");
  return lines;
}

export function releaseNotes(n: NotesInput): string {
  const out: string[] = [];
  out.push(`## SPLAI ${n.version}`, "");
  out.push(n.mode === "tag" ? `Release of commit \`${n.sha}\`.` : `Prerelease build of commit \`${n.sha}\`.`, "");
  if (n.promotedFrom) {
    const p = n.promotedFrom;
    out.push(
      `Promoted from \`${p.stack}\` build \`${p.version}\` (commit \`${p.sha}\`): the images (same digests) and binaries (same checksums) tested there, not rebuilt. The binaries report version \`${p.version}\`, stamped when they were built.`,
      "",
    );
  }
  if (n.changelog.trim() !== "") out.push(n.changelog.trim(), "");
  const install = installCommands(n);
  if (install.length > 0) out.push("### Install", "", "```bash", ...install, "```", "");
  out.push("### Container images", "", "| Image | Tags | Digest reference |", "|---|---|---|");
  for (const i of [...n.images].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push(`| \`${i.name}\` | ${i.tags.map((t) => `\`${t}\``).join(", ")} | \`${i.repository}@${i.digest}\` |`);
  }
  const attested = n.images
    .filter((i) => (i.attestations ?? []).length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (attested.length > 0) {
    out.push("", "### SBOMs and provenance", "");
    out.push(
      "BuildKit's SPDX SBOM and SLSA provenance (`mode=max`) of each platform image, attached as an OCI referrer of it",
      "(list them with `oras discover <image>@<platform digest>`):",
      "",
      "| Image | Platform | Platform image | Attestation | SBOM blob |",
      "|---|---|---|---|---|",
    );
    for (const i of attested) {
      for (const a of i.attestations ?? []) {
        out.push(
          `| \`${i.name}\` | ${a.platform} | \`${a.manifest}\` | \`${i.repository}@${a.attestation}\` | \`${a.sbom ?? "none"}\` |`,
        );
      }
    }
  }
  out.push(
    "",
    "### Helm chart",
    "",
    `\`${n.chart.ref}\` version \`${n.chart.version}\` (digest \`${n.chart.digest}\`, alias \`${n.chart.alias}\`)`,
    "",
  );
  out.push(
    "Install:",
    "",
    "```bash",
    helmCommand("install", n),
    "```",
    "",
    "Upgrade:",
    "",
    "```bash",
    helmCommand("upgrade", n),
    "```",
    "",
  );
  out.push("### Checksums (SHA-256)", "", "| File | SHA-256 |", "|---|---|");
  for (const line of n.checksums.split("\n").filter((l) => l.trim() !== "")) {
    const [sum, file] = line.split(/\s+\*?/);
    out.push(`| \`${file}\` | \`${sum}\` |`);
  }
  out.push("", "Verify downloads with `sha256sum --check SHA256SUMS`.", "");
  out.push(...signatureSection(n));
  return out.join("\n");
}
