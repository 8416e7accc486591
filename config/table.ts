// The one table of splai-release's configuration: every key with its type, default, environment fallback and documentation.
// The loader reads by it, and a unit test holds Pulumi.yaml's schema and the README's table to it (npm run docs:config writes both).

/** How the loader reads a key. */
export type ConfigKind = "string" | "integer" | "boolean" | "tristate" | "list" | "map" | "secret";

export interface ConfigEntry {
  readonly kind: ConfigKind;
  /** Pulumi.yaml's `type` (keys without one accept any YAML value and are checked by the program). */
  readonly schemaType?: "string" | "integer" | "boolean" | "array";
  /** As Pulumi.yaml declares it: "" (or -1 style sentinels are not used) means unset. */
  readonly default: string | number | boolean | readonly string[] | Readonly<Record<string, never>> | readonly never[];
  /** Read when the key is unset (CI secret stores and runners pass values this way). */
  readonly env?: string;
  /** Pulumi.yaml's description: what `pulumi config` users read. */
  readonly description: string;
  /** The README's configuration table: the default as a person says it, and the meaning in a few words. */
  readonly readme: { readonly default: string; readonly meaning: string };
}

export const CONFIG = {
  source: {
    kind: "string",
    schemaType: "string",
    default: "../splai",
    description:
      "Root of the SPLAI checkout (the Go module with cmd/… and charts/splai), relative to this project or absolute.",
    readme: { default: "`../splai`", meaning: "root of the SPLAI checkout" },
  },
  chartPath: {
    kind: "string",
    schemaType: "string",
    default: "charts/splai",
    description: "Chart directory inside the source tree.",
    readme: { default: "`charts/splai`", meaning: "chart directory inside the source" },
  },
  distDir: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Where release binaries and SHA256SUMS are written (default <source>/dist/release, as in SPLAI's guide). Image build contexts go next to it.",
    readme: {
      default: "`<source>/dist/release`",
      meaning: "binaries and `SHA256SUMS`; image contexts go to `<distDir>/../images`",
    },
  },
  builder: {
    kind: "string",
    schemaType: "string",
    default: "",
    description: "Name of the buildx builder that builds the images (empty uses the current buildx builder).",
    readme: { default: "current buildx builder", meaning: "named buildx builder for the images" },
  },
  builderEndpoints: {
    kind: "list",
    schemaType: "array",
    default: [],
    description:
      "BuildKit endpoints (unix://, tcp://, ssh://) registered as one remote buildx builder named splai-<stack>, a node per endpoint pinned to its daemon's default platform (for example one amd64 and one native arm64 node). With two or more, each platform image is built on its own node, pushed by digest and joined into the index by imagetools. Overrides builder. Unset: SPLAI_BUILDER_ENDPOINTS (comma-separated), as CI passes a repository variable or `npm run platform -- env` with the fleet, unless the stack sets builder.",
    env: "SPLAI_BUILDER_ENDPOINTS",
    readme: {
      default: "`SPLAI_BUILDER_ENDPOINTS` (comma-separated), else `[]`",
      meaning: "BuildKit endpoints: one remote builder `splai-<stack>`, each platform built on the node pinned to it",
    },
  },
  mode: {
    kind: "string",
    schemaType: "string",
    default: "auto",
    description:
      "auto derives the release from the ref (a v* tag releases, anything else is a branch build); tag or branch force it.",
    readme: { default: "`auto`", meaning: "`auto`, `tag` or `branch`" },
  },
  ref: {
    kind: "string",
    schemaType: "string",
    default: "",
    env: "SPLAI_RELEASE_REF",
    description:
      "Tag (vX.Y.Z) or branch to release; empty reads SPLAI_RELEASE_REF, then CI's ref variables (GITHUB_REF_NAME, CI_COMMIT_TAG…), then git in the source tree.",
    readme: {
      default: "from CI or git",
      meaning: "tag `vX.Y.Z` or branch being released (`SPLAI_RELEASE_REF` overrides)",
    },
  },
  sha: {
    kind: "string",
    schemaType: "string",
    default: "",
    description: "Commit being released; empty reads CI (GITHUB_SHA…) or git.",
    readme: { default: "from CI or git", meaning: "commit being released" },
  },
  buildNumber: {
    kind: "integer",
    default: "",
    env: "SPLAI_BUILD_NUMBER",
    description:
      "The n in branch chart versions <chart>-<branch>.<n>, a whole number ≥ 0; empty uses GITHUB_RUN_NUMBER / SPLAI_BUILD_NUMBER or the commit count, so it increases with every commit.",
    readme: {
      default: "from CI or git",
      meaning: "`n` of branch chart versions (`SPLAI_BUILD_NUMBER`, `GITHUB_RUN_NUMBER`, else the commit count)",
    },
  },
  registry: {
    kind: "string",
    schemaType: "string",
    default: "ghcr.io",
    description: "OCI registry host[:port] for images and the chart.",
    readme: { default: "`ghcr.io`", meaning: "OCI registry host[:port]" },
  },
  owner: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Registry namespace; images go to <registry>/<owner>/splai-<name>, the chart to oci://<registry>/<owner>/charts/splai. Default githubOwner.",
    readme: { default: "`githubOwner`", meaning: "registry namespace" },
  },
  registryUsername: {
    kind: "string",
    schemaType: "string",
    default: "",
    env: "SPLAI_REGISTRY_USERNAME",
    description: "Registry user (default SPLAI_REGISTRY_USERNAME, else owner).",
    readme: { default: "`SPLAI_REGISTRY_USERNAME`, else owner", meaning: "registry user" },
  },
  registryPassword: {
    kind: "secret",
    schemaType: "string",
    default: "",
    env: "SPLAI_REGISTRY_PASSWORD",
    description:
      "Registry password or token; set it with --secret (or use the SPLAI_REGISTRY_PASSWORD environment variable). Empty means unset.",
    readme: { default: "`SPLAI_REGISTRY_PASSWORD`", meaning: "registry password or token" },
  },
  platforms: {
    kind: "list",
    schemaType: "array",
    default: ["linux/amd64", "linux/arm64"],
    description: "Image platforms.",
    readme: { default: "`[linux/amd64, linux/arm64]`", meaning: "image platforms" },
  },
  binaryTargets: {
    kind: "list",
    schemaType: "array",
    default: ["linux/amd64", "linux/arm64", "darwin/arm64"],
    description: "GOOS/GOARCH targets of the release binaries; must include every image platform.",
    readme: { default: "`[linux/amd64, linux/arm64, darwin/arm64]`", meaning: "release binaries" },
  },
  attestations: {
    kind: "tristate",
    schemaType: "string",
    default: "auto",
    description:
      "Attach BuildKit's SBOM (SPDX, from sbomGenerator) and SLSA provenance (mode=max) to every platform image as OCI referrers: true (required; needs builder or builderEndpoints and buildctl on PATH), false, or auto (on when a BuildKit builder is configured).",
    readme: {
      default: "`auto`",
      meaning: "SBOM + provenance per image: `auto` (on when the builder's BuildKit address is known), `true`, `false`",
    },
  },
  sbomGenerator: {
    kind: "string",
    schemaType: "string",
    default: "",
    env: "SPLAI_SBOM_GENERATOR",
    description:
      "BuildKit SBOM generator image; the local platform provides its own build of one (SPLAI_SBOM_GENERATOR).",
    readme: {
      default: "`docker/buildkit-syft-scanner:stable-1`",
      meaning: "BuildKit SBOM generator image (local platform: `SPLAI_SBOM_GENERATOR`, its own build)",
    },
  },
  sourceDateEpoch: {
    kind: "integer",
    default: "",
    description:
      "SOURCE_DATE_EPOCH for the images (layer and config timestamps), seconds since 1970; empty uses the release commit's committer time, so two builds of one commit give the same digests.",
    readme: { default: "the release commit's committer time", meaning: "`SOURCE_DATE_EPOCH` of the images" },
  },
  baseImage: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Base image for the ko-style images; empty means scratch plus CA certificates and a non-root user (buildable offline).",
    readme: { default: "scratch + CA certs + non-root user", meaning: "base of the ko-style images" },
  },
  namespace: {
    kind: "string",
    schemaType: "string",
    default: "splai-system",
    description: "Kubernetes namespace of the Helm release.",
    readme: { default: "`splai-system`", meaning: "namespace of the Helm release" },
  },
  releaseName: {
    kind: "string",
    schemaType: "string",
    default: "splai",
    description:
      "Name of the Helm release in the namespace. Another stack on the same cluster needs another namespace or another release name; an up refuses, before building anything, a release name that another stack or tool already uses there.",
    readme: {
      default: "`splai`",
      meaning: "name of the Helm release (another stack on the cluster: another namespace or name)",
    },
  },
  kubeconfig: {
    kind: "string",
    schemaType: "string",
    default: "",
    env: "KUBECONFIG",
    description: "Kubeconfig file or document; empty uses KUBECONFIG or ~/.kube/config.",
    readme: { default: "`KUBECONFIG`", meaning: "kubeconfig file or document" },
  },
  kubeContext: {
    kind: "string",
    schemaType: "string",
    default: "",
    description: "Kubeconfig context; empty uses the current context.",
    readme: { default: "current context", meaning: "context of the kubeconfig (must exist in it)" },
  },
  deploy: {
    kind: "boolean",
    schemaType: "boolean",
    default: true,
    description: "Install or upgrade the Helm release.",
    readme: { default: "`true`", meaning: "install or upgrade the Helm release" },
  },
  helmValues: {
    kind: "map",
    default: {},
    description:
      "Extra chart values merged under the pinned image values (for example third-party parts switched off).",
    readme: { default: "none", meaning: "extra chart values (never override the pinned images)" },
  },
  dockerfiles: {
    kind: "map",
    default: {},
    description:
      "Per-image Dockerfile (path under source) replacing the generated ko-style one, for example {worker-agent: packaging/worker/Dockerfile}.",
    readme: { default: "none", meaning: "per-image Dockerfile replacing the generated one" },
  },
  helmTimeout: {
    kind: "integer",
    schemaType: "integer",
    default: 300,
    description: "Seconds Helm waits for workloads to become Ready.",
    readme: { default: "`300`", meaning: "seconds Helm (or the verification) waits for readiness" },
  },
  atomic: {
    kind: "tristate",
    schemaType: "string",
    default: "auto",
    description:
      "Roll back a failed upgrade automatically: true, false, or auto (on for tag releases, off for branch builds).",
    readme: { default: "`true` for tags", meaning: "roll back a failed upgrade or a failed verification" },
  },
  verify: {
    kind: "tristate",
    schemaType: "string",
    default: "auto",
    description:
      "Verify the deployment once Helm has applied it (rollout of the released images, /healthz of the gateway, planner and scheduler, splaictl verify), rolling back when atomic: true (pods must run on real nodes), false (no checks; Helm waits), or auto (checks where pods really run, skipped on fake nodes).",
    readme: {
      default: "`auto`",
      meaning: "post-deploy verification: `auto` (HTTP checks where pods really run), `true`, `false`",
    },
  },
  allowRollback: {
    kind: "boolean",
    schemaType: "boolean",
    default: false,
    description: "Allow deploying a version lower than the one deployed.",
    readme: { default: "`false`", meaning: "allow deploying a lower version than the deployed one" },
  },
  githubOwner: {
    kind: "string",
    schemaType: "string",
    default: "",
    description: "GitHub account of the SPLAI repository (default owner).",
    readme: { default: "owner", meaning: "account of the SPLAI repository" },
  },
  githubRepo: {
    kind: "string",
    schemaType: "string",
    default: "splai",
    description: "GitHub repository that receives the release.",
    readme: { default: "`splai`", meaning: "repository of the release" },
  },
  githubBaseUrl: {
    kind: "string",
    schemaType: "string",
    default: "https://api.github.com/",
    description: "GitHub API base URL; https://api.github.com/ for github.com, https://<host>/ for GitHub Enterprise.",
    readme: { default: "`https://api.github.com/`", meaning: "API base (GitHub Enterprise: `https://<host>/`)" },
  },
  githubToken: {
    kind: "secret",
    schemaType: "string",
    default: "",
    env: "GITHUB_TOKEN",
    description:
      "Token with contents:write on the repository; set it with --secret (or use GITHUB_TOKEN). Empty means unset.",
    readme: { default: "`GITHUB_TOKEN`", meaning: "token with contents:write" },
  },
  githubRelease: {
    kind: "tristate",
    schemaType: "string",
    default: "auto",
    description:
      "Publish a GitHub release: true, false, or auto (on for tag releases, off for branch builds; a branch build's release is a prerelease).",
    readme: { default: "`true` for tags", meaning: "publish a release (branch builds: a prerelease)" },
  },
  extraMains: {
    kind: "list",
    default: [],
    description:
      "Mains beyond SPLAI's own six, each built like them and, with image, shipped as an image: [{pkg: ./cmd/new-svc, binary: splai-new-svc, image: new-svc}].",
    readme: {
      default: "`[]`",
      meaning: "mains beyond SPLAI's six, built and shipped like them (`{pkg, binary, image}`)",
    },
  },
  promoteFrom: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Tag releases only: publish the images and binaries a dev stack built and tested from the same commit instead of building them (its fully qualified name, for example organization/splai-release/dev on a file or object-store backend, <org>/splai-release/dev on Pulumi Cloud). Images are tagged by digest, binaries copied and checked against its SHA256SUMS. Empty builds as usual.",
    readme: {
      default: "none (build)",
      meaning: "tag releases: publish this stack's images and binaries instead of building (see Promotion)",
    },
  },
  promoteBinariesDir: {
    kind: "string",
    schemaType: "string",
    default: "",
    env: "SPLAI_PROMOTE_BINARIES_DIR",
    description:
      "With promoteFrom: the directory holding the dev build's binaries by file name, when they are not at the paths the dev stack recorded (another machine: CI downloads dev's artifact here). Each file is still checked against dev's SHA256SUMS. Default: the SPLAI_PROMOTE_BINARIES_DIR environment variable, else dev's paths.",
    readme: {
      default: "`SPLAI_PROMOTE_BINARIES_DIR`, else dev's paths",
      meaning:
        "with `promoteFrom`: a copy of dev's dist directory (CI artifact); files still checked against dev's `SHA256SUMS`",
    },
  },
  breakingChanges: {
    kind: "list",
    schemaType: "array",
    default: [],
    description:
      "Breaking-change notes listed first under the changelog's Breaking changes in the release notes (also when changelog is off).",
    readme: { default: "`[]`", meaning: "listed first under the changelog's Breaking changes" },
  },
  changelog: {
    kind: "string",
    schemaType: "string",
    default: "grouped",
    description:
      "The release notes' changelog of the commits since the previous release tag (the highest vX.Y.Z reachable from the released commit's parents, or from a branch build's commit; prereleases like v1.2.0-rc.1 do not count; a first release lists every commit), read from git in the source tree: grouped (Conventional Commits types: Breaking changes, Features, Fixes, Performance, Others; commit links; Authors), flat (one list of the commit subjects, with links and Authors) or off (no commits; breakingChanges still listed). Merge commits are left out (the commits they bring are listed); a revert and the commit it reverts, both in the range, cancel out.",
    readme: {
      default: "`grouped`",
      meaning: "changelog since the previous release tag: `grouped` (by commit type), `flat` or `off`",
    },
  },
  changelogTemplate: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Markdown template (a path under source) replacing the changelog's grouped or flat rendering; unused when changelog is off. Placeholders: {{version}}, {{previousTag}} (empty for a first release), and Markdown lists (empty when there is nothing) {{breaking}} (breakingChanges, then the commits'), {{features}}, {{fixes}}, {{performance}}, {{others}}, {{commits}} (every listed commit by its subject) and {{authors}} (name and commit count). Empty uses the built-in rendering.",
    readme: {
      default: "none",
      meaning: "Markdown template under the source replacing the changelog's rendering (placeholders: Pulumi.yaml)",
    },
  },
  linuxPackages: {
    kind: "list",
    schemaType: "array",
    default: ["deb", "rpm", "apk"],
    description:
      "Linux package formats of splaictl and the worker agent (nfpm): deb, rpm, apk; [] builds none. Archives per target are always built.",
    readme: {
      default: "`[deb, rpm, apk]`",
      meaning: "packages of splaictl and the worker agent (nfpm); `[]` for none",
    },
  },
  packageMaintainer: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Maintainer named in the Linux packages (Name <email>); empty uses <githubOwner> <<githubOwner>@users.noreply.github.com>.",
    readme: { default: "githubOwner", meaning: "maintainer of the Linux packages (`Name <email>`)" },
  },
  packageLicense: {
    kind: "string",
    schemaType: "string",
    default: "Apache-2.0",
    description: "SPDX license of the Linux packages and the Homebrew formula.",
    readme: { default: "`Apache-2.0`", meaning: "license in the packages and the formula" },
  },
  workerEnvironment: {
    kind: "map",
    default: {},
    description:
      "Environment of the worker agent's systemd unit in its Linux packages (Environment= lines), for example {SPLAI_CONTROL_PLANE_URL: http://gateway:8080}.",
    readme: { default: "none", meaning: "environment of the packaged worker's systemd unit" },
  },
  homebrewTap: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "Repository (owner/name) whose Formula/splaictl.rb a tag release updates; empty uses <githubOwner>/homebrew-tap, none turns it off.",
    readme: { default: "`<githubOwner>/homebrew-tap`", meaning: "Homebrew tap a tag release updates (`none`: off)" },
  },
  signing: {
    kind: "string",
    schemaType: "string",
    default: "none",
    description:
      "Sign every image (index and platform images), the chart and SHA256SUMS with cosign after each push: none, key (a cosign key pair: signingKey and signingPassword) or keyless (CI's OIDC identity with public Sigstore's Fulcio and Rekor; needs id-token: write).",
    readme: {
      default: "`none`",
      meaning: "cosign signatures of images, chart and `SHA256SUMS`: `none`, `key` or `keyless` (see Signing)",
    },
  },
  signingKey: {
    kind: "secret",
    schemaType: "string",
    default: "",
    env: "SPLAI_SIGNING_KEY",
    description:
      "The encrypted cosign private key (contents of cosign.key from cosign generate-key-pair) for signing: key; set it with --secret or SPLAI_SIGNING_KEY. A new key signs the next release.",
    readme: { default: "`SPLAI_SIGNING_KEY`", meaning: "cosign private key (PEM) of `signing: key`" },
  },
  signingPassword: {
    kind: "secret",
    schemaType: "string",
    default: "",
    env: "SPLAI_SIGNING_PASSWORD",
    description: "Password of signingKey; set it with --secret or SPLAI_SIGNING_PASSWORD (empty: a key without one).",
    readme: { default: "`SPLAI_SIGNING_PASSWORD`", meaning: "password of the cosign private key" },
  },
  signingTlog: {
    kind: "boolean",
    schemaType: "boolean",
    default: true,
    description:
      "signing: key — upload signatures to the Rekor transparency log of public Sigstore (and verify against it). false keeps them out of any log (a private registry, the local platform) and verifies with --insecure-ignore-tlog. Keyless always uses Rekor.",
    readme: { default: "`true`", meaning: "key signatures in Rekor; `false` for no log (local platform)" },
  },
  trustedKeys: {
    kind: "list",
    schemaType: "array",
    default: [],
    description:
      "PEM public keys (cosign.pub) a signature must verify against before a deploy or a promotion; any one of them is enough, so a rotation lists the old and the new key. Empty: the public key of signingKey.",
    readme: {
      default: "signingKey's public key",
      meaning: "public keys accepted before deploying or promoting (any one; rotation lists old and new)",
    },
  },
  keylessIdentity: {
    kind: "string",
    schemaType: "string",
    default: "",
    description:
      "signing: keyless — regular expression the signing certificate's identity (the workflow) must match; empty: ^https://github.com/<githubOwner>/<githubRepo>/.github/workflows/.",
    readme: {
      default: "the repository's workflows",
      meaning: "keyless: certificate identity (regexp) a signature must have",
    },
  },
  keylessIssuer: {
    kind: "string",
    schemaType: "string",
    default: "https://token.actions.githubusercontent.com",
    description: "signing: keyless — OIDC issuer of the signing identity (GitHub Actions').",
    readme: { default: "GitHub Actions' issuer", meaning: "keyless: OIDC issuer of the signing identity" },
  },
} as const satisfies Readonly<Record<string, ConfigEntry>>;

export type ConfigKey = keyof typeof CONFIG;

/** The namespace of every key. */
export const NAMESPACE = "splai-release";

/** Keys this program no longer reads: setting one gets a warning naming what replaced it, not silence. */
export const RETIRED: Readonly<Record<string, string>> = {
  githubApi: "the GitHub release is always made with @pulumi/github's plugin (the REST stand-in is gone)",
  commandProvider: "every step runs on @pulumi/command's plugin (the dynamic-provider stand-in is gone)",
};
