// Writing the support bundle: every entry is scrubbed of the secrets this process knows (the hub
// token, the admin token, engine keys) as a last line of defence behind the structured redaction,
// then zipped with yazl. The list of entries goes in as `index.txt` so a reader sees what is there.
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import { SECRET_REMOVED } from '../util/redact-secrets.js';
import type { BundleEntry } from './collect.js';

/** Replace every occurrence of each known secret (8+ characters: shorter strings are not secrets). */
export function scrubKnownSecrets(entries: BundleEntry[], secrets: (string | null | undefined)[]): BundleEntry[] {
  const known = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 8);
  return entries.map((e) => ({ name: e.name, text: known.reduce((t, s) => t.split(s).join(SECRET_REMOVED), e.text) }));
}

/** The zip as a stream: `index.txt` (every entry and its size) first, then the entries. */
export function bundleStream(entries: BundleEntry[]): NodeJS.ReadableStream {
  const zip = new yazl.ZipFile();
  const index = entries.map((e) => `${e.name}\t${Buffer.byteLength(e.text)} bytes`).join('\n') + '\n';
  zip.addBuffer(Buffer.from(index), 'index.txt');
  for (const e of entries) zip.addBuffer(Buffer.from(e.text), e.name);
  zip.end();
  return zip.outputStream;
}

export async function writeBundle(entries: BundleEntry[], outFile: string): Promise<{ file: string; entries: string[] }> {
  await pipeline(bundleStream(entries), createWriteStream(outFile, { flags: 'wx' }));
  return { file: outFile, entries: ['index.txt', ...entries.map((e) => e.name)] };
}
