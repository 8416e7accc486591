// The real node's container runtime (`--node real`): containerd with runc and a CNI bridge (see ../real-node.ts).
import { join } from "node:path";
import { stop } from "../procs";
import { cleanupNode, containerdReady, nodeDir, startContainerd } from "../real-node";
import { logOf, type Service } from "../service";

export const containerd: Service = {
  name: "containerd",
  node: "real",
  ports: () => [],
  start: async (s, pki) => startContainerd(s, pki, logOf(s, "containerd")),
  ready: async (s) => containerdReady(s),
  timeoutMs: 60_000,
  describe: (s) =>
    `unix://${join(nodeDir(s), "containerd.sock")} (bridge ${s.node.real.bridge} ${s.node.real.subnet}, cgroup ${s.node.real.cgroupRoot})`,
  async stop(s, _pki, rec) {
    await stop(rec);
    await cleanupNode(s);
  },
};
