// The platform's TLS registry (distribution), with an htpasswd user: where images and the chart are pushed.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../lib/exec";
import { fetchLocal } from "../../lib/local-http";
import { startDetached } from "../procs";
import { bin, data, logOf, type Service } from "../service";

export const registry: Service = {
  name: "registry",
  ports: (s) => [[s.ports.registry, "SPLAI_PORT_REGISTRY"]],
  async start(s, pki) {
    const htpasswd = join(s.dir, "registry.htpasswd");
    const hash = await run("htpasswd", ["-nbB", s.registry.username, s.registry.password], { timeoutMs: 30_000 });
    writeFileSync(htpasswd, hash.trim() + "\n", { mode: 0o600 });
    const config = join(s.dir, "registry.yml");
    writeFileSync(
      config,
      [
        "version: 0.1",
        "log: { level: info }",
        "storage:",
        `  filesystem: { rootdirectory: ${data(s, "registry")} }`,
        "  delete: { enabled: true }",
        "http:",
        `  addr: ${s.registry.address}`,
        `  secret: ${s.registry.password}`,
        `  tls: { certificate: ${pki.registryCert}, key: ${pki.registryKey} }`,
        "auth:",
        `  htpasswd: { realm: splai-local, path: ${htpasswd} }`,
        "",
      ].join("\n"),
      { mode: 0o600 },
    );
    return startDetached(bin("registry"), ["serve", config], logOf(s, "registry"), process.env);
  },
  ready: async (s, pki) => (await fetchLocal(`https://${s.registry.address}/v2/`, { pki })).status === 401,
  timeoutMs: 30_000,
  describe: (s) => `https://${s.registry.address} (user ${s.registry.username}, htpasswd)`,
};
