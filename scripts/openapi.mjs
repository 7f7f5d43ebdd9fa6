// Rewrites docs/openapi.json from the route table (run through `npm run openapi`, which compiles
// first). The unit test test/unit/api/openapi.test.ts fails while the checked-in copy is stale.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { openApiDocument } = await import(join(root, 'dist/electron/contract/openapi.js'));
const out = join(root, 'docs/openapi.json');
writeFileSync(out, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
console.log(`wrote ${out}`);
