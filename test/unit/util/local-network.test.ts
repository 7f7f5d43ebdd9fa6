// Which hosts count as this machine or the local network (no DNS), and so how many connections a
// large hub file is pulled over: several from an internet CDN, one from a mirror nearby.
import { describe, expect, it } from 'vitest';
import { connectionsFor, RANGED_CONNECTIONS, RANGED_MIN_BYTES } from '../../../electron/core/models/pull.js';
import { isLocalNetworkHost } from '../../../electron/core/util/net.js';

describe('isLocalNetworkHost', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.20',
    '169.254.10.1',
    '::1',
    '[::1]',
    'fd12:3456::1',
    'fe80::1',
    '::ffff:192.168.0.5',
    'localhost',
    'LOCALHOST',
    'mirror',
    'mirror.local',
    'models.lan',
    'hub.corp.internal',
    'nas.home.arpa',
    'x.localhost',
  ])('%s is local', (host) => expect(isLocalNetworkHost(host)).toBe(true));

  it.each(['huggingface.co', 'cdn-lfs.hf.co', '8.8.8.8', '172.32.0.1', '172.15.255.255', '192.169.0.1', '11.0.0.1', '2606:4700::1111', '::ffff:8.8.8.8', 'localhost.example.com', 'local.example.org'])(
    '%s is not',
    (host) => expect(isLocalNetworkHost(host)).toBe(false),
  );
});

describe('connectionsFor', () => {
  it('pulls a large file from the internet over several connections and from the local network over one', () => {
    expect(connectionsFor('https://huggingface.co/org/repo/resolve/main/m.gguf', RANGED_MIN_BYTES)).toBe(RANGED_CONNECTIONS);
    expect(connectionsFor('https://huggingface.co/org/repo/resolve/main/m.gguf', RANGED_MIN_BYTES, 8)).toBe(8);
    expect(connectionsFor('http://192.168.1.20:8080/org/repo/resolve/main/m.gguf', RANGED_MIN_BYTES * 4)).toBe(1);
    expect(connectionsFor('http://127.0.0.1:9/m.gguf', RANGED_MIN_BYTES * 4)).toBe(1);
  });

  it('pulls a small file over one connection wherever it is', () => {
    expect(connectionsFor('https://huggingface.co/org/repo/resolve/main/m.gguf', RANGED_MIN_BYTES - 1)).toBe(1);
  });
});
