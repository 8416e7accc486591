// The platform's single-member etcd: the API server's store.
import { fetchLocal } from "../../lib/local-http";
import { startDetached } from "../procs";
import { bin, data, logOf, type Service } from "../service";

export const etcd: Service = {
  name: "etcd",
  ports: (s) => [
    [s.ports.etcdClient, "SPLAI_PORT_ETCD"],
    [s.ports.etcdPeer, "SPLAI_PORT_ETCD_PEER"],
  ],
  start: async (s) =>
    startDetached(
      bin("etcd"),
      [
        "--name=splai",
        `--data-dir=${data(s, "etcd")}`,
        `--listen-client-urls=http://127.0.0.1:${s.ports.etcdClient}`,
        `--advertise-client-urls=http://127.0.0.1:${s.ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.ports.etcdPeer}`,
        `--initial-cluster=splai=http://127.0.0.1:${s.ports.etcdPeer}`,
        "--quota-backend-bytes=2147483648",
        "--log-level=warn",
      ],
      logOf(s, "etcd"),
      process.env,
    ),
  ready: async (s) =>
    (await fetchLocal(`http://127.0.0.1:${s.ports.etcdClient}/health`)).body.includes('"health":"true"'),
  timeoutMs: 30_000,
  describe: (s) => `http://127.0.0.1:${s.ports.etcdClient}`,
};
