// `wattlake-agent`: runs the metering-box agent in the foreground (systemd runs it the same way,
// see wattlake-agent.service). Logs are JSON lines on stdout (journald keeps them).
import { Command } from 'commander';
import { pino } from 'pino';
import { startAgent } from './agent.ts';
import { ConfigError, loadAgentConfig } from './config.ts';
import { AGENT_VERSION } from './version.ts';

const DEFAULT_CONFIG = '/etc/wattlake-agent/agent.json';

const program = new Command()
  .name('wattlake-agent')
  .description('Metering-box agent: reads a meter on a clock-aligned cadence, batches readings into a crash-safe disk queue and delivers them over MQTT/TLS (QoS 1) to AWS IoT Core or the wattlake twin.')
  .version(AGENT_VERSION)
  .showHelpAfterError();

program.command('run', { isDefault: true })
  .description('run the agent in the foreground until SIGINT/SIGTERM (which put the open batch on disk and deliver for up to --drain-seconds)')
  .option('-c, --config <file>', 'config file (JSON; docs/agent.md)', DEFAULT_CONFIG)
  .option('--drain-seconds <s>', 'on stop, how long to keep delivering the queue', (v) => Number(v), 10)
  .option('--log-level <level>', 'fatal, error, warn, info, debug', 'info')
  .action(async ({ config: file, drainSeconds, logLevel }: { config: string; drainSeconds: number; logLevel: string }) => {
    const config = await loadAgentConfig(file);
    const logger = pino({ level: logLevel, base: { device: config.deviceId } });
    const agent = await startAgent({
      config, logger,
      onEnqueued: (seq, readings) => logger.debug({ seq, readings }, 'enqueued'),
    });
    await new Promise<void>((resolve) => {
      const stop = (signal: NodeJS.Signals): void => {
        logger.info({ signal }, 'agent: stopping');
        void agent.stop({ drainMs: drainSeconds * 1000, reason: signal }).then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });

program.command('check')
  .description('validate the config file and print it with defaults filled in')
  .option('-c, --config <file>', 'config file', DEFAULT_CONFIG)
  .action(async ({ config: file }: { config: string }) => {
    process.stdout.write(`${JSON.stringify(await loadAgentConfig(file), null, 2)}\n`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  // Config problems are the operator's to fix: the message, not a stack.
  console.error(`wattlake-agent: ${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}`);
  process.exitCode = error instanceof ConfigError ? 78 : 1; // 78 = EX_CONFIG: systemd's RestartPreventExitStatus below
}
