// Provides the real llama-server to every test: built from source once per machine and cached
// (scripts/test-engine.mjs; `npm test` runs it in pretest so the build is not inside a timeout).
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    enginePath: string;
  }
}

export default function setup(project: TestProject): void {
  const enginePath = execFileSync(process.execPath, ['scripts/test-engine.mjs'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  project.provide('enginePath', enginePath);
}
