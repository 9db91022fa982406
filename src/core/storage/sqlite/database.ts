// Opens the SQLite database (better-sqlite3): WAL, foreign keys, and versioned migrations from
// ./migrations (NNNN_name.sql, applied in order, each in its own transaction, tracked by user_version).
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Logger } from '../../logger.ts';

export type Db = Database.Database;

const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export function openDatabase(file: string, options: { readonly?: boolean } = {}): Db {
  if (options.readonly) {
    // no migrations and no pragmas that write: the file's owner has set WAL mode, which persists
    const reader = new Database(file, { readonly: true, fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    return reader;
  }
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode keeps every committed transaction across a crash of the process (what the
  // crash test kills); only an OS crash or power loss can drop the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Deleted rows (erased personal data) are overwritten with zeros, not only unlinked: without it the
  // bytes stay in the page's free space and reach the database file at the next checkpoint.
  db.pragma('secure_delete = ON');
  migrate(db);
  // a process that died before its erasure checkpoint completed left old page images in the WAL
  truncateWal(db);
  return db;
}

/**
 * Copies every WAL frame into the database file and truncates the WAL to zero bytes. Until then the
 * WAL keeps the page images written before an erasure (with the erased values in them): a restarting
 * checkpoint would only overwrite them from the start, never the tail. Returns false, without
 * waiting, while a reader holds an older snapshot that still needs those frames (waiting would block
 * the event loop for up to busy_timeout).
 */
export function truncateWal(db: Db): boolean {
  if (db.memory || db.readonly || !db.open) return true;
  const busyTimeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  try {
    const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
    return result?.busy === 0;
  } catch (e) {
    // another process holds the write lock
    if (/^SQLITE_(BUSY|LOCKED)/.test((e as { code?: string }).code ?? '')) return false;
    throw e;
  } finally {
    db.pragma(`busy_timeout = ${busyTimeout}`);
  }
}

/**
 * Makes erasures reach the disk: after each one the WAL is truncated (truncateWal); while readers
 * (feed worker threads) hold older snapshots, it retries with a growing pause until it succeeds,
 * and logs that it had to wait and when it is done. Erasures arriving meanwhile are covered by the
 * pending retry. Closing the last connection, and the next open, truncate the WAL as well.
 */
export class ErasureCheckpoint {
  private timer: NodeJS.Timeout | undefined;
  private attempts = 0;

  constructor(private readonly db: Db, private readonly logger?: Logger) {}

  /** Called after an erasure has committed. */
  request(): void {
    if (this.timer) return;
    if (truncateWal(this.db)) return;
    this.logger?.warn('personal data erased, but a reader holds an older snapshot: the write-ahead log still holds the old page images; retrying the checkpoint until it completes');
    this.retryLater();
  }

  /** Whether a checkpoint is still outstanding. */
  get pending(): boolean {
    return this.timer !== undefined;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private retryLater(): void {
    this.attempts++;
    // unref: an exit before it succeeds is covered by close() and by the next open
    this.timer = setTimeout(() => this.retry(), Math.min(50 * 2 ** this.attempts, 5_000)).unref();
  }

  private retry(): void {
    this.timer = undefined;
    if (truncateWal(this.db)) {
      this.logger?.info({ attempts: this.attempts }, 'erased personal data is gone from the write-ahead log: the deferred checkpoint completed');
      this.attempts = 0;
      return;
    }
    if (this.attempts % 20 === 0) this.logger?.warn({ attempts: this.attempts }, 'the checkpoint after an erasure still cannot complete: a reader holds an older snapshot; retrying');
    this.retryLater();
  }
}

export function migrate(db: Db): number {
  const files = readdirSync(migrationsDir).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const f of files) {
    const version = Number(f.slice(0, 4));
    if (version <= current) continue;
    const sql = readFileSync(join(migrationsDir, f), 'utf8');
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

const statementCache = new WeakMap<Db, Map<string, Database.Statement<unknown[]>>>();

/** A prepared statement for `sql`, prepared once per connection: preparing costs more than running the small statements the repositories use. */
export function prepare(db: Db, sql: string): Database.Statement<unknown[]> {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  let st = cache.get(sql);
  if (!st) {
    st = db.prepare(sql);
    cache.set(sql, st);
  }
  return st;
}

/**
 * Rows that are read on every request but written rarely, and only through this store (API keys,
 * Open311 categories, tenants), kept after the first read. A write through the owning repository
 * clears its cache; a commit by any other connection (another process on the same file) clears every
 * cache, through `PRAGMA data_version`. Values are frozen, since every caller shares them.
 */
export class ReadCache<V> {
  private readonly values = new Map<string, V>();
  private version: number | undefined;

  constructor(private readonly db: Db, private readonly maxEntries = 10_000) {}

  get(key: string, load: () => V | undefined): V | undefined {
    const version = dataVersion(this.db);
    if (version !== this.version) {
      this.values.clear();
      this.version = version;
    }
    const hit = this.values.get(key);
    if (hit !== undefined) return hit;
    const value = load();
    if (value === undefined) return undefined; // misses are not kept: unknown keys must not fill memory
    if (this.values.size >= this.maxEntries) this.values.clear();
    this.values.set(key, deepFreeze(value));
    return value;
  }

  clear(): void {
    this.values.clear();
  }
}

const versionSeen = new WeakMap<Db, number>();

/**
 * PRAGMA data_version, asked once per synchronous run per connection: a report looks up its key, its
 * category and its tenant in one go, and the pragma costs as much as the lookups it saves. The memo is
 * dropped at the next microtask, so a commit by another process that happened before this run began
 * is always seen (a time-based memo hid commits made within its window).
 */
export function dataVersion(db: Db): number {
  const seen = versionSeen.get(db);
  if (seen !== undefined) return seen;
  const version = (prepare(db, 'PRAGMA data_version').get() as { data_version: number }).data_version;
  versionSeen.set(db, version);
  queueMicrotask(() => versionSeen.delete(db));
  return version;
}

/**
 * Moves with every write through `db` (total_changes()) and every commit by another connection
 * (data_version): coarse, but never stale. For answers derived from many rows.
 */
export function changeStamp(db: Db): string {
  return `${(prepare(db, 'SELECT total_changes() AS n').get() as { n: number }).n}.${dataVersion(db)}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
