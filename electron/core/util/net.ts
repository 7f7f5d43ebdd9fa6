// Small network helpers: a free loopback port for an engine.
import { createServer } from 'node:net';

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
