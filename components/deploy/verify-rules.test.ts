// The verification's rules: rollout completeness, crash loops that fail at once, foreign images, and the failure message.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { labelSelector, parseReleaseManifest, proxyPort, serviceForImage } from "./helm-manifest";
import {
  failureMessage,
  fatalPodProblem,
  foreignImages,
  rolloutPending,
  serviceProxyPath,
  type PodJson,
} from "./verify-rules";

const pod = (name: string, image: string, status: PodJson["status"] = {}, deleting = false): PodJson => ({
  metadata: { name, ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}) },
  spec: { nodeName: "n", containers: [{ name: "app", image }] },
  status,
});

describe("rolloutPending", () => {
  it("is done when every replica is updated and available and no old one is left", () => {
    const d = { kind: "Deployment", metadata: { name: "gw", generation: 2 }, spec: { replicas: 1 } };
    assert.equal(
      rolloutPending({
        ...d,
        status: { observedGeneration: 2, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
      }),
      undefined,
    );
    assert.match(rolloutPending({ ...d, status: { observedGeneration: 1 } })!, /has not seen the new spec/);
    assert.match(
      rolloutPending({
        ...d,
        status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 0 },
      })!,
      /0 of 1 replicas available/,
    );
    assert.match(
      rolloutPending({
        ...d,
        status: { observedGeneration: 2, replicas: 2, updatedReplicas: 1, availableReplicas: 1 },
      })!,
      /1 old replica\(s\) still terminating/,
    );
  });

  it("counts a DaemonSet's scheduled pods", () => {
    const ds = { kind: "DaemonSet", metadata: { name: "w", generation: 1 } };
    assert.equal(
      rolloutPending({
        ...ds,
        status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 1, numberAvailable: 1 },
      }),
      undefined,
    );
    assert.match(
      rolloutPending({
        ...ds,
        status: { observedGeneration: 1, desiredNumberScheduled: 1, updatedNumberScheduled: 0 },
      })!,
      /0 of 1 pods updated/,
    );
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
      message:
        "CrashLoopBackOff after 2 restart(s); last run exited with code 3 (Error): back-off 20s restarting failed container",
    });
  });

  it("waits on states that may still resolve, and ignores terminating pods", () => {
    const pulling = pod("a", "img", {
      containerStatuses: [{ name: "a", image: "img", state: { waiting: { reason: "ContainerCreating" } } }],
    });
    const errPull = pod("b", "img", {
      containerStatuses: [{ name: "b", image: "img", state: { waiting: { reason: "ErrImagePull" } } }],
    });
    const old = pod(
      "c",
      "img",
      { containerStatuses: [{ name: "c", image: "img", state: { waiting: { reason: "CrashLoopBackOff" } } }] },
      true,
    );
    assert.equal(fatalPodProblem([pulling, errPull, old]), undefined);
    const backoff = pod("d", "img", {
      containerStatuses: [{ name: "d", image: "img", state: { waiting: { reason: "ImagePullBackOff" } } }],
    });
    assert.equal(fatalPodProblem([backoff])?.message, "ImagePullBackOff");
  });
});

describe("foreignImages", () => {
  it("lists live containers that run something other than the released references", () => {
    const released = ["r/gw:1@sha256:aa", "r/planner:1@sha256:bb"];
    const pods = [
      pod("gw", "r/gw:1@sha256:aa"),
      pod("planner", "r/planner:0@sha256:00"),
      pod("old", "r/gw:0@sha256:11", {}, true),
    ];
    assert.deepEqual(foreignImages(pods, released), ["planner/app runs r/planner:0@sha256:00"]);
  });
});

