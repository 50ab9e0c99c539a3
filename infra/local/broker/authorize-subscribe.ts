// SUBSCRIBE policy: devices only publish telemetry, so the one thing a device may subscribe to
// is its own command tree, `cmd/energy/{site}/{device}/#` (or a filter inside it). Anything else
// is answered with SUBACK failure (0x80) and logged; the connection stays up.
import type { Client, Subscription } from 'aedes';
import type { Logger } from 'pino';
import type { Thing } from '../devices/registry.ts';
import type { Sessions } from './authenticate.ts';

export interface AuthorizeSubscribeOptions {
  sessions: Sessions;
  logger: Logger;
}

type AuthorizeSubscribeHook = (client: Client, subscription: Subscription, callback: (error: Error | null, subscription?: Subscription | null) => void) => void;

export function commandTopicFilter(thing: Thing): string {
  return `cmd/energy/${thing.site_id}/${thing.device_id}/#`;
}

/** Why `thing` may not subscribe to `filter`, or null if it may. Wildcards after the prefix cannot leave it. */
export function subscribeRefusal(thing: Thing, filter: string): string | null {
  const prefix = commandTopicFilter(thing).slice(0, -1);
  return filter.startsWith(prefix) ? null : `only ${commandTopicFilter(thing)} may be subscribed`;
}

export function createAuthorizeSubscribe({ sessions, logger }: AuthorizeSubscribeOptions): AuthorizeSubscribeHook {
  return (client, subscription, callback) => {
    const thing = sessions.get(client);
    const reason = thing ? subscribeRefusal(thing, subscription.topic) : 'not an authenticated thing';
    if (reason) {
      logger.warn({ clientId: client.id, filter: subscription.topic, reason }, 'subscription refused');
      callback(null, null);
      return;
    }
    callback(null, subscription);
  };
}
