// The BuildKit fleet: a release whose builderEndpoints are the platform's two single-platform daemons builds each
// platform image on its own node, and gives the digests a single-node build of the same commit gives.
import type { ConfigMap, UpResult } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { platformImages } from "../support/artifacts";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";
import { bin } from "../../tools/platform/service";
import { fleetEndpoints, type FleetNode } from "../../tools/platform/state";

/** No deployment or GitHub release: what is under test is where the images are built and what they are. */
const IMAGES_ONLY: ConfigMap = {
  "splai-release:deploy": { value: "false" },
  "splai-release:githubRelease": { value: "false" },
  "splai-release:homebrewTap": { value: "none" },
};
/** Both image platforms (the default), only the binaries they need, one package. */
const LISTS: ConfigMap = {
  "splai-release:binaryTargets[0]": { value: "linux/amd64" },
  "splai-release:binaryTargets[1]": { value: "linux/arm64" },
  "splai-release:linuxPackages[0]": { value: "deb" },
};

/** One record of `buildctl debug histories --format json`: a build the daemon ran. */
interface HistoryRecord {
  Ref: string;
  FrontendAttrs?: Record<string, string>;
  Exporters?: { Type: string; Attrs?: Record<string, string> }[];
  ExporterResponse?: Record<string, string>;
}

/** Every build record the daemon at `addr` keeps (its build history), by ref. */
function histories(addr: string): HistoryRecord[] {
  const out = execFileSync(bin("buildctl"), ["--addr", addr, "debug", "histories", "--format", "json"], {
    encoding: "utf8",
    maxBuffer: 256 << 20,
  });
  // A stream of JSON events, one object per record (not an array).
  const records: HistoryRecord[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      const event = JSON.parse(out.slice(start, i + 1)) as { record?: HistoryRecord };
      if (event.record) records.push(event.record);
    }
  }
  return records;
}

/** An image build of the release: it pushes to the release's registry repositories. */
const isReleaseImageBuild = (r: HistoryRecord, owner: string): boolean =>
  (r.Exporters ?? []).some((e) => e.Type === "image" && (e.Attrs?.name ?? "").includes(`/${owner}/`));

/** The platform manifests of each image, by image and architecture (`api-gateway linux/arm64` → digest). */
async function platformDigests(
  p: Platform,
  owner: string,
  digests: Record<string, string>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [image, digest] of Object.entries(digests))
    for (const m of await platformImages(p.registry, `${owner}/splai-${image}`, digest))
      out.set(`${image} linux/${m.arch}`, m.digest);
  return out;
}

describe(
  "images built on the BuildKit fleet (one single-platform daemon per platform)",
  { timeout: 40 * 60_000 },
  () => {
    let p: Platform;
    let proj: ReleaseProject;
    let nodes: FleetNode[];
    let fleetUp: UpResult;
    let startedFleet = false;
    /** Build records each daemon had before the release, by endpoint. */
    const before0 = new Map<string, Set<string>>();

    before(async () => {
      let current = platform();
      if (fleetEndpoints(current.state).length === 0) {
        current.platformCmd("up", "--fleet");
        startedFleet = true;
        current = platform();
      }
      p = current;
      nodes = p.state.fleet!.nodes;
      for (const n of nodes) before0.set(n.platform, new Set(histories(`unix://${n.socket}`).map((r) => r.Ref)));
      proj = await releaseProject(p, { config: IMAGES_ONLY });
      await proj.stack.setAllConfig(LISTS, true);
      // The fleet replaces the platform's builder: the two are exclusive (config/validate.ts).
      await proj.stack.removeConfig("splai-release:builder");
      await proj.stack.setAllConfig(
        Object.fromEntries(
          fleetEndpoints(p.state).map((e, i) => [`splai-release:builderEndpoints[${i}]`, { value: e }]),
        ),
        true,
      );
    });
    after(async () => {
      await proj?.cleanup();
      if (startedFleet) platform().platformCmd("up", "--no-fleet");
    });

    it("releases with builderEndpoints set to the fleet", async () => {
      fleetUp = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
      assert.equal(fleetUp.summary.result, "succeeded");
    });

    it("registered one buildx builder with a node per daemon, each pinned to its daemon's platform", () => {
      const file = join(p.env.BUILDX_CONFIG!, "instances", `splai-${proj.id}`);
      const builder = JSON.parse(readFileSync(file, "utf8")) as {
        Driver: string;
        Nodes: { Endpoint: string; Platforms: { os: string; architecture: string }[] | null }[];
      };
      assert.equal(builder.Driver, "remote");
      assert.deepEqual(
        builder.Nodes.map((n) => [n.Endpoint, (n.Platforms ?? []).map((x) => `${x.os}/${x.architecture}`)]),
        nodes.map((n) => [`unix://${n.socket}`, [n.platform]]),
      );
    });

    it("built each platform image on its own node: the amd64 daemon only linux/amd64, the arm64 daemon only linux/arm64", () => {
      const images = Object.keys(fleetUp.outputs.imageDigests.value as Record<string, string>);
      assert.equal(images.length, 5);
      const fresh = (n: FleetNode): HistoryRecord[] =>
        histories(`unix://${n.socket}`).filter((r) => !before0.get(n.platform)!.has(r.Ref));
      const [amd64, arm64] = nodes.map(fresh);
      for (const [n, records] of [
        [nodes[0], amd64],
        [nodes[1], arm64],
      ] as const) {
        const pushes = records.filter((r) => isReleaseImageBuild(r, proj.id));
        const platforms = pushes.map((r) => r.FrontendAttrs?.platform ?? "(none)");
        assert.equal(
          pushes.length,
          images.length,
          `${n.name} pushed one image per service; it pushed: ${platforms.join(", ")}`,
        );
        assert.deepEqual(
          [...new Set(platforms)],
          [n.platform],
          `${n.name} built only ${n.platform}; it built: ${platforms.join(", ")}`,
        );
      }
      // SBOM and provenance: BuildKit rebuilds each image with attestations on the first endpoint (a cross-build of
      // COPY layers, the SBOM scanner running natively there), and the step checks that rebuild equals what the two
      // nodes pushed, platform by platform. The arm64 node builds nothing else.
      const attested = amd64.filter((r) => (r.Exporters ?? []).some((e) => e.Type === "oci"));
      assert.equal(attested.length, images.length, "one attested rebuild per image on the first node");
      for (const r of attested) assert.equal(r.FrontendAttrs?.platform, "linux/amd64,linux/arm64");
      assert.equal(arm64.length, images.length, `the arm64 node ran only its ${images.length} image builds`);
      assert.equal(amd64.length, 2 * images.length, "the amd64 node ran its image builds and the attested rebuilds");
    });

    it("gave the per-platform digests of a single-node build of the same commit", async () => {
      const owner = `${proj.id}-single`;
      const single = await proj.addStack(`${proj.id}-single`, {
        ...IMAGES_ONLY,
        "splai-release:owner": { value: owner },
        "splai-release:distDir": { value: join(proj.dir, "dist-single", "release") },
      });
      await single.setAllConfig(LISTS, true);
      const up = await single.up({ onOutput: (s) => process.stderr.write(s) });
      assert.equal(up.summary.result, "succeeded");
      const fleet = await platformDigests(p, proj.id, fleetUp.outputs.imageDigests.value as Record<string, string>);
      const one = await platformDigests(p, owner, up.outputs.imageDigests.value as Record<string, string>);
      assert.equal(fleet.size, 10, "five images, two platforms each");
      assert.deepEqual(Object.fromEntries(fleet), Object.fromEntries(one));
    });
  },
);
