// Loopback is decided on resolved addresses, never on how the host is spelled.
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, resolveBind } from '../../../electron/core/util/net.js';

describe('bind address', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['::ffff:127.0.0.1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
    ['127.example', false],
  ])('%s is loopback: %s', (a, want) => {
    expect(isLoopbackAddress(a)).toBe(want);
  });

  it('resolves names and binds exactly the address checked', async () => {
    expect(await resolveBind('127.0.0.1')).toEqual({ address: '127.0.0.1', loopback: true });
    expect(await resolveBind('0.0.0.0')).toEqual({ address: '0.0.0.0', loopback: false });
    const local = await resolveBind('localhost');
    expect(local.loopback).toBe(true);
    expect(isLoopbackAddress(local.address)).toBe(true);
  });

  it('refuses a name that does not resolve, saying so', async () => {
    await expect(resolveBind('127.no-such-host.invalid')).rejects.toThrow(/does not resolve/);
  });
});
