// Queue overflow: the agent samples while no broker is reachable, with a disk queue that holds
// only a few messages. When a broker appears, the status message reports exactly what was
// evicted (the oldest messages, counted), and everything else arrives.
import { rm } from 'node:fs/promises';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type RunningAgent } from '../../../firmware/agent/agent.ts';
import type { AgentReading } from '../../../firmware/agent/reading.ts';
import type { StatusPayload } from '../../../firmware/agent/status.ts';
import { startBroker, type RunningBroker } from '../../../infra/local/broker/server.ts';
import type { AcceptedPublish } from '../../../infra/local/broker/types.ts';
import { decodeMessage } from '../../../pipeline/decode/payload.ts';
import { DEVICE, SITE, stateWithDevice, tempDir, testConfig } from './fixture.ts';

const silent = pino({ level: 'silent' });

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a full queue while the broker is unreachable', () => {
  let stateDir: string;
  let queueDir: string;
  let agent: RunningAgent;
  let broker: RunningBroker;
  const sampled: AgentReading[] = [];
  const published: AcceptedPublish[] = [];
  let evictedAtConnect = { messages: 0, readings: 0 };

  beforeAll(async () => {
    stateDir = await stateWithDevice();
    queueDir = await tempDir('queue');
    const port = await freePort();
    agent = await startAgent({
      config: testConfig({ stateDir, queueDir, port, intervalMs: 100, maxReadings: 2, maxAgeMs: 10_000, queue: { maxBytes: 4096, segmentBytes: 1024 } }),
      logger: silent, onReading: (r) => sampled.push(r),
    });
    const deadline = Date.now() + 20_000;
    while (agent.queue.stats().evictedMessages < 4 && Date.now() < deadline) await sleep(50);
    const stats = agent.queue.stats();
    evictedAtConnect = { messages: stats.evictedMessages, readings: stats.evictedReadings };
    broker = await startBroker({ stateDir, port, sink: async (p) => { published.push(p); } });
    while ((agent.publisher.stats.acked === 0 || agent.queue.stats().messages > 0) && Date.now() < deadline + 10_000) await sleep(25);
    await agent.stop({ drainMs: 5000 });
    await broker.close();
  }, 60_000);
  afterAll(async () => {
    await agent?.stop({ drainMs: 0 });
    await broker?.close();
    await rm(stateDir, { recursive: true, force: true });
    await rm(queueDir, { recursive: true, force: true });
  });

  const statuses = (): StatusPayload[] => published.filter((p) => p.topic === `dt/energy/${SITE}/${DEVICE}/status`).map((p) => JSON.parse(p.payload.toString()) as StatusPayload);
  const readingMessages = (): { seq: number; readings: AgentReading[] }[] =>
    published.filter((p) => p.topic === `dt/energy/${SITE}/${DEVICE}/readings`).map((p) => JSON.parse(p.payload.toString()) as { seq: number; readings: AgentReading[] });

  it('kept the queue within its bound by evicting whole messages', () => {
    expect(evictedAtConnect.messages).toBeGreaterThanOrEqual(4);
    expect(evictedAtConnect.readings).toBe(2 * evictedAtConnect.messages);
  });

  it('reports the loss on the status topic as soon as it is connected', () => {
    const [first] = statuses();
    expect(first).toMatchObject({ device_id: DEVICE, state: 'online' });
    expect(first!.lost.messages).toBeGreaterThanOrEqual(evictedAtConnect.messages);
    expect(first!.lost.readings).toBe(2 * first!.lost.messages);
    expect(first!.queue.messages).toBeGreaterThan(0);
  });

  it('says offline, with the final loss count, when stopped', () => {
    const last = statuses().at(-1);
    expect(last).toMatchObject({ state: 'offline', reason: 'stopped', queue: { messages: 0 } });
    expect(last!.lost).toEqual({ messages: agent.queue.stats().evictedMessages, readings: agent.queue.stats().evictedReadings });
  });

  it('lost exactly the oldest readings: delivered + lost = sampled, and the seq gap shows it', () => {
    const messages = readingMessages();
    const { evictedMessages, evictedReadings } = agent.queue.stats();
    const delivered = new Map<string, AgentReading>();
    for (const m of messages) for (const r of m.readings) delivered.set(r.ts, r);
    expect([...delivered.values()]).toEqual(sampled.slice(evictedReadings));
    const seqs = [...new Set(messages.map((m) => m.seq))];
    expect(seqs[0]).toBe(evictedMessages);
    expect(seqs).toEqual(seqs.map((_, i) => evictedMessages + i));
  });

  it('published only payloads the lake accepts whole', () => {
    for (const message of readingMessages()) {
      const decoded = decodeMessage(message as unknown as Record<string, unknown>, { siteId: SITE, topicDeviceId: DEVICE, receivedAt: Date.now() });
      expect(decoded.rejected).toEqual([]);
    }
  });
});
