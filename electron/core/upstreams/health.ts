// One health check of an upstream: GET <base>/models with its key, the model ids it lists. The error
// says what failed in words for a person and never holds the key.
export interface ModelsFetch {
  (url: string, init: { headers: Record<string, string>; signal: AbortSignal }): Promise<{ status: number; text(): Promise<string> }>;
}

export async function fetchUpstreamModels(baseUrl: string, apiKey: string | null, timeoutMs: number, fetchFn: ModelsFetch = fetch): Promise<string[]> {
  const headers: Record<string, string> = { accept: 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
  let res: Awaited<ReturnType<ModelsFetch>>;
  try {
    res = await fetchFn(`${baseUrl}/models`, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new Error(`no answer from ${baseUrl}/models within ${Math.round(timeoutMs / 1000)} s`);
    throw new Error(`cannot reach ${baseUrl}/models: ${e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  const text = await res.text().catch(() => '');
  if (res.status === 401 || res.status === 403) throw new Error(`${baseUrl}/models refused the key (HTTP ${res.status}); check the upstream's API key`);
  if (res.status !== 200) throw new Error(`${baseUrl}/models answered HTTP ${res.status}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${baseUrl}/models did not answer JSON: is this an OpenAI-compatible base URL?`);
  }
  const data = (doc as { data?: unknown }).data;
  if (!Array.isArray(data)) throw new Error(`${baseUrl}/models has no \`data\` list: is this an OpenAI-compatible base URL?`);
  return data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= 512);
}
