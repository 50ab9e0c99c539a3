// Running the `wattlake` CLI as a user would: a child Node process on bin/wattlake.js.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const WATTLAKE_BIN = fileURLToPath(new URL('../../bin/wattlake.js', import.meta.url));
export const execFileAsync = promisify(execFile);
