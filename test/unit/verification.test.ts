// The verification's rules: rollout completeness, crash loops that fail at once, foreign images, and the failure message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { failureMessage, fatalPodProblem, foreignImages, rolloutPending, serviceProxyPath, type PodJson } from "../../lib/verification";

const pod = (name: string, image: string, status: PodJson["status"] = {}, deleting = false): PodJson => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { nodeName: "n", containers: [{ name: "app", image }] },
  status,
});

describe("rolloutPending", () => {
  it("is done when every replica is updated and available and no old one is left", () => {
    const d = { kind: "Deployment", metadata: { name: "gw", generation: 2 }, spec: { replicas: 1 } };
    assert.equal(rolloutPending({ ...d, status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 } }), undefined);
    assert.match(rolloutPending({ ...d, status: { observedGeneration: 1 } })!, /has not seen the new spec/);
    assert.match(
      rolloutPending({ ...d, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 0 } })!,
      /0 of 1 replicas available/,
    );
    assert.match(
      rolloutPending({ ...d, status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 } })!,
      /1 old replica\(s\) still terminating/,
    );
  });

  it("counts a DaemonSet's scheduled pods", () => {
    const ds = { kind: "DaemonSet", metadata: { name: "w", generation: 1 } };
    assert.equal(
      rolloutPending({ ...ds, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 } }),
      undefined,
    );
    assert.match(rolloutPending({ ...ds, status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 0 } })!, /0 of 1 pods updated/);
  });
});

describe("fatalPodProblem", () => {
  it("names the pod, container, restarts and exit code of a crash loop", () => {
    const crashing = pod("planner-x", "img", {
      containerStatuses: [
        {
          name: "planner",
          image: "img",
          restartCount: 2,
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container" } },
          lastState: { terminated: { exitCode: 3, reason: "Error" } },
        },
      ],
    });
    assert.deepEqual(fatalPodProblem([crashing]), {
      pod: "planner-x",
      container: "planner",
      message: "CrashLoopBackOff after 2 restart(s); last run exited with code 3 (Error): back-off 20s restarting failed container",
    });
  });

  it("waits on states that may still resolve, and ignores terminating pods", () => {
    const pulling = pod("a", "img", { containerStatuses: [{ name: "a", image: "img", state: { waiting: { reason: "ContainerCreating" } } }] });
    const errPull = pod("b", "img", { containerStatuses: [{ name: "b", image: "img", state: { waiting: { reason: "ErrImagePull" } } }] });
    const old = pod("c", "img", { containerStatuses: [{ name: "c", image: "img", state: { waiting: { reason: "CrashLoopBackOff" } } }] }, true);
    assert.equal(fatalPodProblem([pulling, errPull, old]), undefined);
    const backoff = pod("d", "img", { containerStatuses: [{ name: "d", image: "img", state: { waiting: { reason: "ImagePullBackOff" } } }] });
    assert.equal(fatalPodProblem([backoff])?.message, "ImagePullBackOff");
  });
});

describe("foreignImages", () => {
  it("lists live containers that run something other than the released references", () => {
    const released = ["r/gw:1@sha256:aa", "r/planner:1@sha256:bb"];
    const pods = [pod("gw", "r/gw:1@sha256:aa"), pod("planner", "r/planner:0@sha256:00"), pod("old", "r/gw:0@sha256:11", {}, true)];
    assert.deepEqual(foreignImages(pods, released), ["planner/app runs r/planner:0@sha256:00"]);
  });
});

describe("messages", () => {
  it("builds the service proxy path", () => {
    assert.equal(serviceProxyPath("splai-system", "splai-splai-api-gateway"), "/api/v1/namespaces/splai-system/services/splai-splai-api-gateway:http/proxy");
  });

  it("says what failed, whether the release was rolled back, and what to do", () => {
    const base = { release: "splai", namespace: "ns", revision: 3, problem: "pod p, container c: CrashLoopBackOff" };
    const rolled = failureMessage({ ...base, rollback: { done: true, to: 2 } });
    assert.match(rolled, /^verification of Helm release splai \(namespace ns, revision 3\) failed: pod p, container c: CrashLoopBackOff/);
    assert.match(rolled, /rolled back to revision 2 \(atomic\)/);
    assert.match(rolled, /run pulumi up again/);
    const kept = failureMessage({ ...base, rollback: { done: false, why: "atomic is off for this stack" } });
    assert.match(kept, /not rolled back \(atomic is off for this stack\); it stays at revision 3/);
  });
});
