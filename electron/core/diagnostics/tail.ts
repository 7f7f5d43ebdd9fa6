// The end of a text file, streamed: engine and request logs can be large.
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** The last `n` lines of a text file (streamed: logs can be large), or none when it is missing. */
export async function tail(path: string, n: number): Promise<string[]> {
  if (!existsSync(path)) return [];
  const ring: string[] = [];
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) {
    ring.push(line);
    if (ring.length > n) ring.shift();
  }
  return ring;
}
