import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { TrackOutcome } from '../customerio/track-outcome.js';
import type { Store } from '../store/types.js';
import type { AdaptiveRateLimiter } from '../engine/delivery/rate-limiter.js';

/** What the scrape reads live: the syncs' backlogs and the rate limiters. */
export interface LiveSources {
  store: Store;
  rateLimiters: () => ReadonlyMap<string, AdaptiveRateLimiter>;
  /** Batches in flight per sync id. */
  inFlight?: () => ReadonlyMap<number, number>;
}

/**
 * How many of a batch request's `items` came to each outcome, item by item: a 207 names the items
 * it refused and accepted the others; a 400 naming some items refused the whole request, so the
 * others are sent again (`retryable`). Every other outcome is the same for every item.
 */
export function itemOutcomes(outcome: TrackOutcome, items: number): Partial<Record<TrackOutcome['kind'], number>> {
  if (outcome.kind !== 'items_rejected') return { [outcome.kind]: items };
  const rejected = new Set(outcome.failures.map((f) => f.batchIndex).filter((i) => i >= 0 && i < items)).size;
  return { items_rejected: rejected, [outcome.othersAccepted ? 'delivered' : 'retryable']: items - rejected };
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * The service's Prometheus metrics (`GET /metrics`), in a registry of its own (several services can
 * share a process in tests). Counters and histograms are fed on the hot paths; backlogs, dead letters
 * and rate limits are read when scraped.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  private readonly ingestRequests: Counter<'endpoint' | 'code'>;
  private readonly ingestEvents: Counter<'endpoint' | 'outcome'>;
  private readonly ingestLatency: Histogram<'endpoint'>;
  private readonly commitEvents: Histogram;
  private readonly commitRequests: Histogram;
  private readonly commitFailures: Counter;
  private readonly deliveryItems: Counter<'sync' | 'outcome'>;
  private readonly customerioLatency: Histogram<'outcome'>;

  constructor(live: LiveSources) {
    const registers = [this.registry];
    this.ingestRequests = new Counter({
      name: 'ampstream_ingest_requests_total',
      help: 'Ingest requests by endpoint and reply code',
      labelNames: ['endpoint', 'code'],
      registers,
    });
    this.ingestEvents = new Counter({
      name: 'ampstream_ingest_events_total',
      help: 'Events in ingest requests by outcome: accepted (stored), duplicate (insert_id seen), refused (in a refused request)',
      labelNames: ['endpoint', 'outcome'],
      registers,
    });
    this.ingestLatency = new Histogram({
      name: 'ampstream_ingest_request_duration_seconds',
      help: 'Ingest request latency, from the request to the reply (after the commit)',
      labelNames: ['endpoint'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.commitEvents = new Histogram({
      name: 'ampstream_commit_batch_events',
      help: 'Events per group commit',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.commitRequests = new Histogram({
      name: 'ampstream_commit_batch_requests',
      help: 'Requests per group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    });
    this.commitFailures = new Counter({ name: 'ampstream_commit_failures_total', help: 'Group commits that failed (their requests got 503)', registers });
    this.deliveryItems = new Counter({
      name: 'ampstream_delivery_items_total',
      help: 'Items in Track API batch requests by sync and each item\'s outcome (delivered, items_rejected, retryable, rate_limited, configuration); a 207 counts its accepted items delivered',
      labelNames: ['sync', 'outcome'],
      registers,
    });
    this.customerioLatency = new Histogram({
      name: 'ampstream_customerio_request_duration_seconds',
      help: 'Track API batch request latency by outcome',
      labelNames: ['outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });

    new Gauge({
      name: 'ampstream_deliveries',
      help: 'Planned deliveries per sync by status: pending (the queue), delivered, dead (not delivered) and discarded; they add up to everything planned',
      labelNames: ['sync', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const sync of await live.store.listSyncs()) {
          const counts = await live.store.deliveryCounts(sync.id);
          for (const status of ['pending', 'delivered', 'dead', 'discarded'] as const) this.set({ sync: String(sync.id), status }, counts[status]);
        }
      },
    });
    new Gauge({
      name: 'ampstream_delivery_oldest_pending_seconds',
      help: 'Age of the oldest pending delivery per sync (0 when none)',
      labelNames: ['sync'],
      registers,
      async collect() {
        this.reset();
        const now = Date.now();
        for (const sync of await live.store.listSyncs()) {
          const oldest = await live.store.oldestPending(sync.id);
          this.set({ sync: String(sync.id) }, oldest === null ? 0 : (now - oldest) / 1000);
        }
      },
    });
    new Gauge({
      name: 'ampstream_dead_letters',
      help: 'Size of the dead-letter store per sync (dead deliveries not dropped)',
      labelNames: ['sync'],
      registers,
      async collect() {
        this.reset();
        for (const sync of await live.store.listSyncs()) this.set({ sync: String(sync.id) }, await live.store.deadLetterCount(sync.id));
      },
    });
    new Gauge({
      name: 'ampstream_rate_limiter_requests_per_second',
      help: 'The rate each Customer.io workspace is sent at now (lowered after 429s)',
      labelNames: ['workspace'],
      registers,
      collect() {
        this.reset();
        for (const [workspace, limiter] of live.rateLimiters()) this.set({ workspace }, limiter.rate);
      },
    });
    new Gauge({
      name: 'ampstream_customerio_throttled',
      help: '429 answers from Customer.io per workspace since start',
      labelNames: ['workspace'],
      registers,
      collect() {
        this.reset();
        for (const [workspace, limiter] of live.rateLimiters()) this.set({ workspace }, limiter.throttled);
      },
    });
  }

  ingest(endpoint: string, code: number, events: number, duplicates: number, seconds: number): void {
    this.ingestRequests.inc({ endpoint, code: String(code) });
    this.ingestLatency.observe({ endpoint }, seconds);
    if (code === 200) {
      this.ingestEvents.inc({ endpoint, outcome: 'accepted' }, events - duplicates);
      if (duplicates > 0) this.ingestEvents.inc({ endpoint, outcome: 'duplicate' }, duplicates);
    } else if (events > 0) {
      this.ingestEvents.inc({ endpoint, outcome: 'refused' }, events);
    }
  }

  commit(stats: { units: number; events: number; ok: boolean }): void {
    if (!stats.ok) {
      this.commitFailures.inc();
      return;
    }
    this.commitEvents.observe(stats.events);
    this.commitRequests.observe(stats.units);
  }

  /** One batch request: its items counted each by its own outcome, its latency by the request's. */
  delivery(syncId: number, outcome: TrackOutcome, items: number, durationMs: number): void {
    const sync = String(syncId);
    for (const [label, count] of Object.entries(itemOutcomes(outcome, items))) {
      if (count > 0) this.deliveryItems.inc({ sync, outcome: label }, count);
    }
    this.customerioLatency.observe({ outcome: outcome.kind }, durationMs / 1000);
  }

  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
