import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Moves WAL checkpoints off the writer: the writer's connection has automatic checkpoints turned
 * off, and a worker thread with its own connection runs a PASSIVE checkpoint (it never blocks the
 * writer) every `intervalMs`, copying committed pages into the database file on the other core.
 * Durability does not depend on it: committed data is in the WAL.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 1000');
let closed = false;
const timer = setInterval(() => {
  if (closed) return;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (error) { parentPort.postMessage({ error: String(error) }); }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  closed = true;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.postMessage({ closed: true });
});
`;

export class Checkpointer {
  private readonly worker: Worker;
  private readonly closed: Promise<void>;

  constructor(databasePath: string, intervalMs: number, onError: (message: string) => void = () => undefined) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path: databasePath, intervalMs, driver } });
    this.worker.unref();
    this.closed = new Promise((resolve) => {
      this.worker.on('message', (message: { error?: string; closed?: boolean }) => {
        if (message.error !== undefined) onError(message.error);
        if (message.closed === true) resolve();
      });
      this.worker.on('exit', () => resolve());
      this.worker.on('error', (error) => {
        onError(String(error));
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage('close');
    await this.closed;
    await this.worker.terminate();
  }
}
