import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { loadAdminToken } from './admin-token.js';
import { firstProjectKeyPath, forgetFirstProjectKey, keepFirstProjectKey, unshownFirstProjectKey } from './first-project-key.js';
import { AmpstreamError } from './errors.js';
import { lockDataDir, prepareDataDir, restrictFiles } from './data-dir.js';
import type { ServeConfig } from './config.js';
import { createTrackClient } from './customerio/track-client.js';
import { DeliveryEngine } from './engine/delivery/delivery-engine.js';
import { deliveryPlanner } from './engine/delivery-planner.js';
import { GroupCommitter } from './engine/group-commit.js';
import { DeadLetters } from './engine/dead-letters.js';
import { itemOutcomes, ServiceMetrics } from './metrics/prometheus.js';
import { SyncService } from './engine/sync-service.js';
import { applySyncConfigFile } from './sync-config-file.js';
import { HOUR_RETENTION_MS, MINUTE_RETENTION_MS } from './metrics/delivery-metrics.js';
import { ingestProcessor } from './engine/ingest-processor.js';
import { IngestService } from './engine/ingest-service.js';
import { buildApp } from './http/app.js';
import { REDACTED_LOG_PATHS } from './http/log-redaction.js';
import { ProjectDirectory } from './projects/project-directory.js';
import { simulatorView, startCustomerIoSimulator, type CustomerIoSimulator, type SimulatorView } from './simulator/server.js';
import { SqliteStore } from './store/sqlite/sqlite-store.js';
import type { Store } from './store/types.js';

export const DATABASE_FILE = 'ampstream.db';
/** On SIGTERM, how long connections still sending a request may keep the server from stopping. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningService {
  app: FastifyInstance;
  store: Store;
  /** The address it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  /**
   * The Customer.io simulator running in this process (`serve --simulator`), where deliveries go:
   * its URL, workspaces, and the people, events and requests that arrived. Absent without it.
   */
  simulator?: SimulatorView;
  /** Stops taking requests, finishes in-flight commits, closes the store. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where human-readable startup lines go (the banner, a generated token or key, printed once). */
  announce?: (line: string) => void;
  logger?: Logger;
}

/** Starts the simulator of `serve --simulator`, saying plainly when its port is taken. */
async function startEmbeddedSimulator(settings: NonNullable<ServeConfig['simulator']>): Promise<CustomerIoSimulator> {
  try {
    return await startCustomerIoSimulator({ host: settings.host, port: settings.port });
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? 'the port is taken (by a simulator already running?); choose another with --simulator-port (0 picks a free one)'
        : error instanceof Error ? error.message : String(error);
    throw new AmpstreamError('config_invalid', `the Customer.io simulator cannot listen on ${settings.host}:${settings.port}: ${reason}`, { cause: error });
  }
}

/** The banner's lines about the simulator: where it is, and the workspaces a sync can use (test keys, not secrets). */
function describeEmbeddedSimulator(simulator: SimulatorView): string[] {
  return [
    `simulator: Customer.io Track API simulator running in this process at ${simulator.url} (what arrived: ${simulator.url}/_sim)`,
    'simulator workspaces (test keys, not secrets), to use as a sync\'s "customerio":',
    ...simulator.workspaces.map((w) => `  ${JSON.stringify({ site_id: w.siteId, api_key: w.apiKey, region: w.region })}`),
  ];
}

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'ampstream' },
    redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' },
  });
}

/** A port or host the server cannot listen on, said as a setting refused (exit 2). */
function listenError(error: unknown, config: ServeConfig): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new AmpstreamError('config_invalid', `port ${config.port} is in use: stop what uses it or start with --port N`, { cause: error });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new AmpstreamError('config_invalid', `${config.host} is not an address of this machine: start with --host 0.0.0.0 (all) or 127.0.0.1`, { cause: error });
  }
  return error;
}

/**
 * Undoes what a failed start created, so the next start is a first start again and shows the
 * admin token and the Default project's key (a start that fails never shows them): the database
 * when this start created it, the admin token file when it generated it, the data directory when
 * it made it (removed only when empty, after the lock).
 */
