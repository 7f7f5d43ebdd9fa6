// The leak guard's registry: a tracked child is listed while it runs and dropped once it exits.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { liveChildren, trackChild } from '../../helpers/children.js';
import { waitFor } from '../../helpers/processes.js';

describe('tracked children', () => {
  it('lists a running child under its label and forgets it after it exits', async () => {
    const proc = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    trackChild(proc, 'an idle node');
    expect(liveChildren()).toContainEqual({ proc, label: 'an idle node' });
    proc.kill('SIGKILL');
    await waitFor(() => !liveChildren().some((c) => c.proc === proc), 'the killed child to leave the list');
    expect(liveChildren().map((c) => c.proc)).not.toContain(proc);
  });
});
