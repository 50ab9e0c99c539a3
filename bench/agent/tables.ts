// The agent suite's report: per process, CPU share and RSS while running steadily.
import { count, markdownTable } from '../report.ts';
import { AGENT_RSS_TARGET_MIB, AGENT_VARIANTS, type AgentSuiteResult, type ProcessRun } from './suite.ts';

const mib = (n: number): string => `${n.toFixed(1)} MiB`;
const percent = (share: number): string => `${(share * 100).toFixed(2)} %`;

function label(run: ProcessRun): string {
  return run.name === 'agent'
    ? `agent: ${AGENT_VARIANTS.find((v) => v.name === run.variant)?.label ?? run.variant}`
    : `fleet simulator, ${count(run.devices)} devices`;
}

export function agentTables(result: AgentSuiteResult): string {
  const { params, runs } = result;
  const agents = runs.filter((r) => r.name === 'agent');
  return [
    '### Agent: set-up',
    markdownTable(['', ''], [
      ['agent', 'one `wattlake-agent run` child process per variant, sampling a simulated meter every 1 s, batches of 10 readings (10 s), disk queue, MQTT 3.1.1 over mutual TLS to the twin in the bench process (a fresh twin per variant)'],
      ['simulator', `one child process running firmware/simulator/mqtt-fleet.ts in live mode: every device its own TLS connection (client certificate), a reading every ${params.fleetCadenceMs / 1000} s, ${params.fleetBatchSize} readings a message; broker: the twin's aedes + TLS + policy, acknowledging at once`],
      ['measured', `${params.seconds} s per process after ${params.warmupSeconds} s of warm-up; CPU = utime + stime from /proc over wall time (100 % = one core); RSS sampled every second (VmRSS), peak = VmHWM since start; ${params.cores} cores shared`],
    ], ['left', 'left']),
    '### Agent and simulator: CPU and memory',
    markdownTable(
      ['process', 'start until connected', 'CPU (of one core)', 'RSS median', 'RSS max (measured)', 'peak RSS (since start)', 'messages acked', 'readings acked'],
      runs.map((r) => [label(r), `${(r.startMs / 1000).toFixed(1)} s`, percent(r.usage.cpuShare), mib(r.usage.rssMedianMiB), mib(r.usage.rssMaxMiB), mib(r.usage.peakRssMiB), count(r.messagesAcked), count(r.readingsAcked)]),
    ),
    '### Agent: budget',
    markdownTable(['agent', `peak RSS < ${AGENT_RSS_TARGET_MIB} MiB`, 'rows in the lake afterwards'], agents.map((a) => [
      label(a), `${mib(a.usage.peakRssMiB)}: ${a.usage.peakRssMiB < AGENT_RSS_TARGET_MIB ? 'pass' : 'FAIL'}`,
      count(result.storedAgentReadings[a.variant as keyof AgentSuiteResult['storedAgentReadings']] ?? 0),
    ])),
  ].join('\n\n');
}
