// The Homebrew formula of splaictl: the archive of each platform Homebrew runs on, by URL and sha256.

export interface FormulaArchive {
  readonly goos: string;
  readonly goarch: string;
  /** Where users download it: the release asset's URL. */
  readonly url: string;
  readonly sha256: string;
}

export interface FormulaInput {
  readonly version: string;
  readonly homepage: string;
  readonly license: string;
  readonly description: string;
  readonly archives: readonly FormulaArchive[];
}

const q = (s: string): string => JSON.stringify(s);

function block(archive: FormulaArchive | undefined, indent: string): string[] {
  if (archive === undefined) return [];
  return [`${indent}url ${q(archive.url)}`, `${indent}sha256 ${q(archive.sha256)}`];
}

/** Formula/splaictl.rb for darwin/arm64, linux/amd64 and linux/arm64 (the targets missing from `archives` are left out). */
export function splaictlFormula(f: FormulaInput): string {
  const find = (goos: string, goarch: string): FormulaArchive | undefined =>
    f.archives.find((a) => a.goos === goos && a.goarch === goarch);
  const mac = find("darwin", "arm64");
  const [linuxIntel, linuxArm] = [find("linux", "amd64"), find("linux", "arm64")];
  if (mac === undefined && linuxIntel === undefined && linuxArm === undefined)
    throw new Error("no archive for darwin/arm64, linux/amd64 or linux/arm64: nothing for Homebrew to install");
  const lines = [
    "# typed: false",
    "# frozen_string_literal: true",
    `# Written by splai-release for SPLAI ${f.version}; a release replaces it, so do not edit it by hand.`,
    "class Splaictl < Formula",
    `  desc ${q(f.description)}`,
    `  homepage ${q(f.homepage)}`,
    `  version ${q(f.version)}`,
    `  license ${q(f.license)}`,
    "",
    ...(mac ? ["  on_macos do", "    on_arm do", ...block(mac, "      "), "    end", "  end", ""] : []),
    ...(linuxIntel || linuxArm
      ? [
          "  on_linux do",
          ...(linuxIntel ? ["    on_intel do", ...block(linuxIntel, "      "), "    end"] : []),
          ...(linuxArm ? ["    on_arm do", ...block(linuxArm, "      "), "    end"] : []),
          "  end",
          "",
        ]
      : []),
    "  def install",
    '    bin.install "splaictl"',
    "  end",
    "",
    "  test do",
    '    assert_predicate bin/"splaictl", :executable?',
    "  end",
    "end",
    "",
  ];
  return lines.join("\n");
}
