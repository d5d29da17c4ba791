import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Makes committed transactions durable without blocking the event loop. SQLite runs with
 * synchronous=NORMAL, so a commit writes its WAL frames without waiting for the disk; before a
 * request is acknowledged, the WAL file is flushed with fdatasync on libuv's thread pool (Linux
 * flushes a file's data whatever descriptor wrote it). While one flush runs, later commits proceed
 * and share the next flush: group commit with the disk wait off the main thread. A flush covers
 * exactly the commits made before it started, so a waiter whose commit came after the running flush
 * started waits for the one after it.
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private following: Promise<void> | undefined;

  constructor(private readonly databasePath: string) {
    // The -wal file's directory entry must itself be durable once.
    const dir = openSync(dirname(databasePath), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }

  /** Resolves once everything committed before this call is on disk. */
  flush(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.sync().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.following ??= this.running.then(() => {
      this.following = undefined;
      return this.flush();
    });
    return this.following;
  }

  private async sync(): Promise<void> {
    this.handle ??= open(`${this.databasePath}-wal`, 'r');
    await (await this.handle).datasync();
  }

  async close(): Promise<void> {
    await this.running;
    await this.following;
    if (this.handle !== undefined) await (await this.handle).close();
    this.handle = undefined;
  }
}
