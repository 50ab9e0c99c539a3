// The bundle the systemd unit runs (firmware/agent/build.ts): plain `node`, no tsx.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildAgent } from '../../../firmware/agent/build.ts';
import { execFileAsync } from '../../helpers/cli.ts';

// Inside the repository (dist/ is ignored), so that the bundle finds node_modules as it would on the box.
const OUT = join(fileURLToPath(new URL('../../../', import.meta.url)), 'dist', `test-agent-${process.pid}`);
const EXAMPLE = fileURLToPath(new URL('../../../firmware/agent/agent.example.json', import.meta.url));
let bundle: string;

beforeAll(async () => { bundle = await buildAgent(OUT); });
afterAll(async () => { await rm(OUT, { recursive: true, force: true }); });

it('runs on plain node with the package version', async () => {
  const { stdout } = await execFileAsync(process.execPath, [bundle, '--version']);
  expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
});

it('validates the example config (zod and commander bundled, require() of built-ins working)', async () => {
  const { stdout } = await execFileAsync(process.execPath, ['--max-semi-space-size=1', '--lite-mode', bundle, 'check', '-c', EXAMPLE], { env: { ...process.env, STATE_DIRECTORY: '/var/lib/wattlake-agent' } });
  expect(JSON.parse(stdout)).toMatchObject({ deviceId: 'meter-0001', meter: { driver: 'modbus-tcp', model: 'sdm630' }, queue: { dir: '/var/lib/wattlake-agent' } });
});
