// End to end on the platform's real node: released amd64 images run, the release verifies itself, and a broken image rolls prod back.
import type { OutputMap } from "@pulumi/pulumi/automation";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { readState } from "../../tools/platform/state";
import type { VerificationResult } from "../../components/deploy/verify-rules";
import { platform, type Platform } from "../../tools/lib/platform-client";
import { releaseProject, type ReleaseProject } from "../../tools/lib/release-project";

const SERVICES = ["api-gateway", "planner", "scheduler"];

/** Why this file cannot run here, or undefined when the platform runs a real node. */
function skipReason(): string | undefined {
  const s = readState();
  if (!s) return "no local platform; run: npm run test:real-node";
  if (s.node?.mode !== "real") {
    const why = s.node?.fallbackReason
      ? `the real node could not start (${s.node.fallbackReason})`
      : "the platform runs fake nodes";
    return `${why}; run: npm run test:real-node (platform up --node real)`;
  }
  return undefined;
}

interface PodList {
  items: {
    metadata: { name: string; labels: Record<string, string> };
    spec: { nodeName: string; containers: { image: string }[] };
    status: { phase: string; containerStatuses?: { ready: boolean; image: string; imageID: string }[] };
  }[];
}

describe("release on the real node (prod mode)", { timeout: 30 * 60_000, skip: skipReason() }, () => {
  let p: Platform;
  let proj: ReleaseProject;
  let ns: string;
  let v030: OutputMap;

  const pods = async (): Promise<PodList["items"]> =>
    ((await p.kube(`/api/v1/namespaces/${ns}/pods`)).json as unknown as PodList).items;
  const healthz = async (component: string): Promise<number> =>
    (await p.kube(`/api/v1/namespaces/${ns}/services/splai-splai-${component}:http/proxy/healthz`)).status;
  const helmHead = async (): Promise<{ revision: number; status: string }> => {
    const r = await p.kube(`/api/v1/namespaces/${ns}/secrets?labelSelector=owner%3Dhelm,name%3Dsplai`);
    const revs = (r.json.items as { metadata: { labels: Record<string, string> } }[]).map((i) => i.metadata.labels);
    const head = revs.sort((a, b) => Number(b.version) - Number(a.version))[0];
    return { revision: Number(head.version), status: head.status };
  };

  before(async () => {
    p = platform();
    await p.forgetReleases(["v0.3.0", "v0.3.1"]);
    proj = await releaseProject(p, {
      config: {
        "splai-release:mode": { value: "auto" },
        "splai-release:githubRelease": { value: "auto" },
        // Real pods on the real node: fail instead of skipping if they ever land on fake nodes.
        "splai-release:verify": { value: "true" },
        "splai-release:helmTimeout": { value: "120" },
      },
    });
    ns = `splai-${proj.id}`;
  });
  after(async () => {
    await proj?.cleanup();
  });

  it("v0.3.0: the released amd64 images run on the real node and the release verifies itself", async () => {
    proj.git("tag", "v0.3.0");
    const t0 = Date.now();
    const up = await proj.stack.up({ onOutput: (s) => process.stderr.write(s) });
    process.stderr.write(`v0.3.0 released and verified in ${Math.round((Date.now() - t0) / 1000)}s\n`);
    assert.equal(up.summary.result, "succeeded");
    v030 = up.outputs;

    const result = v030.verification.value as VerificationResult;
    assert.equal(result.status, "passed", JSON.stringify(result));
    for (const c of SERVICES)
      assert.ok(
        result.checks.some((l) => l.startsWith(`ok   GET ${c} /healthz`) && l.includes(": 200 ")),
        `${c}: ${result.checks.join("\n")}`,
      );
    assert.ok(result.checks.some((l) => l.startsWith("ok   splaictl verify --url http://127.0.0.1:")));

    // Independently of the verification: every pod runs on the real node, Ready, from the platform registry, by the released digest.
    const digests = v030.imageDigests.value as Record<string, string>;
    const list = await pods();
    assert.equal(list.length, 4, list.map((x) => x.metadata.name).join(" "));
    for (const pod of list) {
      assert.equal(pod.spec.nodeName, p.state.node.real.name, pod.metadata.name);
      assert.equal(pod.status.phase, "Running", pod.metadata.name);
      const image = pod.spec.containers[0].image;
      assert.ok(image.startsWith(`${p.state.registry.address}/`), `${image}: no image from outside the machine`);
      const component = pod.metadata.labels["app.kubernetes.io/component"];
      const released = digests[component === "worker" ? "worker-agent" : component];
      assert.ok(image.endsWith(`@${released}`), `${pod.metadata.name} runs ${image}, released ${released}`);
      assert.ok(
        pod.status.containerStatuses?.every((c) => c.ready),
        `${pod.metadata.name} ready`,
      );
    }
    for (const c of SERVICES) assert.equal(await healthz(c), 200, `${c} /healthz through the service proxy`);
    assert.deepEqual(await helmHead(), { revision: 1, status: "deployed" });
  });

  it("v0.3.1 with a planner that exits at once fails verification and prod rolls back to v0.3.0", async () => {
    writeFileSync(
      join(proj.source, "cmd/planner/main.go"),
      '// Command planner, deliberately broken for the end-to-end test: it exits at once.\npackage main\n\nimport "os"\n\nfunc main() { os.Exit(3) }\n',
    );
    proj.git("commit", "-qam", "broken planner");
    proj.git("tag", "v0.3.1");
    const t0 = Date.now();
    await assert.rejects(proj.stack.up(), (err: Error) => {
      const diagnostics = err.message.slice(err.message.indexOf("Diagnostics:"), err.message.indexOf("Outputs:"));
      process.stderr.write(`v0.3.1 failed after ${Math.round((Date.now() - t0) / 1000)}s:\n${diagnostics}\n`);
      assert.match(
        err.message,
        /verification of Helm release splai \(namespace [^,]+, revision 2\) failed: pod splai-splai-planner-[^,]+, container planner: CrashLoopBackOff/,
      );
      assert.match(err.message, /last run exited with code 3/);
      assert.match(err.message, /rolled back to revision 1 \(atomic\)/);
      return true;
    });
    // Helm's rollback is a new revision with v0.3.0's values; the old planner serves again.
    assert.deepEqual(await helmHead(), { revision: 3, status: "deployed" });
    const planner = (await pods()).filter((x) => x.metadata.labels["app.kubernetes.io/component"] === "planner");
    assert.deepEqual(
      planner.map((x) => x.spec.containers[0].image.split("@")[1]),
      [(v030.imageDigests.value as Record<string, string>).planner],
    );
    for (const c of SERVICES) assert.equal(await healthz(c), 200, `${c} /healthz after the rollback`);
    // A release that failed verification is not published.
    const gh = await p.github(`repos/${p.state.github.owner}/${p.state.github.repo}/releases/tags/v0.3.1`);
    assert.equal(gh.status, 404);
  });

  it("an unchanged re-run does not pass over the rollback: it says the release moved and how to redeploy", async () => {
    await assert.rejects(
      proj.stack.up(),
      /the release is at revision 3, not revision 2 that this update deployed .* run pulumi up --refresh/,
    );
  });
});
