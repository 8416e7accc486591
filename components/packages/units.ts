// What the Linux packages hold: splaictl on its own, and the worker agent with a systemd unit that runs it.
import type { LinuxPackage } from "./contract";

/** The worker agent's systemd unit: started after the network, restarted on failure, its environment from config. */
export function workerUnit(environment: Readonly<Record<string, string>>): string {
  const env = Object.entries(environment)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `Environment="${k}=${v}"\n`)
    .join("");
  return (
    "[Unit]\nDescription=SPLAI worker agent\nWants=network-online.target\nAfter=network-online.target\n\n" +
    "[Service]\nExecStart=/usr/bin/splai-worker\n" +
    env +
    "EnvironmentFile=-/etc/default/splai-worker\nRestart=on-failure\nRestartSec=5\nDynamicUser=yes\nStateDirectory=splai\n\n" +
    "[Install]\nWantedBy=multi-user.target\n"
  );
}

/** splaictl, and the worker agent (release binary splai-worker) with its unit. */
export function linuxPackages(workerEnvironment: Readonly<Record<string, string>>): LinuxPackage[] {
  return [
    {
      name: "splaictl",
      binary: "splaictl",
      description: "SPLAI command line: submit work, inspect and verify a control plane",
    },
    {
      name: "splai-worker",
      binary: "splai-worker",
      description: "SPLAI worker agent: runs tasks for a SPLAI control plane",
      unit: workerUnit(workerEnvironment),
    },
  ];
}
