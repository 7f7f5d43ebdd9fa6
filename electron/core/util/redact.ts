// The one place that decides what of an engine's own words may leave the process (log files, the
// UI's log stream, crash reasons, error messages echoed to clients) when content logging is off.
// llama-server echoes request content in its error lines: a rejected `tools`, `grammar`,
// `json_schema` or `tool_choice` comes back verbatim inside "got exception: …" or the grammar
// parser's "parse: error parsing grammar: … at <grammar text>". We cannot list every such line, so
// the rule is structural: quoted or JSON-looking text is dropped from every line, and lines about
// parsing a request keep only their "where: what:" head. Applied to lines of an engine that has
// become ready (before that it has had no request).

/** Lines longer than this are cut whatever they say (no fixed-format engine line is this long). */
const MAX_LINE = 400;
/** A line whose remains are at least this long gets the redaction marker (shorter cuts stay silent). */
const MARK = (n: number) => ` [${n} chars redacted: may hold request content; privacy.logContent keeps them]`;

/** Lines about parsing the request: what follows their `func: what: ` head is the request's text. */
const CONTENT_WORDS = /exception|grammar|schema|tool|pars(e|ing)|prompt|template|json|invalid|unsupported/i;

/** Characters that start quoted or structured text, the shapes request content takes in a line. */
const CONTENT_START = /["'`{[<]/;

/**
 * Redact one engine log line: quoted/structured text is dropped, and lines about parsing a request
 * are cut after their second `: ` (llama.cpp writes `func: what happened: detail`, detail = content).
 * Other lines (`ggml_abort: CUDA error: out of memory`) stay whole.
 */
export function redactEngineLine(text: string, opts: { bareIsContent?: boolean } = {}): string {
  // An engine that prefixes its log lines prints unprefixed ones with a bare fprintf: the grammar
  // parser dumps the whole rejected grammar that way, one rule per line.
  if (opts.bareIsContent && text.trim() !== '' && !hasLogPrefix(text)) return MARK(text.length).trimStart();
  let keep = text.length;
  const start = CONTENT_START.exec(text);
  if (start) keep = start.index;
  if (CONTENT_WORDS.test(text)) {
    const cut = nthSeparator(text, 2);
    if (cut >= 0) keep = Math.min(keep, cut);
  }
  keep = Math.min(keep, MAX_LINE);
  if (keep >= text.length) return text;
  return text.slice(0, keep).trimEnd() + MARK(text.length - keep);
}

/** llama.cpp's `<time> <level> ` line prefix (printed by builds with log timestamps on). */
export function hasLogPrefix(text: string): boolean {
  return LOG_PREFIX.test(text);
}

const LOG_PREFIX = /^\s*\d+\.\d+\.\d+\.\d+ [IWEDT] /;

/** Index just after the n-th `: ` past llama.cpp's `<time> <L> ` prefix, or -1. */
function nthSeparator(text: string, n: number): number {
  const prefix = LOG_PREFIX.exec(text)?.[0].length ?? 0;
  let at = prefix;
  for (let i = 0; i < n; i++) {
    const j = text.indexOf(': ', at);
    if (j < 0) return -1;
    at = j + 2;
  }
  return at;
}

/** An engine's message echoed to the client who sent the request: its own content, but bounded. */
export function boundedMessage(message: string, max = 1000): string {
  return message.length <= max ? message : `${message.slice(0, max)}… (${message.length - max} more characters cut)`;
}
