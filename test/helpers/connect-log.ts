// Reading `strace -f -e trace=connect` output: every connect() with its destination, and whether
// that destination is on this machine (loopback address or a unix socket).

export interface ConnectCall {
  family: string;
  destination: string;
  local: boolean;
}

const FAMILY = /sa_family=(AF_[A-Z0-9]+)/;
const INET4 = /sin_addr=inet_addr\("([^"]+)"\)/;
const INET6 = /inet_pton\(AF_INET6, "([^"]+)"/;
const PORT = /sin6?_port=htons\((\d+)\)/;
const UNIX = /sun_path=(@?"[^"]*"|@[^,}]*)/;

export function parseConnectLog(text: string): ConnectCall[] {
  const calls: ConnectCall[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('connect(')) continue;
    const family = FAMILY.exec(line)?.[1] ?? 'unknown';
    const port = PORT.exec(line)?.[1] ?? '?';
    if (family === 'AF_INET') {
      const addr = INET4.exec(line)?.[1] ?? '?';
      calls.push({ family, destination: `${addr}:${port}`, local: addr.startsWith('127.') });
    } else if (family === 'AF_INET6') {
      const addr = INET6.exec(line)?.[1] ?? '?';
      calls.push({ family, destination: `[${addr}]:${port}`, local: addr === '::1' || /^::ffff:127\./.test(addr) });
    } else if (family === 'AF_UNIX' || family === 'AF_LOCAL') {
      calls.push({ family, destination: UNIX.exec(line)?.[1] ?? '(unnamed)', local: true });
    } else if (family === 'AF_UNSPEC') {
      // connect(AF_UNSPEC) dissolves a UDP association: it reaches nowhere.
      calls.push({ family, destination: '(disconnect)', local: true });
    } else {
      calls.push({ family, destination: line.trim().slice(0, 200), local: false });
    }
  }
  return calls;
}

/** Destination → count, loopback and remote apart: the summary the note quotes. */
export function summarize(calls: ConnectCall[]): { total: number; local: Record<string, number>; remote: Record<string, number> } {
  const out = { total: calls.length, local: {} as Record<string, number>, remote: {} as Record<string, number> };
  for (const c of calls) {
    const key = c.family === 'AF_INET' || c.family === 'AF_INET6' ? `${c.family} ${c.destination.replace(/:\d+$/, ':*')}` : `${c.family} ${c.destination}`;
    const bucket = c.local ? out.local : out.remote;
    bucket[key] = (bucket[key] ?? 0) + 1;
  }
  return out;
}
