import { describe, expect, it } from 'vitest';
import { parseConnectLog, summarize } from '../../helpers/connect-log.js';

// Lines as `strace -f -qq -e trace=connect -o FILE` writes them (pid first).
const LOG = `
101 connect(21, {sa_family=AF_INET, sin_port=htons(40113), sin_addr=inet_addr("127.0.0.1")}, 16) = -1 EINPROGRESS (Operation now in progress)
102 connect(5, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT (No such file or directory)
103 connect(22, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "2606:4700::1111", &sin6_addr), sin6_scope_id=0}, 28) = -1 ENETUNREACH (Network is unreachable)
104 connect(23, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("140.82.112.3")}, 16) = -1 ENETUNREACH (Network is unreachable)
105 connect(24, {sa_family=AF_INET6, sin6_port=htons(8585), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}, 28) = 0
106 connect(25, {sa_family=AF_UNSPEC, sa_data="\\0\\0\\0\\0"}, 16) = 0
`;

describe('connect() log', () => {
  it('tells loopback and unix sockets from any outside destination, attempted or not', () => {
    const calls = parseConnectLog(LOG);
    expect(calls.map((c) => [c.destination, c.local])).toEqual([
      ['127.0.0.1:40113', true],
      ['"/var/run/nscd/socket"', true],
      ['[2606:4700::1111]:443', false],
      ['140.82.112.3:443', false],
      ['[::1]:8585', true],
      ['(disconnect)', true],
    ]);
    expect(summarize(calls).remote).toEqual({ 'AF_INET6 [2606:4700::1111]:*': 1, 'AF_INET 140.82.112.3:*': 1 });
  });
});
