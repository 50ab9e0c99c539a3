import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockFileOf, lockSpool, SpoolLockedError } from '../../../../infra/local/buffer/spool-lock.ts';
import { Spool } from '../../../../infra/local/buffer/spool.ts';

/** Another live process (an idle node), standing in for a second `wattlake up`. */
function otherProcess(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
}

/** The PID of a process that has exited: what a lock left by kill -9 names. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid as number;
}

describe('spool lock', () => {
  let state: string;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(async () => {
    state = await mkdtemp(join(tmpdir(), 'wattlake-lock-'));
    dir = join(state, 'spool');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await rm(state, { recursive: true, force: true });
  });

  it('writes its PID next to the spool folder and removes the file on release', async () => {
    const lock = await lockSpool(dir);
    expect(lockFileOf(dir)).toBe(join(state, 'spool.lock'));
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
    await expect(readFile(lockFileOf(dir))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a spool that a live process holds, naming its PID', async () => {
    const other = otherProcess();
    children.push(other);
    await once(other, 'spawn');
    await writeFile(lockFileOf(dir), `${other.pid}\n`);
    const refused = lockSpool(dir);
    await expect(refused).rejects.toBeInstanceOf(SpoolLockedError);
    await expect(refused).rejects.toThrow(`in use by another wattlake process (PID ${other.pid})`);
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${other.pid}\n`); // left alone
  });

  it('takes over the lock of a process that no longer runs', async () => {
    await writeFile(lockFileOf(dir), `${await deadPid()}\n`);
    const lock = await lockSpool(dir);
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('takes over a lock torn by a crash between creating and writing it', async () => {
    await writeFile(lockFileOf(dir), '');
    const lock = await lockSpool(dir);
    expect(await readFile(lockFileOf(dir), 'utf8')).toBe(`${process.pid}\n`);
    await lock.release();
  });

  it('keeps Spool.open from opening a folder another process uses, without touching its segments', async () => {
    const first = await Spool.open({ dir });
    await first.append({ kind: 'rule-output', receivedAt: Date.now(), data: Buffer.from('{"device_id":"meter-0001"}') });
    await first.close(); // leaves a sealed-to-be segment 000001.log and releases the lock
    const other = otherProcess();
    children.push(other);
    await once(other, 'spawn');
    await writeFile(lockFileOf(dir), `${other.pid}\n`);
    await expect(Spool.open({ dir })).rejects.toThrow(`PID ${other.pid}`);

    other.kill('SIGKILL');
    await once(other, 'exit');
    const reopened = await Spool.open({ dir });
    expect(reopened.sealed.map((s) => s.records)).toEqual([1]);
    await reopened.close();
  });
});
