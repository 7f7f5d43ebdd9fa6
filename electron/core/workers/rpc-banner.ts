// What llama.cpp's rpc-server says on stdout, read line by line (pure): its devices with memory at
// start (`  CPU: <description> (64000 MiB, 60000 MiB free)` under `Devices:`), and whether a client
// is connected (`Accepted client connection` / `Client connection closed`; it serves one at a time).
import type { WorkerDevice } from '../../contract/workers.js';

const MIB = 1024 * 1024;
const DEVICE = /^\s+([A-Za-z][\w.:-]*):\s+(.*?)\s+\((\d+) MiB, (\d+) MiB free\)\s*$/;

export interface RpcServerView {
  devices: WorkerDevice[];
  clientConnected: boolean;
  /** The banner ended (the `transport` line): the server is about to accept connections. */
  listening: boolean;
}

export function emptyRpcView(): RpcServerView {
  return { devices: [], clientConnected: false, listening: false };
}

/** Folds one stdout line into the view; returns the same object, changed in place. */
export function applyRpcLine(view: RpcServerView, line: string): RpcServerView {
  if (/^Starting RPC server/.test(line)) {
    view.devices = [];
    view.listening = false;
    view.clientConnected = false;
    return view;
  }
  const m = DEVICE.exec(line);
  if (m && !view.listening) {
    const id = m[1]!;
    view.devices.push({ id, name: m[2]!, kind: /^CPU/i.test(id) ? 'cpu' : 'gpu', totalBytes: Number(m[3]) * MIB, freeBytes: Number(m[4]) * MIB });
  } else if (/^\s+transport\s*:/.test(line)) view.listening = true;
  else if (/^Accepted client connection/.test(line)) view.clientConnected = true;
  else if (/^Client connection closed/.test(line)) view.clientConnected = false;
  return view;
}
