// Streams are forwarded in whole SSE events, whatever the TCP chunking, so a final error event
// (cancel, engine crash) never lands in the middle of a half-sent event.
import { describe, expect, it } from 'vitest';
import { EventFramer } from '../../../electron/core/api/proxy.js';

const b = (s: string) => Buffer.from(s);

describe('EventFramer', () => {
  it('holds back an unfinished event until the chunk that completes it', () => {
    const f = new EventFramer();
    expect(f.push(b('data: {"a":1}\n\ndata: {"b"'))?.toString()).toBe('data: {"a":1}\n\n');
    expect(f.push(b(':2}'))).toBeNull();
    expect(f.push(b('\n\ndata: [DONE]\n\n'))?.toString()).toBe('data: {"b":2}\n\ndata: [DONE]\n\n');
    expect(f.rest()).toBeNull();
  });

  it('passes a chunk of whole events through unchanged and keeps a trailing fragment for the end', () => {
    const f = new EventFramer();
    const chunk = b('data: x\n\ndata: y\n\n');
    // The very same Buffer, not a new view of it: nothing is allocated per event in the usual case.
    expect(f.push(chunk)).toBe(chunk);
    expect(f.push(b('data: partial'))).toBeNull();
    expect(f.rest()?.toString()).toBe('data: partial');
  });

  it('finds a boundary that straddles two chunks', () => {
    const f = new EventFramer();
    expect(f.push(b('data: x\n'))).toBeNull();
    expect(f.push(b('\ndata: y'))?.toString()).toBe('data: x\n\n');
  });
});
