// PUBLISH policy, as an IoT Core policy scoped with ${iot:Connection.Thing.ThingName} would be:
// a thing publishes only to its own data and status topics under its registered site, or to the
// Basic Ingest form of its data topic. An accepted publish goes to the sink, and only once the
// sink has made it durable does aedes get the go-ahead, which is what sends the PUBACK.
import type { Client, PublishPacket } from 'aedes';
import type { Logger } from 'pino';
import { READINGS_RULE_NAME } from '../../../pipeline/rule/readings-rule.ts';
import { LIMITS } from '../../../pipeline/schema/readings.ts';
import type { Thing } from '../devices/registry.ts';
import type { Sessions } from './authenticate.ts';
import type { PublishSink } from './types.ts';

export interface AuthorizePublishOptions {
  sessions: Sessions;
  sink: PublishSink;
  logger: Logger;
}

type AuthorizePublishHook = (client: Client | null, packet: PublishPacket, callback: (error?: Error | null) => void) => void;

/** The topics a thing may publish to. */
export function ownTopics(thing: Thing): string[] {
  const base = `dt/energy/${thing.site_id}/${thing.device_id}`;
  return [`${base}/readings`, `${base}/status`, `$aws/rules/${READINGS_RULE_NAME}/${base}/readings`];
}

/** Why `thing` may not publish this, or null if it may. */
export function publishRefusal(thing: Thing, topic: string, qos: number, payloadBytes: number): string | null {
  if (!ownTopics(thing).includes(topic)) {
    const [, , site, device] = topic.split('/');
    if (topic.startsWith('dt/energy/') && device === thing.device_id && site !== thing.site_id) {
      return `topic names site ${site ?? ''} but ${thing.device_id} is registered at site ${thing.site_id}`;
    }
    return `not one of ${thing.device_id}'s own topics`;
  }
  if (qos > 1) return 'QoS 2 is not supported (as in AWS IoT Core)';
  if (payloadBytes > LIMITS.maxPayloadBytes) return `payload of ${payloadBytes} bytes exceeds the ${LIMITS.maxPayloadBytes}-byte limit`;
  return null;
}

export function createAuthorizePublish({ sessions, sink, logger }: AuthorizePublishOptions): AuthorizePublishHook {
  return (client, packet, callback) => {
    const receivedAt = Date.now();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    // A null client is a will published on behalf of a client that is gone: no thing to vouch for it.
    const thing = client ? sessions.get(client) : undefined;
    const reason = thing ? publishRefusal(thing, packet.topic, packet.qos, payload.byteLength) : 'not an authenticated thing';
    if (!thing || reason) {
      logger.warn({ clientId: client?.id, topic: packet.topic, bytes: payload.byteLength, reason }, 'publish refused');
      // An error makes aedes drop the connection without PUBACK, as IoT Core does for MQTT 3.1.1.
      callback(new Error(`publish refused: ${reason}`));
      return;
    }
    // Called synchronously, so the sink sees a client's publishes in the order they arrived.
    sink({ clientId: thing.device_id, topic: packet.topic, payload, receivedAt }).then(
      () => callback(null),
      (error: unknown) => {
        logger.error({ clientId: thing.device_id, topic: packet.topic, err: error }, 'publish not stored; no PUBACK');
        callback(error instanceof Error ? error : new Error(String(error)));
      },
    );
  };
}
