// Builds the agent for a metering box: one ES module (plus one chunk per meter driver, loaded
// only when configured) from the TypeScript sources, so the box runs plain `node` without the
// tsx loader, which alone costs about 30 MB of RSS (docs/agent.md, docs/benchmarks.md).
// The meter libraries stay in node_modules (installed with `npm ci --omit=dev` next to the output).
//   npx tsx firmware/agent/build.ts [outdir]      (default: dist/agent)
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Bundles firmware/agent/cli.ts into `outdir`/wattlake-agent.mjs; returns its path. */
export async function buildAgent(outdir = path.join(REPO, 'dist', 'agent')): Promise<string> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { 'wattlake-agent': path.join(REPO, 'firmware', 'agent', 'cli.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    minify: true,
    sourcemap: 'linked',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Bundled and tree-shaken: loading mqtt.js, zod, pino and commander whole costs ~25 MB of RSS.
    // The drivers' libraries stay external (native serial bindings; loaded only when configured).
    external: ['modbus-serial', 'smartmeter-obis', 'serialport', '@serialport/*'],
    // CommonJS dependencies require() Node's built-ins; an ES module has no `require` of its own.
    banner: { js: "#!/usr/bin/env node\nimport { createRequire as __agentCreateRequire } from 'node:module';\nconst require = __agentCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return path.join(outdir, 'wattlake-agent.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = await buildAgent(process.argv[2] === undefined ? undefined : path.resolve(process.argv[2]));
  process.stdout.write(`${out}\n`);
}
