// Model ids name folders: what is accepted, what is refused (with the reason), and how names are slugified.
import { describe, expect, it } from 'vitest';
import { assertSafeId, idProblem, safeFileName, slugify } from '../../../electron/core/models/ids.js';

describe('model ids', () => {
  it('accepts lowercase slugs', () => {
    for (const id of ['llama-3.1-8b-instruct-q4_k_m', 'a', '0model', 'qwen2.5-coder']) expect(idProblem(id), id).toBeNull();
  });

  it('refuses traversal, absolute paths, NUL, device names and route words with the reason', () => {
    expect(idProblem('')).toBe('it is empty');
    expect(idProblem('../x')).toMatch(/path separator/);
    expect(idProblem('a\\b')).toMatch(/path separator/);
    expect(idProblem('/abs')).toMatch(/path separator/);
    expect(idProblem('C:stuff')).toMatch(/Windows drive/);
    expect(idProblem('..')).toBe("it is '.' or '..'");
    expect(idProblem('x\0y')).toMatch(/NUL/);
    expect(idProblem('aux')).toMatch(/reserved device name/);
    expect(idProblem('lpt9.gguf')).toMatch(/reserved device name/);
    expect(idProblem('model.')).toMatch(/ends with a dot/);
    expect(idProblem('search')).toMatch(/reserved word/);
    expect(idProblem('a'.repeat(97))).toMatch(/longer than 96/);
    expect(idProblem('Has Space')).toMatch(/only lowercase/);
    expect(() => assertSafeId('../x')).toThrow("invalid model id '../x': it contains a path separator (/ or \\)");
    expect(() => assertSafeId('a\x1bb')).toThrow(/a\\x1bb/);
  });

  it('slugifies any name into a safe id', () => {
    expect(slugify('Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf')).toBe('meta-llama-3.1-8b-instruct-q4_k_m');
    expect(slugify('../../etc/passwd')).toBe('etc-passwd');
    expect(slugify('CON.gguf')).toBe('con-model');
    expect(slugify('search')).toBe('search-model');
    expect(slugify('模型')).toBe('model');
    expect(slugify('x'.repeat(200))).toHaveLength(96);
    for (const s of ['../../a', 'nul', '...', ' -x- ', 'A/B\\C:D']) expect(idProblem(slugify(s)), s).toBeNull();
  });

  it('checks file names from outside', () => {
    expect(safeFileName('model-Q4_K_M.gguf')).toBe('model-Q4_K_M.gguf');
    expect(() => safeFileName('../model.gguf')).toThrow(/path separator/);
    expect(() => safeFileName('..')).toThrow(/'\.\.'/);
    expect(() => safeFileName('nul.gguf')).toThrow(/reserved device name/);
    expect(() => safeFileName('a:b.gguf')).toThrow(/not allowed in file names/);
  });
});
