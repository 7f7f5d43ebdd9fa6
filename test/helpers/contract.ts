// Contract checks: a response of our API is validated against the checked-in OpenAPI document
// (docs/openapi.json) with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1). The document, not
// the zod schemas it was generated from, is what integrators get, so it is what is checked.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from './paths.js';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
type Doc = { paths: Record<string, Record<string, Operation>> };

const doc = JSON.parse(readFileSync(join(ROOT, 'docs', 'openapi.json'), 'utf8')) as Doc;
const ajv = new Ajv2020.default({ strict: false, allErrors: true, validateFormats: true });
addFormats.default(ajv);
ajv.addSchema(doc, 'openapi');

// Literal segments before parameters, as the server's matcher does.
const templates = Object.keys(doc.paths)
  .map((path) => ({ path, segments: path.split('/') }))
  .sort((a, b) => b.segments.filter((s) => !s.startsWith('{')).length - a.segments.filter((s) => !s.startsWith('{')).length);

function templateOf(pathname: string): string | null {
  const parts = pathname.split('/');
  const t = templates.find((t) => t.segments.length === parts.length && t.segments.every((s, i) => (s.startsWith('{') ? parts[i] !== '' : s === parts[i])));
  return t?.path ?? null;
}

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const ERROR_SCHEMA = 'openapi#/components/schemas/ErrorEnvelope';

export interface ObservedResponse {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  /** The body's text; null when it was not read (a stream). */
  body: string | null;
}

/** What in a response does not match the document (empty: it matches). */
export function contractProblems(r: ObservedResponse): string[] {
  const { pathname } = new URL(r.url);
  const where = `${r.method} ${pathname} → ${r.status}`;
  const template = templateOf(pathname);
  const op = template ? doc.paths[template]![r.method === 'HEAD' ? 'get' : r.method.toLowerCase()] : undefined;
  if (!template && !/^\/(v1|api)(\/|$)/.test(pathname)) return []; // the UI's files
  if (!op) {
    // Unknown route or method: our answer is still the error envelope.
    if (r.status < 400) return [`${where}: not in docs/openapi.json`];
    return validateBody(where, ERROR_SCHEMA, r);
  }
  const key = String(r.status);
  const declared = op.responses[key] ? key : r.status >= 400 ? 'default' : null;
  if (!declared) return [`${where}: status ${r.status} is not documented for ${op.operationId}`];
  const content = op.responses[declared]!.content;
  const type = (r.contentType ?? '').split(';')[0]!.trim();
  if (!content) return r.body ? [`${where}: documented without a body, but has one (${type})`] : [];
  if (r.method === 'HEAD') return [];
  const media = content[type];
  if (!media) return [`${where}: content type '${type}' is not documented (${Object.keys(content).join(', ')})`];
  if (!media.schema) return [];
  return validateBody(where, `openapi#${pointer('', 'paths', template!, op === doc.paths[template!]!.get ? 'get' : r.method.toLowerCase(), 'responses', declared, 'content', type, 'schema')}`, r);
}

function validateBody(where: string, ref: string, r: ObservedResponse): string[] {
  if (r.body === null) return [];
  let value: unknown;
  try {
    value = JSON.parse(r.body);
  } catch {
    return [`${where}: body is not JSON: ${r.body.slice(0, 200)}`];
  }
  const validate = ajv.getSchema(ref);
  if (!validate) return [`${where}: no schema at ${ref}`];
  if (validate(value)) return [];
  return (validate.errors ?? []).slice(0, 5).map((e) => `${where}: ${e.instancePath || '(body)'} ${e.message ?? ''} ${e.params ? JSON.stringify(e.params) : ''}`.trim());
}
