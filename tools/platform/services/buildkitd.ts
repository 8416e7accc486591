// BuildKit's daemon for the platform, and the buildx builders that let docker-build and `imagetools` use it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tryCapture } from "../../lib/exec";
import { toolBinDir } from "../../lib/paths";
import { startDetached, type ProcRecord } from "../procs";
import { bin, data, logOf, type Service } from "../service";
import { platformBuildxConfig, registrySettingsBuilder, type PlatformState } from "../state";

/** A buildkitd config: an oci worker (only `platforms` when given), and the platform registry's CA. */
export function buildkitdToml(o: {
  root: string;
  socket: string;
  registry: string;
  ca: string;
  platforms?: readonly string[];
  gcKeepBytes?: number;
}): string {
  return [
    `root = "${o.root}"`,
    "[grpc]",
    `  address = ["unix://${o.socket}"]`,
    "[worker.oci]",
    "  enabled = true",
    '  snapshotter = "native"',
    ...(o.platforms === undefined ? [] : [`  platforms = [${o.platforms.map((p) => `"${p}"`).join(", ")}]`]),
    "  gc = true",
    `  gckeepstorage = ${o.gcKeepBytes ?? 10_000_000_000}`,
    "[worker.containerd]",
    "  enabled = false",
    `[registry."${o.registry}"]`,
    // BuildKit would otherwise try plain HTTP first for a loopback registry.
    "  http = false",
    "  insecure = false",
    `  ca = ["${o.ca}"]`,
    "",
  ].join("\n");
}

/** Starts buildkitd with `config` written to `<dir>/<name>.toml`, its log in logs/<name>.log. */
export function startBuildkitd(s: PlatformState, name: string, config: string): ProcRecord {
  const file = join(s.dir, `${name}.toml`);
  writeFileSync(file, config);
  // buildkitd looks up runc on PATH; Debian's runc lives in /usr/sbin.
  const env = { ...process.env, PATH: `${toolBinDir}:/usr/sbin:/usr/bin:/sbin:/bin:${process.env.PATH ?? ""}` };
  return startDetached(bin("buildkitd"), ["--config", file], logOf(s, name), env);
}

/** Whether the daemon at `socket` answers (lists its workers). */
export const buildkitdAnswers = (socket: string): boolean =>
  tryCapture(bin("buildctl"), ["--addr", `unix://${socket}`, "debug", "workers"]) !== undefined;

export const buildkitd: Service = {
  name: "buildkitd",
  ports: () => [],
  async start(s, pki) {
    const config = buildkitdToml({
      root: data(s, "buildkit"),
      socket: s.buildkit.socket,
      registry: s.registry.address,
      ca: pki.ca,
    });
    rmSync(s.buildkit.socket, { force: true });
    const rec = startBuildkitd(s, "buildkitd", config);
    registerBuildxBuilder(s, pki.ca);
    return rec;
  },
  ready: async (s) => buildkitdAnswers(s.buildkit.socket),
  timeoutMs: 60_000,
  describe: (s) => `unix://${s.buildkit.socket} (buildx builder '${s.buildkit.builder}')`,
};

/**
 * A buildx "remote" builder pointing at our buildkitd, so @pulumi/docker-build needs no Docker daemon; and beside it
 * `<builder>-registry`, which only carries registry settings for buildx's `imagetools` (docker-build's Index runs
 * `imagetools create` with the builder in BUILDX_BUILDER, see platformEnv): containerd's resolver would otherwise use
 * plain HTTP for a 127.0.0.1 registry. The remote driver refuses config files, so the settings need their own entry,
 * which is never used to build. Both live in the platform's own buildx config (BUILDX_CONFIG in platformEnv), not in
 * ~/.docker/buildx: two platforms on one machine (two checkouts, CI beside a developer) never take each other's builder.
 */
function registerBuildxBuilder(s: PlatformState, ca: string): void {
  const dir = join(platformBuildxConfig(s), "instances");
  mkdirSync(dir, { recursive: true });
  const node = (name: string, files: Record<string, string> | null): Record<string, unknown> => ({
    Name: `${name}0`,
    Endpoint: `unix://${s.buildkit.socket}`,
    Platforms: null,
    DriverOpts: {},
    Flags: null,
    Files: files,
  });
  const builder = {
    Name: s.buildkit.builder,
    Driver: "remote",
    Nodes: [node(s.buildkit.builder, null)],
    Dynamic: false,
  };
  writeFileSync(join(dir, s.buildkit.builder), JSON.stringify(builder), { mode: 0o600 });
  const toml = [
    `[registry."${s.registry.address}"]`,
    "  http = false",
    "  insecure = false",
    '  ca = ["/etc/buildkit/ca.pem"]',
    "",
  ].join("\n");
  const files = {
    "buildkitd.toml": Buffer.from(toml).toString("base64"),
    "ca.pem": readFileSync(ca).toString("base64"),
  };
  const settings = {
    Name: registrySettingsBuilder(s),
    Driver: "docker-container",
    Nodes: [node(registrySettingsBuilder(s), files)],
    Dynamic: false,
  };
  writeFileSync(join(dir, settings.Name), JSON.stringify(settings), { mode: 0o600 });
}
