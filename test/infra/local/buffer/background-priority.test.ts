import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { autogroupApplies, INITIAL_CGROUP_NAMESPACE, sessionId, statFields } from '../../../../infra/local/buffer/background-priority.ts';

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

describe('autogroupApplies', () => {
  // /proc/self/cgroup as cgroup v1 (one line per hierarchy) and v2 (one line, no controllers) write it.
  const V1_ROOT = '12:cpu,cpuacct:/\n4:memory:/user.slice\n1:name=systemd:/user.slice/session-3.scope\n0::/user.slice/session-3.scope\n';
  const V1_SLICE = '12:cpu,cpuacct:/system.slice/wattlake.service\n1:name=systemd:/system.slice/wattlake.service\n';
  const V2_SERVICE = '0::/system.slice/wattlake.service\n';

  it('applies with autogroups enabled and the process in the root CPU cgroup (v1)', () => {
    expect(autogroupApplies({ enabled: '1\n', cgroups: V1_ROOT, rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(true);
  });

  it('does not apply with autogroups disabled or unsupported', () => {
    expect(autogroupApplies({ enabled: '0\n', cgroups: V1_ROOT, rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
    expect(autogroupApplies({ enabled: null, cgroups: V1_ROOT, rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
  });

  it('does not apply in a CPU cgroup of its own, such as a systemd service\'s (v1)', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: V1_SLICE, rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
  });

  it('does not apply below the root of cgroup v2 when the cpu controller is on there', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: V2_SERVICE, rootSubtreeControl: 'cpuset cpu io memory pids\n', cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
  });

  it('applies below the root of cgroup v2 when the cpu controller is off, and at the root itself', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: V2_SERVICE, rootSubtreeControl: 'memory pids\n', cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(true);
    expect(autogroupApplies({ enabled: '1', cgroups: '0::/\n', rootSubtreeControl: 'cpuset cpu io memory pids\n', cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(true);
  });

  it('does not apply in a cgroup namespace of its own (a container\'s), where "/" is the container\'s cgroup', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: '0::/\n', rootSubtreeControl: 'cpuset cpu io memory pids\n', cgroupNamespace: 'cgroup:[4026532714]' })).toBe(false);
  });

  it('takes the paths as they are where the kernel has no cgroup namespaces', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: V1_ROOT, rootSubtreeControl: null, cgroupNamespace: null })).toBe(true);
  });

  it('does not apply when /proc/self/cgroup names no CPU hierarchy it can read', () => {
    expect(autogroupApplies({ enabled: '1', cgroups: '', rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
    expect(autogroupApplies({ enabled: '1', cgroups: '4:memory:/\n', rootSubtreeControl: null, cgroupNamespace: INITIAL_CGROUP_NAMESPACE })).toBe(false);
  });
});
