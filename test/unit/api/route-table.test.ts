// The route table is the one place routes are declared: no route string elsewhere in the app's code,
// the matcher resolves every declared route (literal segments before parameters), and the OpenAPI
// document generated from the table equals the checked-in docs/openapi.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { API, deprecationHeaders, matchRoute, openApiDocument, pathOf, ROUTE_IDS, ROUTES, MODEL_ROUTES, ENGINE_UPGRADE_ROUTES } from '../../../electron/contract/index.js';
import { ROOT } from '../../helpers/paths.js';
import ts from 'typescript';
import { literals, parse, rel, sourceFiles } from '../../helpers/source-files.js';

// Our routes: /api/v1…, /v1/…, and the few top-level ones (also as escaped regex text).
const ROUTE_STRING = /\\?\/api\\?\/v1\b|(^|[^\w.\\/])\\?\/v1\b|(^|[`'"}])\/(healthz|metrics|auth\/login|openapi\.json)\b/;

describe('route strings', () => {
  it('are written only in electron/contract (electron/, renderer/src and bin/ are searched)', () => {
    const offenders: string[] = [];
    for (const path of sourceFiles(['electron', 'renderer/src', 'bin'])) {
      if (rel(path).startsWith('electron/contract/')) continue;
      for (const lit of literals(parse(path))) if (ROUTE_STRING.test(lit.text)) offenders.push(`${rel(path)}:${lit.line} ${lit.text.slice(0, 80)}`);
    }
    expect(offenders, 'route strings outside the contract: use ROUTES / pathOf / API from electron/contract').toEqual([]);
  });

  it('are not made by appending a segment to a ROUTES path (`${ROUTES.deployment(n)}/load`)', () => {
    const appended = /\$\{\s*[A-Z_]*ROUTES\.[^}]*\}\/\w/;
    const offenders = sourceFiles(['electron', 'renderer/src', 'bin'])
      .filter((path) => !rel(path).startsWith('electron/contract/'))
      .flatMap((path) =>
        templates(parse(path))
          .filter((t) => appended.test(t))
          .map((t) => `${rel(path)}: ${t.slice(0, 80)}`),
      );
    expect(offenders).toEqual([]);
  });

  it('the search itself finds a route string in code (and not in a comment)', () => {
    const probe = parse(join(ROOT, 'electron/contract/api.ts'));
    expect(literals(probe).some((l) => ROUTE_STRING.test(l.text))).toBe(false); // api.ts builds from the table
    const table = parse(join(ROOT, 'electron/contract/routes.ts'));
    expect(literals(table).filter((l) => ROUTE_STRING.test(l.text)).length).toBeGreaterThan(40);
  });
});

/** The whole text of every template literal with substitutions. */
function templates(file: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isTemplateExpression(node)) out.push(node.getText(file));
    ts.forEachChild(node, visit);
  };
  visit(file);
  return out;
}

describe('matchRoute', () => {
  it('finds every declared route from a path built with pathOf', () => {
    for (const id of ROUTE_IDS) {
      const params = Object.fromEntries([...API[id].path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, 'x y/z']));
      const m = matchRoute(API[id].method, pathOf(id, params));
      expect(m.kind === 'route' && m.id, id).toBe(id);
      if (m.kind === 'route') expect(m.params).toEqual(params);
    }
  });

  it('prefers literal segments over parameters and answers 405 for a known path with another method', () => {
    expect(matchRoute('GET', MODEL_ROUTES.pulls)).toMatchObject({ kind: 'route', id: 'modelPulls' });
    expect(matchRoute('GET', MODEL_ROUTES.model('pulls2'))).toMatchObject({ kind: 'route', id: 'model', params: { id: 'pulls2' } });
    expect(matchRoute('DELETE', ENGINE_UPGRADE_ROUTES.defaultEngine)).toEqual({ kind: 'method_not_allowed', allowed: ['GET', 'PUT'] });
    expect(matchRoute('GET', ROUTES.chatCompletions)).toEqual({ kind: 'method_not_allowed', allowed: ['POST'] });
    expect(matchRoute('HEAD', ROUTES.healthz)).toMatchObject({ kind: 'route', id: 'healthz' });
    expect(matchRoute('GET', '/api/v1/nothing-here')).toEqual({ kind: 'none' });
    expect(matchRoute('GET', '/api/v1/models/')).toEqual({ kind: 'none' });
  });

  it('decodes parameters and refuses a malformed escape', () => {
    expect(matchRoute('GET', '/api/v1/deployments/a%2Fb')).toMatchObject({ id: 'deployment', params: { name: 'a/b' } });
    expect(() => matchRoute('GET', '/api/v1/deployments/%zz')).toThrow(URIError);
  });

  it('announces a deprecated route with Deprecation, Sunset and the successor (none is deprecated today)', () => {
    const route = { ...API.status, deprecated: { since: '2026-12-01T00:00:00Z', sunset: '2027-06-01T00:00:00Z', use: '/api/v2/status' } };
    expect(deprecationHeaders(route)).toEqual({ deprecation: '@1796083200', sunset: 'Tue, 01 Jun 2027 00:00:00 GMT', link: '</api/v2/status>; rel="successor-version"' });
    expect(deprecationHeaders(API.status)).toEqual({});
    expect(ROUTE_IDS.filter((id) => 'deprecated' in API[id])).toEqual([]);
  });

  it('keeps the ROUTES helpers the renderer and CLI call', () => {
    expect(ROUTES.deployment('a b')).toBe('/api/v1/deployments/a%20b');
    expect(ROUTES.requestCancel('req-1')).toBe('/api/v1/requests/req-1/cancel');
    expect(() => pathOf('deployment')).toThrow(/name/);
  });
});

describe('openapi.json', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; requestBody?: unknown }>> };

  it('is OpenAPI 3.1 with one operation per route, each with a default error response', () => {
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    expect(ops.map((o) => o.operationId).sort()).toEqual([...ROUTE_IDS].sort());
    for (const op of ops) expect(op.responses.default, op.operationId).toBeDefined();
    // No schema points into a $defs of its own: every $ref resolves in the document.
    expect(JSON.stringify(doc)).not.toMatch(/"\$ref":"#\/\$defs/);
  });

  it('describes /v1 request bodies as open (unknown fields pass through to the engine)', () => {
    const body = doc.paths['/v1/chat/completions']!.post!.requestBody as { content: { 'application/json': { schema: { additionalProperties?: unknown; required: string[] } } } };
    const schema = body.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['model', 'messages']));
    expect(schema.additionalProperties).not.toBe(false);
  });

  it('equals the checked-in docs/openapi.json (run `npm run openapi` after changing the contract)', () => {
    const checkedIn = JSON.parse(readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8')) as unknown;
    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
