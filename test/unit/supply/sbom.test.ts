// `npm run sbom`: a CycloneDX document of the app as packaged, checked against the CycloneDX JSON
// schema that @cyclonedx/cyclonedx-library ships (strict: no unknown properties).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Spec, Validation } from '@cyclonedx/cyclonedx-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { runScript } from './run-script.js';

interface Component {
  name: string;
  group?: string;
  version: string;
  purl?: string;
  licenses?: ({ license?: { id?: string; name?: string } } | { expression: string })[];
  components?: Component[];
}

describe('SBOM', () => {
  const dir = tempDir();
  const out = join(dir.path, 'sbom.cdx.json');
  let text: string;
  let bom: { bomFormat: string; specVersion: string; metadata: { component: Component }; components: Component[] };
  let stdout: string;

  // Generated once for the file: the tool walks the installed tree (a few seconds).
  beforeAll(() => {
    const r = runScript('sbom.mjs', ['--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    stdout = r.stdout;
    text = readFileSync(out, 'utf8');
    bom = JSON.parse(text) as typeof bom;
  });
  afterAll(() => dir.cleanup());

  it('is valid against the CycloneDX 1.6 JSON schema', async () => {
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.6');
    const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);
    expect(await validator.validate(text)).toBeNull();
  });

  it('describes llama-orch with its production dependencies only, each with a purl and a licence', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(bom.metadata.component).toMatchObject({ name: 'llama-orch', version: pkg.version });
    const all: Component[] = [];
    const walk = (list: Component[] | undefined) => list?.forEach((c) => (all.push(c), walk(c.components)));
    walk(bom.components);
    const names = new Set(all.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
    for (const dep of ['zod', 'execa', 'prom-client', '@huggingface/gguf']) expect(names).toContain(dep);
    for (const dev of ['vitest', 'electron', 'typescript', 'vite']) expect(names).not.toContain(dev);
    expect(all.every((c) => c.purl?.startsWith('pkg:npm/'))).toBe(true);
    expect(all.filter((c) => !c.licenses?.length).map((c) => c.name)).toEqual([]);
    expect(stdout).toContain(`${all.length} components`);
    // The licence inventory covers exactly the packages the SBOM lists.
    const inventory = JSON.parse(runScript('licenses.mjs', ['--json']).stdout) as { packages: { name: string; version: string }[] };
    expect(new Set(inventory.packages.map((p) => `${p.name}@${p.version}`))).toEqual(new Set(all.map((c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`)));
  });
});
