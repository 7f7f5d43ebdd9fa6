#!/usr/bin/env node
// Dependency audit of what the app ships: `npm audit --omit=dev --json`, judged by audit-policy.json.
// A high or critical advisory fails unless the policy accepts it (with a reason) until an expiry date
// that has not passed. When the registry cannot answer, this says so and exits 0: CI must not go red
// because a registry is down, only because of a known advisory.
//   node scripts/supply/audit.mjs [--policy audit-policy.json] [--input report.json] [--today YYYY-MM-DD] [--timeout-ms 90000]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { policy: { type: 'string', default: 'audit-policy.json' }, input: { type: 'string' }, today: { type: 'string' }, 'timeout-ms': { type: 'string', default: '90000' } },
});
const FAILING = new Set(['high', 'critical']);
const say = (line) => process.stdout.write(`audit: ${line}\n`);
const fail = (line) => process.stderr.write(`audit: ${line}\n`);

/** A registry that accepts the connection and never answers must not hang CI: bounded, then "no answer". */
function runNpmAudit() {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const timeout = Number(values['timeout-ms']);
  const args = ['audit', '--omit=dev', '--json', `--fetch-timeout=${Math.max(1000, timeout - 5000)}`, '--fetch-retries=1'];
  const r = spawnSync(npm, args, { encoding: 'utf8', shell: process.platform === 'win32', maxBuffer: 64 * 1024 * 1024, timeout, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT' || r.signal) return { text: JSON.stringify({ message: `no answer from the registry within ${timeout / 1000} s (network timeout)` }) };
  if (r.error) return { error: `npm could not be run: ${r.error.message}` };
  return { text: r.stdout };
}

/** Entries with an id, a reason and a real YYYY-MM-DD expiry; anything else is a policy error. */
function readPolicy(path) {
  const policy = JSON.parse(readFileSync(path, 'utf8'));
  const errors = [];
  const accepted = Array.isArray(policy.accepted) ? policy.accepted : (errors.push('"accepted" must be an array'), []);
  accepted.forEach((e, i) => {
    const where = `${path}: accepted[${i}]${e?.id ? ` (${e.id})` : ''}`;
    if (typeof e?.id !== 'string' || !e.id) errors.push(`${where}: "id" is missing`);
    if (typeof e?.reason !== 'string' || e.reason.trim().length < 10) errors.push(`${where}: "reason" must say why the advisory is accepted`);
    if (typeof e?.expires !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(e.expires) || Number.isNaN(Date.parse(e.expires))) errors.push(`${where}: "expires" must be a date YYYY-MM-DD`);
  });
  return { accepted, errors };
}

/** One row per advisory (npm lists an advisory under every package it reaches; `via` objects are the advisories). */
function advisories(report) {
  const byId = new Map();
  for (const vuln of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      if (typeof via !== 'object' || via === null) continue; // a string names another vulnerable package, listed on its own
      const id = /GHSA-[\w-]+/i.exec(via.url ?? '')?.[0] ?? String(via.source);
      const row = byId.get(id) ?? { id, numeric: String(via.source), package: via.name, severity: via.severity, title: via.title, url: via.url, range: via.range, reaches: new Set() };
      row.reaches.add(vuln.name);
      byId.set(id, row);
    }
  }
  return [...byId.values()];
}

/** A failed audit request (registry down, unreachable, or no audit endpoint) is not a finding. */
function registryProblem(report) {
  if (report.vulnerabilities) return null;
  const text = [report.message, report.error?.code, report.error?.summary, report.error?.detail].filter(Boolean).join(' ');
  return /advisories|audit endpoint|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|ENETUNREACH|socket|network|\b[45]\d\d\b/i.test(text) ? text || 'no answer' : null;
}

function judge(report, policy, today) {
  const failures = [];
  const found = advisories(report);
  for (const a of found) {
    const entry = policy.accepted.find((e) => e.id === a.id || e.id === a.numeric);
    const what = `${a.id} (${a.severity}) in ${a.package} ${a.range ?? ''}: ${a.title ?? ''} ${a.url ?? ''}`.replace(/\s+/g, ' ').trim();
    if (entry && entry.expires < today) failures.push(`${what} — accepted in the policy until ${entry.expires}, which has passed: review it (upgrade, or renew with a new reason)`);
    else if (entry) say(`accepted until ${entry.expires}: ${what} — ${entry.reason}`);
    else if (FAILING.has(a.severity)) failures.push(`${what} — not in the policy: upgrade the dependency, or accept it in ${values.policy} with a reason and an expiry`);
    else say(`reported (${a.severity}, does not fail): ${what}`);
  }
  for (const e of policy.accepted) if (!found.some((a) => a.id === e.id || a.numeric === e.id)) say(`policy entry ${e.id} matches no current advisory; remove it`);
  return failures;
}

function main() {
  const policy = readPolicy(values.policy);
  if (policy.errors.length > 0) {
    for (const e of policy.errors) fail(e);
    return 1;
  }
  const got = values.input ? { text: readFileSync(values.input, 'utf8') } : runNpmAudit();
  if (got.error) {
    fail(got.error);
    return 2;
  }
  let report;
  try {
    report = JSON.parse(got.text);
  } catch {
    fail(`npm audit printed no JSON: ${got.text.slice(0, 300)}`);
    return 2;
  }
  const problem = registryProblem(report);
  if (problem) {
    say(`the registry could not answer the audit (${problem}); NOT checked this time, and not failing CI for that reason alone`);
    return 0;
  }
  if (!report.vulnerabilities) {
    fail(`npm audit failed: ${report.error?.summary || report.message || JSON.stringify(report).slice(0, 300)}`);
    return 2;
  }
  const today = values.today ?? new Date().toISOString().slice(0, 10);
  const failures = judge(report, policy, today);
  const deps = report.metadata?.dependencies?.prod ?? report.metadata?.dependencies?.total ?? '?';
  for (const f of failures) fail(f);
  say(`${deps} production dependencies checked; ${failures.length === 0 ? 'no unaccepted high or critical advisory' : `${failures.length} failing advisory(ies)`}`);
  return failures.length > 0 ? 1 : 0;
}

process.exitCode = main();
