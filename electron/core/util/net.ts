// Small network helpers: a free loopback port for an engine; where the API may listen; whether a
// server is on this machine or the local network.
import { lookup } from 'node:dns/promises';
import { BlockList, createServer, isIP, isIPv4, isIPv6 } from 'node:net';

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

/** Loopback, private (RFC 1918, unique-local IPv6) and link-local ranges. */
const LOCAL_NETWORKS = new BlockList();
for (const [net, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const)
  LOCAL_NETWORKS.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const)
  LOCAL_NETWORKS.addSubnet(net, bits, 'ipv6');

/**
 * Whether a URL's host is on this machine or the local network, by its address or its name
 * (`localhost`, a single-label intranet name, `.local`, `.lan`, `.internal`, `.home.arpa`) — without
 * a DNS lookup. A public name that resolves to a private address counts as remote.
 */
export function isLocalNetworkHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const v4 = host.startsWith('::ffff:') && isIPv4(host.slice(7)) ? host.slice(7) : host;
  if (isIPv4(v4)) return LOCAL_NETWORKS.check(v4, 'ipv4');
  if (isIPv6(host)) return LOCAL_NETWORKS.check(host, 'ipv6');
  return !host.includes('.') || /(^|\.)(localhost|local|lan|internal|home\.arpa)$/.test(host);
}
