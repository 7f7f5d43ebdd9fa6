// Small network helpers: a free loopback port for an engine; where the API may listen.
import { lookup } from 'node:dns/promises';
import { createServer, isIP, isIPv4, isIPv6 } from 'node:net';

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Whether a bind failed because the port cannot be had, as opposed to a bad address: EADDRINUSE
 * (another program), and EACCES — what Windows answers for ports inside a range Hyper-V, WSL or
 * Docker reserved (`netsh interface ipv4 show excludedportrange protocol=tcp`), and POSIX for a
 * privileged port. Either way another port works.
 */
export function portUnavailable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

/** A bind error that says which port, why, and what to do; the code is kept for callers that fall back. */
export function listenError(err: NodeJS.ErrnoException, host: string, port: number): NodeJS.ErrnoException {
  if (!portUnavailable(err)) return err;
  const why =
    err.code === 'EADDRINUSE'
      ? 'another program is using it'
      : 'the system reserves it (on Windows, a range excluded by Hyper-V/WSL/Docker: `netsh interface ipv4 show excludedportrange protocol=tcp`; elsewhere, a privileged port)';
  return Object.assign(new Error(`cannot listen on ${host}:${port}: ${why}; choose another port (--port, or settings api.port), or 0 for a free one`), { code: err.code, cause: err });
}

/** A bind address decided from what the name resolves to, never from how it is spelled. */
export interface BindTarget {
  /** The address the server listens on: exactly the one checked. */
  address: string;
  /** Every address the name resolved to is a loopback address. */
  loopback: boolean;
}

/** Loopback by address: 127.0.0.0/8, ::1 and IPv4-mapped 127.x. `0.0.0.0` / `::` are all interfaces. */
export function isLoopbackAddress(address: string): boolean {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith('127.');
  return isIPv6(address) && /^(0{0,4}:){7}0{0,3}1$|^::1$/.test(address);
}

/**
 * Resolve `host` (an IP literal or a name, e.g. one from the hosts file) to the address to bind.
 * A name like `127.evil` that resolves to 0.0.0.0 is not loopback.
 */
export async function resolveBind(host: string): Promise<BindTarget> {
  if (isIP(host)) return { address: host, loopback: isLoopbackAddress(host) };
  let found: { address: string }[];
  try {
    found = await lookup(host, { all: true });
  } catch (err) {
    throw new Error(`cannot listen on '${host}': the name does not resolve (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (found.length === 0) throw new Error(`cannot listen on '${host}': the name resolves to no address`);
  return { address: found[0]!.address, loopback: found.every((a) => isLoopbackAddress(a.address)) };
}
