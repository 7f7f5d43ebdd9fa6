// Which licence an installed engine carries: the LICENSE file its archive ships (llama.cpp release
// archives include theirs, plus third-party ones such as LICENSE-httplib), recognised by its text;
// for a llama.cpp release build without one, llama.cpp's own licence (MIT).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { EngineLicense } from '../../contract/index.js';

const LICENSE_FILE = /^(LICEN[CS]E|COPYING|NOTICE)([.-][\w.-]+)?$/i;
/** The engine's own licence file, as opposed to third-party ones (`LICENSE-curl`). */
const OWN_FILE = /^(LICEN[CS]E|COPYING)(\.(txt|md))?$/i;
const MAX_BYTES = 256 * 1024;

/** Licence files in the given folders (the archive root and the binary's folder), relative to `root`. */
export function licenseFiles(root: string, dirs: string[]): string[] {
  const found = new Set<string>();
  for (const dir of new Set(dirs)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) if (LICENSE_FILE.test(n) && isFile(join(dir, n))) found.add(relative(root, join(dir, n)));
  }
  return [...found].sort();
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false; // a dangling link is no licence
  }
}

/** SPDX id of a licence text: the common permissive licences by their wording, else null. */
export function identifyLicense(text: string): string | null {
  const t = text.replace(/\s+/g, ' ');
  if (/Permission is hereby granted, free of charge, to any person obtaining a copy/i.test(t)) return 'MIT';
  if (/Apache License,? Version 2\.0/i.test(t)) return 'Apache-2.0';
  if (/GNU LESSER GENERAL PUBLIC LICENSE Version 2\.1/i.test(t)) return 'LGPL-2.1';
  if (/GNU GENERAL PUBLIC LICENSE Version 3/i.test(t)) return 'GPL-3.0';
  if (/GNU GENERAL PUBLIC LICENSE Version 2/i.test(t)) return 'GPL-2.0';
  if (/Redistribution and use in source and binary forms/i.test(t)) return /Neither the name/i.test(t) ? 'BSD-3-Clause' : 'BSD-2-Clause';
  return null;
}

/**
 * The licence of the engine unpacked at `root`. `llamaCppBuild`: its archive is named like a llama.cpp
 * release (`llama-<tag>-bin-…`), so without a licence file its licence is llama.cpp's.
 */
export function detectEngineLicense(root: string, binaryDir: string, llamaCppBuild: boolean): EngineLicense {
  const files = licenseFiles(root, [root, binaryDir]);
  const own = files.find((f) => OWN_FILE.test(f.split(/[\\/]/).pop() ?? ''));
  if (own) {
    const spdx = identifyLicense(readFileSync(join(root, own), 'utf8').slice(0, MAX_BYTES));
    if (spdx) return { spdx, basis: 'file', files };
  }
  return llamaCppBuild ? { spdx: 'MIT', basis: 'upstream', files } : { spdx: null, basis: 'unknown', files };
}
