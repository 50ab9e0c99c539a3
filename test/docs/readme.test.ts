// The README's promises: every dependency is justified, and the set-up commands are the ones CI runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string>;
};
const ciRun = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');

describe('README', () => {
  it.each([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)])('justifies the dependency %s', (name) => {
    const row = readme.split('\n').find((line) => line.startsWith('|') && line.includes(`\`${name}\``));
    expect(row, `no row for ${name} in the dependency table`).toBeDefined();
    expect(row!.split('|')[2]!.trim().length).toBeGreaterThan(10);
  });

  it('starts with the demo and test commands, and CI runs that test command', () => {
    const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const commands = quickStart.split('\n').filter(Boolean).map((l) => l.replace(/#.*$/, '').trim());
    expect(commands).toEqual(['npm ci && npm run demo', 'bash .ci/run']);
    expect(ciRun).toMatch(/^(timeout \S+ )?npm ci\b.*$/m); // the install may run under a time limit
    expect(ciRun).toMatch(/^npm test$/m);
    expect(pkg.scripts.test).toContain('npm run typecheck');
    expect(pkg.scripts.typecheck).toBe('tsc --noEmit');
    expect(pkg.scripts.test).toContain('lint');
  });
});
