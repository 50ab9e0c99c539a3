// `wattlake demo`: the whole product on one machine. Starts the twin, registers simulated
// meters with their own certificates, replays their history through MQTT/TLS, then keeps them
// streaming live until Ctrl-C.
import { Command } from 'commander';
import { credentialsFromStateDir } from '../../../firmware/simulator/device-credentials.ts';
import { runMqttFleet } from '../../../firmware/simulator/mqtt-fleet.ts';
import { DAY_MS } from '../../../pipeline/schema/ids.ts';
import { demoFleet, DEMO_SITE_TIMEZONES, installExampleReferences, provisionFleet } from '../demo.ts';
import { dashboardRoutes, dashboardUrl } from '../dashboard/routes.ts';
import { reportJobs } from '../report-jobs.ts';
import { startTwin } from '../twin.ts';
import { addTwinOptions, onShutdownSignal, showProgress, twinLogger, twinPaths, wholeNumber, type TwinCliOptions } from './twin-options.ts';

interface DemoOptions extends TwinCliOptions {
  devices: number;
  days: number;
  cadence: number;
  batchSize: number;
  exitAfterBackfill?: boolean;
}

export function demoCommand(): Command {
  return addTwinOptions(new Command('demo'), { bufferSizeMb: 16, bufferInterval: 5 })
    .description('start the twin, provision N simulated meters, backfill D days of history through MQTT, then stream live')
    .option('--devices <n>', 'simulated meters', wholeNumber(1, 10_000), 30)
    .option('--days <d>', 'days of history to backfill', wholeNumber(0, 400), 7)
    .option('--cadence <seconds>', 'seconds between readings', wholeNumber(1, 3600), 60)
    .option('--batch-size <n>', 'readings per MQTT message', wholeNumber(1, 500), 15)
    .option('--exit-after-backfill', 'stop after the history is in the lake instead of streaming live')
    .action(async (options: DemoOptions, command: Command) => {
      const { lake, stateDir } = twinPaths(command);
      const { logger, file } = twinLogger(stateDir, options.logLevel);
      const fleet = demoFleet(options.devices);
      const added = await provisionFleet(stateDir, fleet);
      console.log(`devices: ${fleet.length} simulated meters on ${DEMO_SITE_TIMEZONES.length} sites (${added} newly registered, certificates in ${stateDir}/devices/)`);
      const twin = await startTwin({
        lake, stateDir, port: options.port, httpPort: options.httpPort, host: options.host, logger,
        routes: dashboardRoutes,
        jobs: (twin) => reportJobs({ ...twin, logger: logger.child({ component: 'reports' }) }),
        bufferHints: { sizeMb: options.bufferSizeMb, intervalSeconds: options.bufferInterval },
        ...(options.insecureDev !== undefined ? { insecureDevPort: options.insecureDev } : {}),
      });
      // Before anything is printed: whoever reads our output may signal us at once.
      let stopProgress = (): void => undefined;
      const controller = new AbortController();
      onShutdownSignal(async (signal) => {
        controller.abort();
        stopProgress();
        console.log(`${signal}: delivering buffered readings…`);
        await twin.close();
      });
      const references = await installExampleReferences(twin.store);
      if (references.length) console.log(`reference tables installed from examples/reference/: ${references.join(', ')}`);
      console.log(`twin: mqtts://${options.host}:${twin.broker.port}, http://${options.host}:${twin.http.port}/metrics, lake ${lake}, logs ${file}`);
      console.log(`dashboard: ${dashboardUrl(options.host, twin.http.port)}`);

      const cadenceMs = options.cadence * 1000;
      const end = Math.floor(Date.now() / cadenceMs) * cadenceMs;
      const start = end - options.days * DAY_MS;
      stopProgress = showProgress(twin);
      const fleetOptions = {
        url: `mqtts://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${twin.broker.port}`,
        devices: options.devices, sites: DEMO_SITE_TIMEZONES.length, timezones: DEMO_SITE_TIMEZONES, tsFormat: 'mixed' as const,
        cadenceMs, batchSize: options.batchSize, seed: 2026, resetProbability: 1e-5,
        credentials: credentialsFromStateDir(stateDir), signal: controller.signal,
      };
      console.log(`backfilling ${options.days} days (${new Date(start).toISOString()} .. ${new Date(end).toISOString()}) through MQTT…`);
      const began = Date.now();
      const caughtUp = async (): Promise<void> => {
        await twin.buffer.flush();
        stopProgress();
        const readings = twin.buffer.stats.accepted;
        const seconds = (Date.now() - began) / 1000;
        console.log(`backfill done: ${readings} readings in the lake after ${seconds.toFixed(1)} s (${Math.round(readings / Math.max(seconds, 0.001))} readings/s end to end)`);
        console.log([
          'Try:',
          `  npx wattlake stats --lake ${lake}`,
          '  npx wattlake queries',
          `  npx wattlake query daily_consumption --lake ${lake} --param start_date=${new Date(start).toISOString().slice(0, 10)} --param end_date=${new Date(end).toISOString().slice(0, 10)}`,
          `  npx wattlake report run weekly_data_completeness --lake ${lake}`,
          `  curl http://${options.host}:${twin.http.port}/metrics`,
        ].join('\n'));
      };
      if (options.exitAfterBackfill) {
        await runMqttFleet({ ...fleetOptions, mode: 'backfill', start, end });
        await caughtUp();
        await twin.close();
        return;
      }
      // One continuous live run: it replays the history as fast as PUBACKs allow, then follows
      // the clock, so every meter's register and seq stay continuous across the two phases.
      let announced = false;
      await runMqttFleet({
        ...fleetOptions, mode: 'live', start,
        onProgress: (progress) => {
          if (announced || progress.simulatedTime === null || progress.simulatedTime < end - cadenceMs) return;
          announced = true;
          void caughtUp().then(() => {
            console.log('streaming live readings; Ctrl-C stops (buffered readings are delivered first)');
            // Kept, so that Ctrl-C stops this display too before it reports the shutdown.
            stopProgress = showProgress(twin);
          });
        },
      });
    });
}
