import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { changeStamp, dataVersion } from '../../../../src/core/storage/sqlite/database.ts';

describe('core/storage/sqlite/database: change stamps', () => {
  let dir: string;
  let mine: Database.Database;
  let other: Database.Database;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bg-db-'));
    mine = new Database(join(dir, 'g.db'));
    mine.exec('CREATE TABLE t (n INTEGER)');
    other = new Database(join(dir, 'g.db'));
  });
  afterEach(() => {
    mine.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a commit by another connection moves the stamp at once, not only after some time has passed', async () => {
    for (let i = 0; i < 20; i++) {
      const before = changeStamp(mine);
      other.prepare('INSERT INTO t VALUES (?)').run(i);
      await Promise.resolve(); // another process's commit reaches us across an await at the earliest
      assert.notEqual(changeStamp(mine), before, `commit ${i} seen`);
    }
  });

  it('a write through the connection itself moves the stamp within the same synchronous run', () => {
    const before = changeStamp(mine);
    mine.prepare('INSERT INTO t VALUES (1)').run();
    assert.notEqual(changeStamp(mine), before);
  });

  it('within one synchronous run the pragma is asked once: the version stays put', () => {
    const v = dataVersion(mine);
    other.prepare('INSERT INTO t VALUES (2)').run();
    assert.equal(dataVersion(mine), v);
  });
});
