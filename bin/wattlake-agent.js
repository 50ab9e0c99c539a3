#!/usr/bin/env node
// The `wattlake-agent` command (metering box). Sources are TypeScript; tsx loads them without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../firmware/agent/cli.ts');
