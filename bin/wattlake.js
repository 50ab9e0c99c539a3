#!/usr/bin/env node
// The `wattlake` command. Sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../infra/local/cli/main.ts');
