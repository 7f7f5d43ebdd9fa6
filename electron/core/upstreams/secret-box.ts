// Secrets this core must send on (an upstream's API key) cannot be hashed like our own keys: they are
// encrypted with AES-256-GCM under a random key of this data dir (`secret.key`, mode 0600), as Grafana
// does for data-source passwords. The upstreams file, copied into a kit, a bundle or a backup, then
// holds no usable key; the plaintext lives only in memory while the core sends it.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write.js';

const VERSION = 'v1';

export class SecretBox {
  private key: Buffer | null = null;

  constructor(private readonly keyFile: string) {}

  seal(plain: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.secretKey(true), iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return [VERSION, iv.toString('base64'), c.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** The plaintext, or an Error saying why it cannot be read (a lost or replaced secret.key). */
  open(sealed: string): string {
    const [v, iv, tag, body] = sealed.split(':');
    if (v !== VERSION || !iv || !tag || body === undefined) throw new Error('the stored key has an unknown format');
    const key = this.secretKey(false);
    try {
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64')), d.final()]).toString('utf8');
    } catch {
      throw new Error(`the stored key cannot be decrypted with ${this.keyFile} (was it replaced?); add the upstream again with its key`);
    }
  }

  private secretKey(create: boolean): Buffer {
    if (this.key) return this.key;
    if (existsSync(this.keyFile)) {
      const k = Buffer.from(readFileSync(this.keyFile, 'utf8').trim(), 'base64');
      if (k.length !== 32) throw new Error(`${this.keyFile} is not a 32-byte base64 key`);
      return (this.key = k);
    }
    if (!create) throw new Error(`${this.keyFile} is missing; add the upstream again with its key`);
    const k = randomBytes(32);
    writeFileAtomic(this.keyFile, `${k.toString('base64')}\n`, 0o600);
    return (this.key = k);
  }
}
