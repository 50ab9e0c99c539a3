// The contract between the twin's MQTT broker and what it hands accepted publishes to.
// The broker enforces the IoT policy; the sink makes a publish durable. The broker sends
// PUBACK only after the sink's promise resolves, so an acknowledged reading survives kill -9.

/** A publish that passed the device policy. */
export interface AcceptedPublish {
  /** MQTT client id = thing name = device_id (checked against the client certificate). */
  clientId: string;
  topic: string;
  payload: Buffer;
  /** Broker receive time, epoch ms: what the IoT rule's timestamp() returns. */
  receivedAt: number;
}

/** Resolves once the publish is durable (spooled and fsynced); rejects to refuse it (no PUBACK). */
export type PublishSink = (publish: AcceptedPublish) => Promise<void>;
