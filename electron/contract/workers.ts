// llama.cpp RPC workers: a second machine runs `llama-orch worker` (the engine's `rpc-server` under a
// supervisor) and the main node adds it by address. The worker answers GET /status on its status port
// (default: the RPC port + 1) with its devices; the main node polls that, never the RPC port itself,
// because rpc-server serves one client at a time and a probe there would wait behind a running engine.
import { z } from 'zod';

/** One device of a worker's rpc-server, as it reported it at start (`CPU`, `CUDA0`, …). */
export interface WorkerDevice {
  /** The device's name on the worker. */
  id: string;
  name: string;
  kind: 'cpu' | 'gpu';
  totalBytes: number | null;
  /** Free memory; for the CPU device the worker's available RAM now, for GPUs as reported at start. */
  freeBytes: number | null;
}

/** GET /status of a `llama-orch worker` (its status port). */
export interface WorkerStatus {
  version: string;
  /** `host:port` the rpc-server listens on. */
  endpoint: string;
  state: 'stopped' | 'starting' | 'ready' | 'stopping' | 'failed';
  reason: string | null;
  restarts: number;
  devices: WorkerDevice[];
  /** An engine of some main node is connected (rpc-server serves one client at a time). */
  clientConnected: boolean;
}

/** A worker registered on the main node (`<data>/workers.json`). */
export interface WorkerEntry {
  /** `host:port` of the worker's rpc-server. */
  address: string;
  /** Port of the worker's status endpoint on the same host. */
  statusPort: number;
  addedAt: string;
}

export type WorkerHealth = 'online' | 'offline' | 'unknown';

/** A registered worker with what its last health check found. */
export interface WorkerView extends WorkerEntry {
  health: WorkerHealth;
  /** Why it is offline or not usable, in words. */
  reason: string | null;
  checkedAt: string | null;
  devices: WorkerDevice[];
  clientConnected: boolean;
}

export interface WorkerListResponse {
  data: WorkerView[];
  /** Said wherever workers are shown: RPC traffic has no authentication and no encryption. */
  warning: string;
  /** Problems with the workers file (kept aside when corrupt). */
  problems: string[];
}

export const WORKERS_SCHEMA_VERSION = 1 as const;

export const RPC_SECURITY_WARNING =
  'RPC traffic between the main node and its workers is neither authenticated nor encrypted: anyone who can reach a worker can run code on its devices and read the model. Use workers only on a dedicated, trusted network.';

/** `host:port` with a host name, IPv4 or [IPv6] and a port 1–65535. */
export const workerAddressSchema = z
  .string()
  .trim()
  .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/, 'must be host:port (e.g. 192.168.1.20:50052)')
  .refine((s) => {
    const port = Number(s.slice(s.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1–65535');

export const workerAddSchema = z.object({ address: workerAddressSchema, statusPort: z.number().int().min(1).max(65535).optional() }).strict();

export const workersFileSchema = z.object({
  schemaVersion: z.literal(WORKERS_SCHEMA_VERSION),
  workers: z.array(z.object({ address: workerAddressSchema, statusPort: z.number().int().min(1).max(65535), addedAt: z.string() }).strict()),
});

/** Default status port: next to the RPC port. */
export function defaultStatusPort(address: string): number {
  const port = Number(address.slice(address.lastIndexOf(':') + 1));
  return port < 65535 ? port + 1 : port - 1;
}
