// EventBridge Scheduler's local stand-in: named cron jobs run in-process (croner), one run at a
// time per job; a failure is logged and the next tick tries again.
import { Cron } from 'croner';
import type { Logger } from 'pino';

export interface ScheduledJob {
  name: string;
  /** Cron expression (5 or 6 fields), evaluated in `timezone`. */
  cron: string;
  timezone?: string;
  run: (scheduledAt: Date) => Promise<void>;
}

export interface Scheduler {
  stop(): void;
  nextRuns(): { name: string; next: Date | null }[];
}

export function startScheduler(jobs: ScheduledJob[], logger: Logger): Scheduler {
  const crons = jobs.map((job) => new Cron(job.cron, { name: job.name, timezone: job.timezone ?? 'UTC', protect: true }, async (self: Cron) => {
    const scheduledAt = self.currentRun() ?? new Date();
    try {
      logger.info({ job: job.name }, 'scheduler: job started');
      await job.run(scheduledAt);
      logger.info({ job: job.name }, 'scheduler: job finished');
    } catch (error) {
      logger.error({ job: job.name, err: error }, 'scheduler: job failed');
    }
  }));
  return {
    stop: () => crons.forEach((c) => c.stop()),
    nextRuns: () => crons.map((c, i) => ({ name: jobs[i]!.name, next: c.nextRun() })),
  };
}
