import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { childProcessCpuMs } from '../../bench/twin/process-cpu.ts';

describe('CPU of the system under test\'s own child processes', () => {
  it.runIf(process.platform === 'linux')('counts the CPU of live children whose command line has the marker, and only theirs', async () => {
    // A child that burns ~400 ms of CPU, then waits to be killed (a dead child's CPU is gone from /proc).
    const script = 'const end = Date.now() + 400; while (Date.now() < end); process.send("busy-done"); setInterval(() => undefined, 1000);';
    const child = spawn(process.execPath, ['-e', script, 'cpu-marker-child'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    try {
      await new Promise((resolve) => child.once('message', resolve));
      expect(childProcessCpuMs('cpu-marker-child')).toBeGreaterThanOrEqual(300);
      expect(childProcessCpuMs('no-such-marker')).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
