// `wattlake up`: the local twin until stopped; SIGINT/SIGTERM deliver everything spooled first.
import { Command } from 'commander';
import { dashboardRoutes, dashboardUrl } from '../dashboard/routes.ts';
import { reportJobs } from '../report-jobs.ts';
import { startTwin } from '../twin.ts';
import { addTwinOptions, onShutdownSignal, showProgress, twinLogger, twinPaths, type TwinCliOptions } from './twin-options.ts';

export function upCommand(): Command {
  return addTwinOptions(new Command('up'), { bufferSizeMb: 64, bufferInterval: 60 })
    .description('run the local twin (mqtts broker, durable buffer, converter, dashboard, scheduler) until stopped')
    .action(async (options: TwinCliOptions, command: Command) => {
      const { lake, stateDir } = twinPaths(command);
      const { logger, file } = twinLogger(stateDir, options.logLevel);
      if (options.insecureDev !== undefined) {
        console.warn(`WARNING: --insecure-dev opens plain-TCP MQTT on port ${options.insecureDev}: no TLS, for development only.`);
      }
      const twin = await startTwin({
        lake, stateDir, port: options.port, httpPort: options.httpPort, host: options.host, logger,
        routes: dashboardRoutes,
        jobs: (twin) => reportJobs({ ...twin, logger: logger.child({ component: 'reports' }) }),
        bufferHints: { sizeMb: options.bufferSizeMb, intervalSeconds: options.bufferInterval },
        ...(options.insecureDev !== undefined ? { insecureDevPort: options.insecureDev } : {}),
      });
      // Before "is up" is printed: whoever reads it may signal us at once.
      let stopProgress = (): void => undefined;
      onShutdownSignal(async (signal) => {
        stopProgress();
        console.log(`${signal}: delivering buffered readings…`);
        await twin.close();
        console.log(`stopped; ${twin.buffer.stats.accepted} readings delivered in this run`);
      });
      console.log([
        'wattlake twin is up',
        `  mqtts://${options.host}:${twin.broker.port}  (client certificates: wattlake devices add <id> --site <site>)`,
        ...(twin.broker.insecurePort !== undefined ? [`  mqtt://${options.host}:${twin.broker.insecurePort}  (INSECURE, development only)`] : []),
        `  dashboard: ${dashboardUrl(options.host, twin.http.port)}`,
        `  http://${options.host}:${twin.http.port}/metrics`,
        `  lake: ${lake}`,
        `  logs: ${file}`,
        'Ctrl-C delivers what is buffered and stops.',
      ].join('\n'));
      stopProgress = showProgress(twin);
    });
}
