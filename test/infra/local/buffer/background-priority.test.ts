import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sessionId, statFields } from '../../../../infra/local/buffer/background-priority.ts';

describe('sessionId', () => {
  it('reads the session field of a /proc/<pid>/stat line', () => {
    expect(sessionId('4242 (node) S 4000 4242 4100 34816 4242 4194560 2318 0 0 0 63 8 0 0 20 0 11 0')).toBe(4100);
  });

  it('is not misled by spaces and parentheses in the command name', () => {
    expect(sessionId('4242 (my (odd) cmd) S 4000 4242 4100 34816 4242 4194560 2318 0 0 0 63 8 0 0 20 0 11 0')).toBe(4100);
  });

  it('reads every field from the state on, whatever the command name holds (statFields)', () => {
    const fields = statFields('4242 (a) b (c) ) Z 4000 4242 4100 34816 4242 4194560 2318 0 0 0 63 8 0 0 20 10 11 0');
    expect([fields[0], fields[1], fields[16]]).toEqual(['Z', '4000', '10']);
  });

  it.runIf(process.platform === 'linux')('tells a process started detached (a session leader) from one in this session', () => {
    const detached = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const attached = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const own = sessionId(readFileSync('/proc/self/stat', 'utf8'));
      expect(sessionId(readFileSync(`/proc/${detached.pid}/stat`, 'utf8'))).toBe(detached.pid);
      expect(sessionId(readFileSync(`/proc/${attached.pid}/stat`, 'utf8'))).toBe(own);
      expect(own).not.toBe(detached.pid);
    } finally {
      detached.kill();
      attached.kill();
    }
  });
});
