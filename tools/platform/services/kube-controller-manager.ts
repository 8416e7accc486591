// The platform's Kubernetes controller manager: turns deployments into pods, gives namespaces their ServiceAccount.
import { fetchLocal } from "../../lib/local-http";
import { startDetached } from "../procs";
import { bin, logOf, type Service } from "../service";

export const kubeControllerManager: Service = {
  name: "kube-controller-manager",
  ports: () => [],
  start: async (s, pki) =>
    startDetached(
      bin("kube-controller-manager"),
      [
        `--kubeconfig=${s.kubeconfig}`,
        `--authentication-kubeconfig=${s.kubeconfig}`,
        `--authorization-kubeconfig=${s.kubeconfig}`,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        "--secure-port=0",
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.ca}`,
        `--cluster-signing-cert-file=${pki.ca}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        "--controllers=*,-nodeipam,-route,-service,-cloud-node-lifecycle",
        "--use-service-account-credentials=false",
      ],
      logOf(s, "kube-controller-manager"),
      process.env,
    ),
  // Ready once the service-account controller has created the default ServiceAccount, which pods need.
  ready: async (s, pki) =>
    (
      await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/api/v1/namespaces/default/serviceaccounts/default`, {
        pki,
      })
    ).status === 200,
  timeoutMs: 60_000,
  describe: () => "leader election off",
};
