import type { PrivateHosts } from './private-hosts.ts';
import type { Clock } from './clock.ts';
import type { Db, Engine } from './db/database.ts';
import type { Ids } from './ids.ts';
import type { Logger } from './logger.ts';
import type { SecretBox } from './secret-box.ts';

/** What a use case needs from the outside world, built once in main.ts and passed in. */
export type Deps = {
  readonly db: Db;
  /** Reads that may walk many rows, off the event loop on SQLite (see Database.reads). */
  readonly reads: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly ids: Ids;
  readonly log: Logger;
  /** Seals and opens stored credentials (channel secrets). */
  readonly secretBox: SecretBox;
  /** Private hosts channels may call all the same (none when absent: see private-hosts.ts). */
  readonly privateHosts?: PrivateHosts;
};
