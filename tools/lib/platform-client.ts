// The running local platform as tests and benchmarks use it: env, registry client, Kubernetes API, GitHub emulator.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { repoRoot } from "./paths";
import { OciClient } from "../../shared/oci";
import { fetchLocal } from "./local-http";
import { platformEnv, requirePlatform, type PlatformState } from "../platform/state";

export interface Platform {
  readonly state: PlatformState;
  readonly env: NodeJS.ProcessEnv;
  readonly registry: OciClient;
  /** GET/POST against the API server as the admin user; returns status and parsed JSON. */
  kube(path: string, method?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Request to the GitHub emulator's API with the platform token. */
  github(path: string, init?: RequestInit): Promise<Response>;
  /** The emulator's admin API: inject a fault, read the request log, clear faults. */
  emulator(path: "faults" | "requests", method?: string, body?: unknown): Promise<unknown>;
  /** Runs `npm run platform -- <args>` (stop a service, bring everything up again). */
  platformCmd(...args: string[]): string;
  /** The Helm release `splai` in a namespace as Helm stores it (values, chart, status), read from its deployed Secret. */
  helmRelease(namespace: string, status?: string): Promise<HelmRelease[]>;
}

export interface HelmRelease {
  version: number;
  info: { status: string };
  chart: { metadata: { version: string } };
  config: Record<string, unknown>;
}

export function platform(): Platform {
  const state = requirePlatform();
  const pki = {
    ca: join(state.dir, "pki", "ca.pem"),
    adminCert: join(state.dir, "pki", "admin.pem"),
    adminKey: join(state.dir, "pki", "admin-key.pem"),
  };
  return {
    state,
    env: platformEnv(state),
    registry: new OciClient(state.registry.address, {
      username: state.registry.username,
      password: state.registry.password,
    }),
    kube: async (path, method = "GET", body) => {
      const r = await fetchLocal(`https://127.0.0.1:${state.ports.apiserver}${path}`, {
        pki,
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        timeoutMs: 15_000,
      });
      return { status: r.status, json: r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {} };
    },
    github: (path, init = {}) =>
      fetch(new URL(path.replace(/^\//, ""), `${state.github.url}api/v3/`), {
        ...init,
        headers: {
          authorization: `Bearer ${state.github.token}`,
          accept: "application/vnd.github+json",
          ...(init.headers ?? {}),
        },
      }),
    emulator: async (path, method = "GET", body) => {
      const r = await fetch(new URL(`_emulator/${path}`, state.github.url), {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
      if (!r.ok) throw new Error(`emulator ${method} ${path}: HTTP ${r.status} ${await r.text()}`);
      return r.status === 204 ? undefined : await r.json();
    },
    platformCmd: (...args) =>
      execFileSync(process.execPath, ["--import", "tsx", join(repoRoot, "tools", "platform", "main.ts"), ...args], {
        cwd: repoRoot,
        encoding: "utf8",
        stdio: "pipe",
      }),
    helmRelease: async (namespace, status) => {
      const sel = `owner%3Dhelm,name%3Dsplai${status ? `,status%3D${status}` : ""}`;
      const r = await fetchLocal(
        `https://127.0.0.1:${state.ports.apiserver}/api/v1/namespaces/${namespace}/secrets?labelSelector=${sel}`,
        {
          pki,
          timeoutMs: 15_000,
        },
      );
      const items = (JSON.parse(r.body) as { items: { data: { release: string } }[] }).items;
      // Helm stores base64(gzip(JSON)) in the Secret's data, which the API base64-encodes once more.
      return items
        .map(
          (i) =>
            JSON.parse(
              gunzipSync(Buffer.from(Buffer.from(i.data.release, "base64").toString("utf8"), "base64")).toString(
                "utf8",
              ),
            ) as HelmRelease,
        )
        .sort((a, b) => a.version - b.version);
    },
  };
}
