// Every response of our API that a test receives through fetch is checked against docs/openapi.json;
// a mismatch fails the test (in afterEach, naming the route and the field). Responses are recognised
// by the `x-llama-orch-api` header our server sets on every answer, so the engine, fake hubs and file
// servers the tests also talk to are left alone. The test's own Response object is untouched: the
// check reads a clone.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { API_HEADER } from '../../electron/contract/index.js';
import { contractProblems } from '../helpers/contract.js';

/** A body that never ends (a test that stops reading) is not waited for past this. */
const READ_DEADLINE_MS = 30_000;

const pending: Promise<void>[] = [];
const problems: string[] = [];
const original = globalThis.fetch;

globalThis.fetch = async function contractCheckedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const res = await original(input, init);
  if (!res.headers.has(API_HEADER)) return res;
  // After a redirect (login → the UI) the answer is the last URL's.
  const url = res.url || (typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const method = (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();
  const contentType = res.headers.get('content-type');
  const observed = { method, url, status: res.status, contentType };
  // Only JSON bodies are read (streams, zips and reports are checked by status and media type).
  if (!contentType?.startsWith('application/json') || method === 'HEAD') {
    problems.push(...contractProblems({ ...observed, body: contentType ? null : '' }));
    return res;
  }
  const copy = res.clone();
  pending.push(
    Promise.race([copy.text(), sleep(READ_DEADLINE_MS, null, { ref: false })]).then(
      (body) => void (body !== null && problems.push(...contractProblems({ ...observed, body }))),
      () => undefined, // the test aborted the request: nothing to check
    ),
  );
  return res;
};

afterEach(async () => {
  await Promise.all(pending.splice(0));
  const found = problems.splice(0);
  if (found.length) throw new Error(`responses that do not match docs/openapi.json:\n  ${found.join('\n  ')}`);
});
