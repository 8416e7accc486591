// The platform's Kubernetes API server on etcd, serving with the platform CA's certificates.
import { fetchLocal } from "../../lib/local-http";
import { startDetached } from "../procs";
import { bin, data, logOf, type Service } from "../service";

export const kubeApiserver: Service = {
  name: "kube-apiserver",
  ports: (s) => [[s.ports.apiserver, "SPLAI_PORT_APISERVER"]],
  start: async (s, pki) =>
    startDetached(
      bin("kube-apiserver"),
      [
        `--etcd-servers=http://127.0.0.1:${s.ports.etcdClient}`,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        `--secure-port=${s.ports.apiserver}`,
        `--cert-dir=${data(s, "apiserver")}`,
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.ca}`,
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--authorization-mode=RBAC",
        "--endpoint-reconciler-type=none",
        "--allow-privileged=true",
        "--enable-priority-and-fairness=false",
        // Logs and exec on the real node: the kubelet trusts the platform CA's admin certificate.
        `--kubelet-client-certificate=${pki.adminCert}`,
        `--kubelet-client-key=${pki.adminKey}`,
        "--kubelet-preferred-address-types=InternalIP",
      ],
      logOf(s, "kube-apiserver"),
      process.env,
    ),
  ready: async (s, pki) => (await fetchLocal(`https://127.0.0.1:${s.ports.apiserver}/readyz`, { pki })).status === 200,
  timeoutMs: 120_000,
  describe: (s) => `https://127.0.0.1:${s.ports.apiserver} (kubeconfig ${s.kubeconfig})`,
};
