// Delivery is background work that backpressure already keeps bounded, while the broker's
// PUBACKs are what devices wait for: on a machine with few cores, delivery should get the CPU
// only when the broker does not need it, as long as it keeps up. Delivery runs in a process of
// its own (process-delivery.ts), which lowers its own priority as it starts. On Linux a nice
// value is per thread and new threads inherit their creator's, so every thread that exists is
// lowered then, and the ones started later (libuv's pool, DuckDB's, which run the conversions)
// inherit it.
//
// Where Linux's autogroup scheduling is on (the default on many kernels), nice values weigh
// threads only within their session's group, and this process leads a session of its own (it
// is started detached): its group would get as much CPU as the broker's session whatever its
// threads' nice values. So the group's nice value is set as well, and it follows the buffer:
// lowered (to 19, the lowest) while delivery keeps up, back to normal while it is behind.
// Lowered all the time, it starved delivery under full load (publish -> Parquet 70-79k against
// 87-91k batched readings/s); at normal priority all the time, deliveries took the CPU from the
// broker in bursts and PUBACK p99 at 10,000 messages/s rose from tens of ms to hundreds
// (docs/benchmarks.md, "Local twin").
//
// Where the group's nice value does weigh, the threads also run under SCHED_IDLE: a thread of
// the broker that wakes up then takes the CPU from delivery at once (at nice 19 it can wait for
// delivery's time slice to end). PUBACK p99 at 10,000 single-reading messages/s fell from
// 84-202 ms to 32-68 ms in alternating runs (docs/benchmarks.md, "The delivery's threads under
// SCHED_IDLE"). SCHED_IDLE cannot be left without privileges, so it is used only where the
// autogroup can give delivery its share back while it is behind.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import type { BufferLogger } from './logger.ts';

/** Nice value of the delivery process's threads (0 = normal, 19 = lowest). */
export const DELIVERY_NICENESS = 10;

/**
 * Nice value of the delivery process's autogroup while delivery keeps up: the lowest. Where
 * autogroups are on, it is what weighs delivery against the broker. At 10, conversions still
 * took enough CPU from the broker's loop and its libuv pool that PUBACK p99 at 10,000
 * single-reading messages/s was 65 and 94 ms, against 27 and 43 ms at 19 in alternating runs
 * (docs/benchmarks.md, "The delivery's autogroup at nice 19").
 */
export const KEEPING_UP_AUTOGROUP_NICENESS = 19;

/** Lowers the scheduling priority of the calling process, all its threads, to `niceness`; returns whether it did. */
export function lowerProcessPriority(niceness: number, logger: BufferLogger): boolean {
  try {
    if (process.platform !== 'linux') {
      setPriority(niceness); // process-wide elsewhere
      return true;
    }
    // setpriority() on a Linux TID affects that thread alone.
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), niceness);
    return true;
  } catch (error) {
    logger.debug({ err: error }, 'buffer: could not lower the delivery process\'s priority');
    return false;
  }
}

/**
 * Sets the nice value of this process's autogroup, only when the process leads its session (an
 * autogroup is a session; changing a shared one would change the broker's with it). Any value
 * from 0 up needs no privilege, so it can go back to 0. Returns whether it did.
 */
export function setOwnAutogroupNiceness(niceness: number, logger: BufferLogger): boolean {
  if (process.platform !== 'linux') return false;
  try {
    if (sessionId(readFileSync('/proc/self/stat', 'utf8')) !== process.pid) return false;
    writeFileSync('/proc/self/autogroup', String(niceness));
    return true;
  } catch (error) {
    // No autogroup support (the file is missing), or not allowed: thread nice values still apply within the session.
    logger.debug({ err: error }, 'buffer: could not set the delivery process\'s autogroup priority');
    return false;
  }
}

/**
 * Puts every thread of this process under the SCHED_IDLE policy (Linux), so the threads it
 * starts later inherit it. Uses util-linux's `chrt`, as Node has no sched_setscheduler().
 * Returns whether it did.
 */
export function runProcessAsIdle(logger: BufferLogger): boolean {
  if (process.platform !== 'linux') return false;
  try {
    execFileSync('chrt', ['--all-tasks', '--idle', '--pid', '0', String(process.pid)], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch (error) {
    logger.debug({ err: error }, 'buffer: could not run the delivery process under SCHED_IDLE');
    return false;
  }
}

/** What decides whether the kernel weighs a process by its autogroup (see autogroupApplies). */
export interface AutogroupFacts {
  /** /proc/sys/kernel/sched_autogroup_enabled, or null when missing (no autogroup support). */
  enabled: string | null;
  /** /proc/self/cgroup. */
  cgroups: string;
  /** cgroup v2's /sys/fs/cgroup/cgroup.subtree_control, or null when missing. */
  rootSubtreeControl: string | null;
  /** The link /proc/self/ns/cgroup, or null where the kernel has no cgroup namespaces. */
  cgroupNamespace: string | null;
}

/** The initial cgroup namespace's link: its inode number is fixed (PROC_CGROUP_INIT_INO in the kernel's proc_ns.h). */
export const INITIAL_CGROUP_NAMESPACE = 'cgroup:[4026531835]';

/**
 * Whether the kernel weighs this process's CPU share by its autogroup: only with autogroups
 * enabled and while the process is in the root CPU cgroup (the kernel ignores autogroups for
 * tasks in any other task group, e.g. a systemd unit's slice with the cpu controller on). In a
 * cgroup namespace of its own (a container's) the paths are relative to the container's cgroup,
 * so the answer is no.
 */
export function autogroupApplies({ enabled, cgroups, rootSubtreeControl, cgroupNamespace }: AutogroupFacts): boolean {
  if (enabled?.trim() !== '1') return false;
  if (cgroupNamespace !== null && cgroupNamespace !== INITIAL_CGROUP_NAMESPACE) return false;
  const lines = cgroups.trim().split('\n').map((line) => /^\d+:([^:]*):(.*)$/.exec(line)).filter((match) => match !== null);
  const v1 = lines.find(([, controllers]) => controllers!.split(',').includes('cpu'));
  if (v1 !== undefined) return v1[2] === '/';
  const v2 = lines.find(([, controllers]) => controllers === '');
  if (v2 === undefined) return false;
  // cgroup v2: a process below the root is in the root task group only if the cpu controller is off.
  return v2[2] === '/' || !(rootSubtreeControl ?? '').split(/\s+/).includes('cpu');
}

/** autogroupApplies for this process, from the files it reads (false where they are missing). */
export function ownAutogroupApplies(): boolean {
  if (process.platform !== 'linux') return false;
  const read = (file: string): string | null => (existsSync(file) ? readFileSync(file, 'utf8') : null);
  try {
    const cgroupNamespace = existsSync('/proc/self/ns/cgroup') ? readlinkSync('/proc/self/ns/cgroup') : null;
    return autogroupApplies({ enabled: read('/proc/sys/kernel/sched_autogroup_enabled'), cgroups: read('/proc/self/cgroup') ?? '', rootSubtreeControl: read('/sys/fs/cgroup/cgroup.subtree_control'), cgroupNamespace });
  } catch {
    return false;
  }
}

/**
 * The fields of a /proc/<pid>/stat line after the command name, from the state (field 3 in
 * proc(5)) on: the name, in parentheses, may itself hold spaces and parentheses.
 */
export const statFields = (stat: string): string[] => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** The session id field of a /proc/<pid>/stat line. */
export const sessionId = (stat: string): number => Number(statFields(stat)[3]);
