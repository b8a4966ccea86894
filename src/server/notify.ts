// Keyspace notifications (notify-keyspace-events): a command that changed a key calls
// notify(); when the event's class is enabled, "__keyspace@<db>__:<key>" gets the event name
// and "__keyevent@<db>__:<event>" gets the key, published through whatever Pub/Sub layer
// installed `publish`. Cheap when notifications are off: one bit test.

import { NOTIFY, keyspaceEventsToFlags } from '../config/special.js';
import type { ConfigStore } from '../config/store.js';

export { NOTIFY };

export type Publish = (channel: string, message: string) => void;

export class Notifier {
  /** The enabled classes (NOTIFY.* bits), kept fresh by the config apply hook. */
  flags = 0;
  /** Installed by the Pub/Sub layer. */
  publish: Publish | null = null;

  constructor(config: ConfigStore) {
    this.flags = Math.max(0, keyspaceEventsToFlags(config.str('notify-keyspace-events')));
    config.onApply('notify-keyspace-events', (v) => ((this.flags = Math.max(0, keyspaceEventsToFlags(v))), null));
  }

  /** True when events of class `cls` would be published (lets callers skip building them). */
  wants(cls: number): boolean {
    return (this.flags & cls) !== 0 && (this.flags & (NOTIFY.keyspace | NOTIFY.keyevent)) !== 0;
  }

  /** Publishes `event` on `key` of database `dbid` if class `cls` is enabled. */
  notify(cls: number, event: string, key: string, dbid: number): void {
    if ((this.flags & cls) === 0 || this.publish === null) return;
    if (this.flags & NOTIFY.keyspace) this.publish(`__keyspace@${dbid}__:${key}`, event);
    if (this.flags & NOTIFY.keyevent) this.publish(`__keyevent@${dbid}__:${event}`, key);
  }
}
