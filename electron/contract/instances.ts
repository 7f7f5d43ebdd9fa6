// Engine instances: one supervised llama-server process serving one model.

export type InstanceState = 'starting' | 'ready' | 'stopping' | 'stopped' | 'failed';

export interface InstanceInfo {
  id: string;
  /** The model id requests are routed by (`model` in /v1 bodies). */
  modelId: string;
  modelPath: string;
  enginePath: string;
  state: InstanceState;
  /** Why the instance failed (the engine's own last error line where there is one). */
  reason: string | null;
  pid: number | null;
  /** Loopback port of the engine process (never exposed beyond 127.0.0.1). */
  port: number | null;
  restarts: number;
  /** Times the engine stopped answering /health after it was ready and was killed for it (liveness). */
  hangs?: number;
  startedAt: string | null;
  readyAt: string | null;
  /** Command line arguments the engine was started with (without the per-instance API key). */
  argv: string[];
  /** Where the planner put it (absent when the engine's own defaults were used). */
  placement?: InstancePlacement | null;
}

/** The part of a placement plan the UI shows for a running instance. */
export interface InstancePlacement {
  /** "CPU: 6/6 layers, 29 MiB of 20.9 GiB RAM free; context 2048 × 4 slots" */
  summary: string;
  contextSize: number;
  parallel: number;
  /** `gpuIndex` is the snapshot's GPU index (null for the CPU). */
  devices: { id: string; name: string; gpuIndex: number | null; layers: number; totalBytes: number }[];
}

export interface StartInstanceRequest {
  /** Model id from the library, or a path to a GGUF file. */
  model: string;
  /** Engine id or path to a llama-server binary; default: the newest installed engine. */
  engine?: string;
  contextSize?: number;
  parallel?: number;
}

export interface LogLine {
  /** Monotonic sequence number within the instance, for resuming a tail. */
  seq: number;
  time: string;
  stream: 'stdout' | 'stderr' | 'supervisor';
  level: 'debug' | 'info' | 'warn' | 'error';
  text: string;
}
