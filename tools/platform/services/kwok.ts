// The default fake nodes (kwok): pods are marked Ready without a container runtime.
import { realpathSync } from "node:fs";
import { dirname, join } from "node:path";
import { fetchLocal } from "../../lib/local-http";
import { UserError } from "../../lib/log";
import type { Pki } from "../certs";
import { startDetached } from "../procs";
import { deleteNodes } from "../real-node";
import { bin, logOf, type Service } from "../service";
import type { PlatformState } from "../state";

export const kwok: Service = {
  name: "kwok",
  node: "fake",
  ports: () => [],
  async start(s, pki) {
    await deleteNodes(s, pki, [s.node.real.name]);
    const rec = startDetached(
      bin("kwok"),
      [
        `--kubeconfig=${s.kubeconfig}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--manage-nodes-with-label-selector=",
        // kwok 0.8 has no built-in behaviour: the toolchain ships its default stages next to the binary.
        `--config=${join(dirname(realpathSync(bin("kwok"))), "kwok-stages.yaml")}`,
        "--cidr=10.0.0.1/24",
        "--node-ip=10.0.0.1",
        "--node-lease-duration-seconds=40",
      ],
      logOf(s, "kwok"),
      process.env,
    );
    for (const node of s.nodes) await ensureFakeNode(s, pki, node);
    return rec;
  },
  async ready(s, pki) {
    for (const node of s.nodes) {
      const r = await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/api/v1/nodes/${node}`, { pki });
      if (r.status !== 200) return false;
      const conds =
        (JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ??
        [];
      if (!conds.some((c) => c.type === "Ready" && c.status === "True")) return false;
    }
    return true;
  },
  timeoutMs: 60_000,
  describe: (s) => `fake nodes ${s.nodes.join(", ")}`,
};

async function ensureFakeNode(s: PlatformState, pki: Pki, name: string): Promise<void> {
  const url = `https://127.0.0.1:${s.ports.apiserver}/api/v1/nodes`;
  if ((await fetchLocal(`${url}/${name}`, { pki })).status === 200) return;
  const node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
      labels: {
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/role": "agent",
        "node-role.kubernetes.io/agent": "",
        type: "kwok",
      },
    },
    spec: {},
    status: {
      allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
      capacity: { cpu: "32", memory: "256Gi", pods: "110" },
      nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake", kubeProxyVersion: "fake" },
    },
  };
  const r = await fetchLocal(url, { pki, method: "POST", body: JSON.stringify(node) });
  if (r.status !== 201 && r.status !== 409)
    throw new UserError(`could not create fake node ${name}: HTTP ${r.status} ${r.body}`);
}
