// Test access to the running local platform: its env, registry client, Kubernetes API and GitHub emulator.
import { join } from "node:path";
import { OciClient } from "../../lib/oci";
import { fetchLocal } from "../../scripts/lib/local-http";
import { platformEnv, requirePlatform, type PlatformState } from "../../scripts/lib/platform-state";

export interface Platform {
  readonly state: PlatformState;
  readonly env: NodeJS.ProcessEnv;
  readonly registry: OciClient;
  /** GET/POST against the API server as the admin user; returns status and parsed JSON. */
  kube(path: string, method?: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }>;
  /** Request to the GitHub emulator's API with the platform token. */
  github(path: string, init?: RequestInit): Promise<Response>;
}

export function platform(): Platform {
  const state = requirePlatform();
  const pki = { ca: join(state.dir, "pki", "ca.pem"), adminCert: join(state.dir, "pki", "admin.pem"), adminKey: join(state.dir, "pki", "admin-key.pem") };
  return {
    state,
    env: platformEnv(state),
    registry: new OciClient(state.registry.address, { username: state.registry.username, password: state.registry.password }),
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
        headers: { authorization: `Bearer ${state.github.token}`, accept: "application/vnd.github+json", ...(init.headers ?? {}) },
      }),
  };
}

/** Polls until `check` returns a value, or fails after `timeoutMs` with the last error. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${what}: not true after ${timeoutMs / 1000}s${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ""}`);
}
