// The licence of an installed engine: its archive's LICENSE file recognised by wording; for a
// llama.cpp release archive without one, llama.cpp's own (MIT); otherwise unknown, never invented.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectEngineLicense, identifyLicense } from '../../../electron/core/engines/license.js';
import { tempDir } from '../../helpers/tmp.js';

const MIT = `MIT License\n\nCopyright (c) 2023-2026 The ggml authors\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software …`;
const APACHE = `                                 Apache License\n                           Version 2.0, January 2004\n        http://www.apache.org/licenses/`;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

function engineFolder(files: Record<string, string>): { root: string; bin: string } {
  const d = tempDir();
  dirs.push(d);
  const bin = join(d.path, 'build', 'bin');
  mkdirSync(bin, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d.path, name), text);
  return { root: d.path, bin };
}

describe('engine licence', () => {
  it('reads MIT from the LICENSE file and lists the third-party licence files beside it', () => {
    const { root } = engineFolder({ LICENSE: MIT, 'LICENSE-httplib': MIT, 'LICENSE-curl': 'COPYRIGHT AND PERMISSION NOTICE' });
    expect(detectEngineLicense(root, root, true)).toEqual({ spdx: 'MIT', basis: 'file', files: ['LICENSE', 'LICENSE-curl', 'LICENSE-httplib'] });
  });

  it('finds licence files in the binary’s folder too', () => {
    const { root, bin } = engineFolder({});
    writeFileSync(join(bin, 'LICENSE.txt'), APACHE);
    expect(detectEngineLicense(root, bin, false)).toEqual({ spdx: 'Apache-2.0', basis: 'file', files: [join('build', 'bin', 'LICENSE.txt')] });
  });

  it('falls back to llama.cpp’s licence for a release archive without a licence file, and says so', () => {
    const { root } = engineFolder({ 'LICENSE-httplib': MIT });
    expect(detectEngineLicense(root, root, true)).toEqual({ spdx: 'MIT', basis: 'upstream', files: ['LICENSE-httplib'] });
  });

  it('reports an unknown licence for an unrecognised archive without a readable licence, ignoring dangling links', () => {
    const { root } = engineFolder({ LICENSE: 'All rights reserved.' });
    symlinkSync(join(root, 'missing'), join(root, 'COPYING'));
    expect(detectEngineLicense(root, root, false)).toEqual({ spdx: null, basis: 'unknown', files: ['LICENSE'] });
  });

  it('recognises the common licence texts by their wording', () => {
    expect(identifyLicense(MIT)).toBe('MIT');
    expect(identifyLicense(APACHE)).toBe('Apache-2.0');
    expect(identifyLicense('GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007')).toBe('GPL-3.0');
    expect(identifyLicense('Redistribution and use in source and binary forms … Neither the name of')).toBe('BSD-3-Clause');
    expect(identifyLicense('proprietary')).toBeNull();
  });
});