function undoFailedStart(databasePath: string, created: { database: boolean; tokenFile?: string }): void {
  const database = [databasePath, `${databasePath}-wal`, `${databasePath}-shm`, `${databasePath}-journal`];
  // with the database goes the project whose key the key file kept
  const files = created.database ? [...database, firstProjectKeyPath(dirname(databasePath))] : [];
  for (const file of created.tokenFile === undefined ? files : [...files, created.tokenFile]) rmSync(file, { force: true });
}

/** Removes the directories a failed start made (the data directory, then its parents), each while empty. */
function removeIfEmpty(dirs: readonly string[]): void {
  try {
    for (const dir of dirs) rmdirSync(dir);
  } catch {
    // not empty (something else was put there): kept, and so are its parents
  }
}

/**
 * Opens the store, prepares the admin token and a first project, and starts listening. The
 * admin token and the first project's key are announced once listening; a start that fails
 * undoes what it created (undoFailedStart), or, when it cannot, still prints the key.
 */
export async function startService(config: ServeConfig, options: StartOptions = {}): Promise<RunningService> {
  const announce = options.announce ?? ((line: string) => process.stderr.write(`${line}\n`));
  const logger = options.logger ?? createLogger(config.logLevel);
  const createdDirs = prepareDataDir(config.dataDir);
  const lock = lockDataDir(config.dataDir);
  const databasePath = join(config.dataDir, DATABASE_FILE);
  const created: { database: boolean; tokenFile?: string } = { database: !existsSync(databasePath) };
  let started = false;
  const unlock = () => {
    if (!started) undoFailedStart(databasePath, created);
    lock();
    if (!started) removeIfEmpty(createdDirs);
  };
  let store: SqliteStore;
  try {
    store = new SqliteStore({ path: databasePath, synchronous: config.sqliteSynchronous });
  } catch (error) {
    unlock();
    throw new AmpstreamError('config_invalid', `cannot open the database ${databasePath}: ${error instanceof Error ? error.message : String(error)}`, {
      field: 'data-dir',
      cause: error,
    });
  }
  restrictFiles([databasePath, `${databasePath}-wal`, `${databasePath}-shm`]);

  let simulator: CustomerIoSimulator | undefined;
  if (config.simulator !== undefined) {
    try {
      simulator = await startEmbeddedSimulator(config.simulator);
    } catch (error) {
      await store.close();
      unlock();
      throw error;
    }
  }
  // the simulator stands in for both regions, exactly as --customerio-url does
  const customerioUrl = simulator?.url ?? config.customerioUrl;

  const adminToken = loadAdminToken(config.dataDir, config.adminToken);
  if (adminToken.origin === 'generated') created.tokenFile = adminToken.path;
  const projects = new ProjectDirectory(store);
  const client = createTrackClient({
    ...(customerioUrl === undefined ? {} : { baseUrlOverride: customerioUrl }),
    timeoutMs: config.delivery.requestTimeoutMs,
  });
  const engine = config.deliveryEnabled
    ? new DeliveryEngine({
        store,
        client,
        settings: config.delivery,
        onError: (syncId, error) => logger.error({ err: error, syncId }, 'delivery worker failed; retrying'),
        onOutcome: (syncId, outcome, items, durationMs) => {
          metrics.delivery(syncId, outcome, items, durationMs);
          if (outcome.kind === 'delivered') return;
          const { kind } = outcome;
          // per item: a 207 took most of its batch
          logger.warn({ syncId, items, byItem: itemOutcomes(outcome, items), outcome: kind, status: outcome.status }, 'Customer.io did not take a batch');
        },
      })
    : undefined;
  const committer = new GroupCommitter(store, { ...ingestProcessor, planner: deliveryPlanner }, {
    maxDelayMs: config.commitDelayMs,
    maxEvents: config.commitMaxEvents,
    onRekeyed: (rekeys) => engine?.onRekeyed(rekeys),
    onPlanned: (syncIds) => engine?.onPlanned(syncIds),
    onCommit: (stats) => metrics.commit(stats),
  });
  const syncs = new SyncService(store, client, async (syncId) => engine?.onSyncChanged(syncId));
  const metrics = new ServiceMetrics({ store, rateLimiters: () => engine?.rateLimiters ?? new Map() });
  const ingest = new IngestService(projects, committer, {
    onCommitError: (error, requestId) => logger.error({ err: error, requestId }, 'ingest commit failed; replied 503'),
    onReply: (source, code, events, duplicates, seconds) => metrics.ingest(source, code, events, duplicates, seconds),
  });

  let ready = false;
  const deadLetters = new DeadLetters(store, engine);
  // what the web UI and callers see of the simulator: its state, not its controls
  const view = simulator === undefined ? undefined : simulatorView(simulator);
  const app = await buildApp({ logger, store, projects, ingest, syncs, deadLetters, metrics, adminToken: adminToken.token, isReady: () => ready, simulator: view, trustProxy: config.trustProxy });

  const prune = setInterval(() => {
    const now = Date.now();
    store.pruneMetrics(now - MINUTE_RETENTION_MS, now - HOUR_RETENTION_MS).catch((err: unknown) => logger.warn({ err }, 'metrics pruning failed'));
  }, 10 * 60 * 1000);
  prune.unref();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      clearInterval(prune);
      // requests in flight get their answer; connections still sending after the grace are cut
      const force = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      await app.close();
      clearTimeout(force);
      await committer.close();
      await engine?.stop();
      await client.close();
      // after delivery has stopped: batches in flight to the simulator got their answer
      await simulator?.close();
      await store.close();
      unlock();
      logger.info('ampstream stopped');
    })();
    return stopping;
  };

  // a key an earlier first start kept and was stopped before it could show (kill -9): shown now
  const unshownKey = unshownFirstProjectKey(config.dataDir);
  let firstProjectKey: string | undefined;
  try {
    if ((await store.listProjects()).length === 0) {
      const created = await projects.create({ name: 'Default project' });
      firstProjectKey = created.apiKey;
      keepFirstProjectKey(config.dataDir, firstProjectKey);
    }
    if (config.configFile !== undefined) {
      const applied = await applySyncConfigFile(config.configFile, syncs);
      announce(`syncs from ${config.configFile}: ${applied.created.length} created, ${applied.updated.length} updated, ${applied.unchanged.length} unchanged`);
    }
    await engine?.start();
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    // A bad config file or a taken port: close what is open so the process can exit, and undo
    // what this start created (unlock)
    await stop();
    if (firstProjectKey !== undefined && !created.database) {
      // a database that was there without projects is kept: the project stays, so its key must be seen
      announce(`created project "Default project" before the start failed; its API key (shown once): ${firstProjectKey}`);
      forgetFirstProjectKey(config.dataDir);
    }
    throw listenError(error, config);
  }
  started = true;
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  ready = true;

  announce(`ampstream listening on ${url} (bound to ${config.host}:${port})`);
  announce(`data: ${databasePath} (SQLite, WAL, synchronous=${config.sqliteSynchronous.toUpperCase()})`);
  if (adminToken.origin === 'generated') {
    announce(`admin token (shown once; also kept in ${adminToken.path}): ${adminToken.token}`);
  } else {
    announce(`admin token: ${adminToken.origin === 'environment' ? 'from AMPSTREAM_ADMIN_TOKEN' : `in ${adminToken.path}`}`);
  }
  if (firstProjectKey !== undefined) {
    announce(`created project "Default project"; its API key (shown once): ${firstProjectKey}`);
  } else if (unshownKey !== undefined) {
    announce(`created project "Default project" (by a first start stopped before it could say so); its API key (shown once): ${unshownKey}`);
  }
  forgetFirstProjectKey(config.dataDir);
  announce(
    engine === undefined
      ? 'delivery: off (deliveries are planned and kept, nothing is sent)'
      : simulator !== undefined
        ? `delivery: on, to the simulator at ${simulator.url}`
        : `delivery: on, to ${config.customerioUrl ?? 'Customer.io (track.customer.io / track-eu.customer.io)'}`,
  );
  for (const line of view === undefined ? [] : describeEmbeddedSimulator(view)) announce(line);
  announce(`point an Amplitude SDK at ${url}/2/httpapi`);
  logger.info({ url, dataDir: config.dataDir, ...(view === undefined ? {} : { simulatorUrl: view.url }) }, 'ampstream started');

  return view === undefined ? { app, store, url, stop } : { app, store, url, stop, simulator: view };
}
