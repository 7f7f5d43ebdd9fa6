// The engine-line redaction: request content that llama-server echoes in its error lines (tools,
// grammar, json_schema) never survives; fixed-format lines pass unchanged.
import { describe, expect, it } from 'vitest';
import { redactEngineLine } from '../../../electron/core/util/redact.js';

const SECRET = 'SECRET-7f3a9c';

describe('redactEngineLine', () => {
  it.each([
    ['a bare grammar line without quotes', `parse: error parsing grammar: expecting name at ${SECRET}`, 'error'],
    [
      'a tools exception',
      `srv    operator(): got exception: {"code":500,"message":"[json.exception.type_error.302] type must be array, but is object: {\\"name\\":\\"${SECRET}\\"}","type":"server_error"}`,
      'error',
    ],
    ['a grammar parse error', `parse: error parsing grammar: expecting name at ${SECRET} ::= "x"`, 'error'],
    ['a json_schema failure in an info line', `srv  params_from_: JSON schema conversion failed: Unrecognized schema: {"type":"${SECRET}"}`, 'info'],
    ['a request body at debug', `srv  log_server_r: request:  {"messages":[{"role":"user","content":"${SECRET}"}]}`, 'debug'],
    ['a tool_choice error with a timestamp prefix', `0.01.234.567 E srv operator(): got exception: Invalid tool_choice: ${SECRET}`, 'error'],
  ])('removes the content of %s', (_name, line) => {
    const out = redactEngineLine(line);
    expect(out).not.toContain(SECRET);
    expect(out).toMatch(/chars redacted/);
  });

  it.each([
    'srv  log_server_r: request: POST /v1/chat/completions 127.0.0.1 200',
    'slot print_timing: id  0 | task 5 | prompt eval time =      12.10 ms /    10 tokens (    1.21 ms per token,   826.45 tokens per second)',
    'srv  update_slots: all slots are idle',
    'main: model loaded',
    'ggml_abort: CUDA error: out of memory',
  ])('keeps a fixed-format line whole: %s', (line) => {
    expect(redactEngineLine(line)).toBe(line);
  });

  it('drops a bare line (the grammar parser dumping the grammar) from an engine that prefixes its lines', () => {
    expect(redactEngineLine(`root ::= ${SECRET}`, { bareIsContent: true })).not.toContain(SECRET);
    expect(redactEngineLine(`root ::= ${SECRET}`)).toContain(SECRET);
    expect(redactEngineLine('0.00.097.965 E failed to parse grammar', { bareIsContent: true })).toBe('0.00.097.965 E failed to parse grammar');
  });

  it('cuts any line longer than a fixed cap', () => {
    const out = redactEngineLine(`x ${'a'.repeat(5000)}`);
    expect(out.length).toBeLessThan(520);
  });
});
