// The OpenAPI 3.1 document of the local API, generated from the route table (routes.ts) with zod's own
// JSON Schema output, never written by hand. Served at GET /openapi.json and checked in as
// docs/openapi.json (`npm run openapi` rewrites it; a unit test fails when the two differ).
import { z } from 'zod';
import { API, ROUTE_IDS, type RouteDef } from './routes.js';
import { errorEnvelopeSchema } from './schemas.js';

/**
 * The document's own version: within 1.x only additive changes (CHANGELOG.md states the policy).
 * Not the app's version, so the served document equals the checked-in one across releases.
 */
export const API_DOC_VERSION = '1.0.0';

/** Set on every answer of our server: the API document version it keeps to. */
export const API_HEADER = 'x-llama-orch-api';

type Json = Record<string, unknown>;

const ERROR_REF = { $ref: '#/components/schemas/ErrorEnvelope' };

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request: the envelope’s `param` names the field',
  401: 'No or invalid credentials',
  403: 'The key’s scope or ownership does not allow this',
  404: 'Not found',
  405: 'Method not allowed on this path',
  409: 'Conflict with the current state (an inference request: cancelled before its answer began)',
  413: 'Request body too large',
  422: 'The request was understood but cannot be carried out',
  429: 'Too many requests: rate limit, token quota or queue full (`Retry-After`)',
  500: 'Internal error',
  502: 'An upstream (engine, hub, release server) failed',
  503: 'Not available now (engine failed to start, store unavailable)',
  504: 'The engine took longer than the request timeout',
  507: 'Not enough disk space',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
}

function operation(id: string, r: RouteDef): Json {
  const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = r.query
    ? Object.entries(r.query.shape).map(([name, field]) => ({ name, in: 'query', required: !(field as z.ZodType).safeParse(undefined).success, schema: jsonSchema(field as z.ZodType, 'input') }))
    : [];
  const responses: Json = {};
  for (const [status, def] of Object.entries(r.responses)) {
    const content = def.content ? Object.fromEntries(Object.entries(def.content).map(([type, schema]) => [type, schema ? { schema: jsonSchema(schema, 'output') } : {}])) : undefined;
    const headers = def.headers ? Object.fromEntries(Object.entries(def.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) : undefined;
    responses[status] = { description: def.description, ...(content ? { content } : {}), ...(headers ? { headers } : {}) };
  }
  const errors = new Set<number>([...(r.errors ?? []), ...(r.scope === 'public' ? [] : [401, 403])]);
  for (const status of [...errors].sort()) responses[String(status)] = { description: STATUS_TEXT[status] ?? 'Error', content: { 'application/json': { schema: ERROR_REF } } };
  responses.default = { description: 'Any other error, in the same envelope', content: { 'application/json': { schema: ERROR_REF } } };
  return {
    operationId: id,
    summary: r.summary,
    tags: [r.tag],
    'x-llama-orch-scope': r.scope,
    ...(r.deprecated
      ? { deprecated: true, description: `Deprecated since ${r.deprecated.since}; use ${r.deprecated.use}. Answers carry Deprecation and Sunset (${r.deprecated.sunset}) headers.` }
      : {}),
    security: SECURITY[r.scope],
    ...(params.length + query.length ? { parameters: [...params, ...query] } : {}),
    ...(r.request ? { requestBody: { required: true, content: { [r.requestType ?? 'application/json']: { schema: jsonSchema(r.request, 'input') } } } } : {}),
    responses,
  };
}

// Loopback callers need no key until the first key exists (`{}`: no credentials also accepted then).
const SECURITY: Record<RouteDef['scope'], Json[]> = {
  public: [],
  inference: [{ apiKey: [] }, { session: [] }, {}],
  admin: [{ apiKey: ['admin'] }, { session: [] }],
};

function build(): Json {
  const paths: Record<string, Json> = {};
  for (const id of ROUTE_IDS) {
    const r: RouteDef = API[id];
    (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(id, r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'llama-orch local API',
      version: API_DOC_VERSION,
      description: 'OpenAI-compatible inference under /v1 and the admin API under /api/v1. Errors always use the envelope {"error":{"message","type","code","param"}}. See docs/api.md.',
    },
    servers: [{ url: 'http://127.0.0.1:8585', description: 'The default local address (settings api.port, `llama-orch serve --port`)' }],
    tags: [...new Set(ROUTE_IDS.map((id) => API[id].tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: { ErrorEnvelope: jsonSchema(errorEnvelopeSchema, 'output') },
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (`llama-orch keys create`); scope `inference` or `admin`' },
        session: { type: 'apiKey', in: 'cookie', name: 'llama_orch_session', description: 'The admin session of the UI, from GET /auth/login?token=…' },
      },
    },
  };
}

let cached: Json | null = null;

/** The document (built once: the table does not change while the process runs). */
export function openApiDocument(): Json {
  return (cached ??= build());
}
