// The real node's kubelet (`--node real`): the one node that runs pods for real (see ../real-node.ts).
import { stop } from "../procs";
import { deleteNodes, drain, kubeletReady, nodeIp, startKubelet } from "../real-node";
import { logOf, type Service } from "../service";

export const kubelet: Service = {
  name: "kubelet",
  node: "real",
  ports: (s) => [[s.ports.kubelet, "SPLAI_PORT_KUBELET"]],
  async start(s, pki) {
    // Pods must land on the node that runs them: the fake nodes leave (their pods are collected and recreated here).
    await deleteNodes(s, pki, s.nodes);
    return startKubelet(s, pki, logOf(s, "kubelet"));
  },
  ready: kubeletReady,
  timeoutMs: 120_000,
  describe: (s) => `node ${s.node.real.name} at ${nodeIp(s)}:${s.ports.kubelet}`,
  async stop(s, pki, rec) {
    await drain(s, pki).catch(() => undefined);
    await stop(rec);
    await deleteNodes(s, pki, [s.node.real.name]).catch(() => undefined);
  },
};