describe("messages", () => {
  it("builds the service proxy path", () => {
    assert.equal(
      serviceProxyPath("splai-system", "splai-splai-api-gateway"),
      "/api/v1/namespaces/splai-system/services/splai-splai-api-gateway:http/proxy",
    );
  });

  it("says what failed, whether the release was rolled back, and what to do", () => {
    const base = { release: "splai", namespace: "ns", revision: 3, problem: "pod p, container c: CrashLoopBackOff" };
    const rolled = failureMessage({ ...base, rollback: { done: true, to: 2 } });
    assert.match(
      rolled,
      /^verification of Helm release splai \(namespace ns, revision 3\) failed: pod p, container c: CrashLoopBackOff/,
    );
    assert.match(rolled, /rolled back to revision 2 \(atomic\)/);
    assert.match(rolled, /run pulumi up again/);
    const kept = failureMessage({ ...base, rollback: { done: false, why: "atomic is off for this stack" } });
    assert.match(kept, /not rolled back \(atomic is off for this stack\); it stays at revision 3/);
  });
});

// Rendered the way SPLAI's own chart renders (759767f): no app.kubernetes.io/* labels at all, only `app: <fullname>-<part>`.
const LABELLESS_MANIFEST = `---
# Source: splai/templates/api-gateway.yaml
apiVersion: v1
kind: Service
metadata:
  name: splai-splai-api-gateway
spec:
  type: ClusterIP
  selector:
    app: splai-splai-api-gateway
  ports:
    - name: http
      port: 8080
      targetPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: splai-splai-planner
spec:
  selector:
    app: splai-splai-planner
  ports:
    - port: 8081
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: splai-splai-api-gateway
spec:
  replicas: 2
  selector:
    matchLabels:
      app: splai-splai-api-gateway
  template:
    metadata:
      labels:
        app: splai-splai-api-gateway
    spec:
      containers:
        - name: api-gateway
          image: "reg/o/splai-api-gateway:sha-1@sha256:${"a".repeat(64)}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: splai-splai-planner
spec:
  selector:
    matchLabels:
      app: splai-splai-planner
  template:
    metadata:
      labels:
        app: splai-splai-planner
    spec:
      containers:
        - name: planner
          image: "reg/o/splai-planner:sha-1@sha256:${"b".repeat(64)}"
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: splai-splai-worker
spec:
  selector:
    matchLabels:
      app: splai-splai-worker
  template:
    metadata:
      labels:
        app: splai-splai-worker
    spec:
      containers:
        - name: worker
          image: "reg/o/splai-worker-agent:sha-1@sha256:${"c".repeat(64)}"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: unrelated
data: {}
`;

describe("the release's objects from Helm's manifest (a chart that sets no labels)", () => {
  const m = parseReleaseManifest(LABELLESS_MANIFEST);

  it("finds every Deployment and DaemonSet with the selector of its pods", () => {
    assert.deepEqual(
      m.workloads.map((w) => [w.kind, w.name, labelSelector(w.selector, w.name)]),
      [
        ["Deployment", "splai-splai-api-gateway", "app=splai-splai-api-gateway"],
        ["Deployment", "splai-splai-planner", "app=splai-splai-planner"],
        ["DaemonSet", "splai-splai-worker", "app=splai-splai-worker"],
      ],
    );
  });

  it("finds a component's Service by the workload running its released image", () => {
    const gw = serviceForImage(m, `reg/o/splai-api-gateway:sha-1@sha256:${"a".repeat(64)}`);
    assert.equal(gw?.workload.name, "splai-splai-api-gateway");
    assert.equal(gw.service?.name, "splai-splai-api-gateway");
    assert.equal(proxyPort(gw.service), "http");
    // An unnamed port is addressed by number through the service proxy.
    const planner = serviceForImage(m, `reg/o/splai-planner:sha-1@sha256:${"b".repeat(64)}`);
    assert.equal(proxyPort(planner!.service!), "8081");
    // The worker has no Service; an image nobody runs has no workload.
    assert.equal(serviceForImage(m, `reg/o/splai-worker-agent:sha-1@sha256:${"c".repeat(64)}`)?.service, undefined);
    assert.equal(serviceForImage(m, "reg/o/other:1"), undefined);
  });

  it("refuses an empty selector instead of matching every pod", () => {
    assert.throws(() => labelSelector({}, "Deployment x"), /Deployment x has no spec.selector.matchLabels/);
  });
});
