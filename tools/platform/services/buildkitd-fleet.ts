// The BuildKit fleet (`up --fleet`): beside the platform's buildkitd, one daemon per platform whose only worker builds it.
import { rmSync } from "node:fs";
import { data, type Service } from "../service";
import { fleetNodes, type FleetNode, type PlatformState } from "../state";
import { buildkitdAnswers, buildkitdToml, startBuildkitd } from "./buildkitd";

/** The node of `platform` as the state records it (its socket lives in the state directory). */
const nodeOf = (s: PlatformState, platform: string): FleetNode => {
  const node = (s.fleet?.nodes ?? fleetNodes(s.dir)).find((n) => n.platform === platform);
  if (node === undefined) throw new Error(`the platform state has no fleet node for ${platform}`);
  return node;
};

/**
 * The fleet daemon of `platform`: its own root, socket, log and config, and the registry CA of the platform's
 * buildkitd. The images are built the ko way (prebuilt binaries COPYed onto a base, no RUN), so an arm64 daemon needs
 * no emulation on an amd64 machine; on a real fleet it would run on an arm64 host.
 */
export function fleetBuildkitd(platform: string): Service {
  const name = `buildkitd-${platform.split("/")[1]}`;
  return {
    name,
    fleet: true,
    ports: () => [],
    async start(s, pki) {
      const node = nodeOf(s, platform);
      rmSync(node.socket, { force: true });
      const config = buildkitdToml({
        root: data(s, name),
        socket: node.socket,
        registry: s.registry.address,
        ca: pki.ca,
        platforms: [platform],
        // Two more caches on the same disk as the platform's: keep each small.
        gcKeepBytes: 3_000_000_000,
      });
      return startBuildkitd(s, name, config);
    },
    ready: async (s) => buildkitdAnswers(nodeOf(s, platform).socket),
    timeoutMs: 60_000,
    describe: (s) => `unix://${nodeOf(s, platform).socket} (fleet node, ${platform} only)`,
  };
}

export const buildkitdAmd64 = fleetBuildkitd("linux/amd64");
export const buildkitdArm64 = fleetBuildkitd("linux/arm64");
