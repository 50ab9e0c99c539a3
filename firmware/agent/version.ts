// The agent's firmware version: the package version (inlined when the agent is bundled).
import packageJson from '../../package.json' with { type: 'json' };

export const AGENT_VERSION: string = packageJson.version;
