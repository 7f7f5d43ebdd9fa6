// The gateway parses llama-server's answers itself (electron/core/http/http1-response.ts): every
// framing HTTP/1.1 allows, split at every possible byte, must give back exactly the body bytes.
import { describe, expect, it } from 'vitest';
import { Http1ParseError, ResponseParser } from '../../../electron/core/http/http1-response.js';

const b = (s: string) => Buffer.from(s, 'latin1');

/** Feed `wire` in pieces cut at `cuts`; returns the parser and the body it produced. */
function feed(wire: string, cuts: number[] = [], bodiless = false): { p: ResponseParser; body: string } {
  const p = new ResponseParser(bodiless);
  const parts: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, wire.length]) {
    parts.push(...p.push(b(wire.slice(at, cut))));
    at = cut;
  }
  return { p, body: Buffer.concat(parts).toString('latin1') };
}

const SSE =
  'HTTP/1.1 200 OK\r\nServer: llama.cpp\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nKeep-Alive: timeout=5, max=100\r\n\r\n' +
  'b\r\ndata: one\n\n\r\n' +
  'b\r\ndata: two\n\n\r\n' +
  '0\r\n\r\n';

describe('ResponseParser', () => {
  it('parses status, headers (lower-cased) and a chunked SSE body', () => {
    const { p, body } = feed(SSE);
    expect(p.head).toEqual({ status: 200, headers: { server: 'llama.cpp', 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked', 'keep-alive': 'timeout=5, max=100' } });
    expect(body).toBe('data: one\n\ndata: two\n\n');
    expect(p.done).toBe(true);
  });

  it('gives the same body whatever the reads are cut into (every single cut point, and byte by byte)', () => {
    for (let cut = 1; cut < SSE.length; cut++) {
      const { p, body } = feed(SSE, [cut]);
      expect(body, `cut at ${cut}`).toBe('data: one\n\ndata: two\n\n');
      expect(p.done).toBe(true);
    }
    const { p, body } = feed(
      SSE,
      Array.from({ length: SSE.length - 1 }, (_, i) => i + 1),
    );
    expect(body).toBe('data: one\n\ndata: two\n\n');
    expect(p.done).toBe(true);
  });

  it('hands body bytes back as views of the read, not copies', () => {
    const p = new ResponseParser();
    p.push(b('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
    const read = b('hello');
    const [part] = p.push(read);
    expect(part!.buffer).toBe(read.buffer);
    expect(p.done).toBe(true);
  });

  it('reads a Content-Length body and is done exactly at its end', () => {
    const { p, body } = feed('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"error":1}', [30, 60]);
    expect(p.head!.status).toBe(400);
    expect(body).toBe('{"error":1}');
    expect(p.done).toBe(true);
  });

  it('is not done before the last byte of a Content-Length body arrived', () => {
    const { p } = feed('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n12345');
    expect(p.done).toBe(false);
    expect(p.end()).toBe(false); // the connection closing now means a truncated answer
  });

  it('ignores chunk extensions and trailers', () => {
    const { p, body } = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\nY: 2\r\n\r\n', [20, 50, 70]);
    expect(body).toBe('hello world');
    expect(p.done).toBe(true);
  });

  it('reads upper-case hex chunk sizes with spaces around them', () => {
    const { p, body } = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n A \r\n0123456789\r\n\t1;x=1\r\n!\r\n0\r\n\r\n', [30, 31]);
    expect(body).toBe('0123456789!');
    expect(p.done).toBe(true);
  });

  it('has no body for 204, 304 and HEAD, and none for Content-Length 0', () => {
    expect(feed('HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n').p.done).toBe(true);
    expect(feed('HTTP/1.1 304 Not Modified\r\n\r\n').p.done).toBe(true);
    expect(feed('HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n', [], true).p.done).toBe(true);
    expect(feed('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').p.done).toBe(true);
  });

  it('reads a body without length or chunking until the connection closes', () => {
    const { p, body } = feed('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nsome text', [40]);
    expect(body).toBe('some text');
    expect(p.closeDelimited).toBe(true);
    expect(p.done).toBe(false);
    expect(p.end()).toBe(true);
  });

  it('reports a chunked answer cut off by the connection closing as incomplete', () => {
    const { p } = feed('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\ndata: one\n\n\r\n5\r\nda');
    expect(p.end()).toBe(false);
  });

  it('joins repeated headers', () => {
    expect(feed('HTTP/1.1 200 OK\r\nVary: a\r\nVary: b\r\nContent-Length: 0\r\n\r\n').p.head!.headers.vary).toBe('a, b');
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n', /bad status line/],
    ['a header line without a colon', 'HTTP/1.1 200 OK\r\nnonsense\r\n\r\n', /bad header line/],
    ['a bad Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /bad content-length/],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /bad content-length/],
    ['an unknown transfer coding', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n', /unsupported transfer-encoding/],
    ['a chunk size that is not hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /bad chunk size/],
    ['a chunk size with trailing junk', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5x\r\nhello\r\n', /bad chunk size/],
    ['an empty chunk size line', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n', /bad chunk size/],
    ['a chunk size of more than 12 hex digits', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1000000000000\r\n', /bad chunk size/],
    ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabXY', /not followed by CRLF/],
    ['bytes after the end', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab', /after the end/],
    ['an interim response', 'HTTP/1.1 100 Continue\r\n\r\n', /interim/],
  ])('refuses %s', (_what, wire, message) => {
    expect(() => feed(wire)).toThrow(Http1ParseError);
    expect(() => feed(wire)).toThrow(message);
  });

  it('refuses a response head that never ends instead of buffering it without bound', () => {
    const p = new ResponseParser();
    p.push(b('HTTP/1.1 200 OK\r\n'));
    expect(() => {
      for (let i = 0; i < 2000; i++) p.push(b(`X-Filler-${i}: ${'x'.repeat(40)}\r\n`));
    }).toThrow(/response head longer than/);
  });
});
