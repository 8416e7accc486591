// The platform's Kubernetes scheduler: places pods on the fake nodes or the real one.
import { startDetached } from "../procs";
import { bin, logOf, type Service } from "../service";

export const kubeScheduler: Service = {
  name: "kube-scheduler",
  ports: () => [],
  start: async (s) =>
    startDetached(
      bin("kube-scheduler"),
      [
        `--kubeconfig=${s.kubeconfig}`,
        `--authentication-kubeconfig=${s.kubeconfig}`,
        `--authorization-kubeconfig=${s.kubeconfig}`,
        "--leader-elect=false",
        "--secure-port=0",
      ],
      logOf(s, "kube-scheduler"),
      process.env,
    ),
  ready: async () => true,
  timeoutMs: 10_000,
  describe: () => "leader election off",
};
