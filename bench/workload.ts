/**
 * Synthetic Amplitude traffic for benchmarks: realistic events (a pool of users with devices,
 * a handful of event types, event properties of mixed types, SDK-style insert_ids), seeded so
 * every run and every process generates the same stream.
 */

export interface WorkloadOptions {
  users: number;
  seed: number;
}

const EVENT_TYPES = ['Page Viewed', 'Button Clicked', 'Feature Used', 'Search', 'Item Added', 'Checkout Started'];
const PLATFORMS = ['Web', 'iOS', 'Android'];

export class Workload {
  private state: number;
  private counter = 0;
  /** Pre-serialised events with an `@@` where their insert_id goes (see `fastBody`). */
  private templates: string[] | undefined;

  constructor(private readonly options: WorkloadOptions) {
    this.state = options.seed >>> 0 || 1;
  }

  private next(): number {
    // xorshift32: fast, seeded, good enough for picking test data
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  event(now: number): Record<string, unknown> {
    const user = Math.floor(this.next() * this.options.users);
    const n = this.counter++;
    return {
      user_id: `user-${String(user).padStart(6, '0')}`,
      device_id: `device-${String(user).padStart(6, '0')}`,
      event_type: this.pick(EVENT_TYPES),
      time: now,
      insert_id: `${this.options.seed}-${n}`,
      platform: this.pick(PLATFORMS),
      session_id: now - 60_000,
      event_properties: {
        path: `/products/${Math.floor(this.next() * 500)}`,
        price: Math.round(this.next() * 10000) / 100,
        quantity: 1 + Math.floor(this.next() * 4),
        in_stock: this.next() > 0.2,
        tags: ['sale', 'new'],
      },
      ...(n % 10 === 0 ? { user_properties: { $set: { plan: this.pick(['free', 'pro', 'team']) }, $add: { visits: 1 } } } : {}),
      library: 'amplitude-node-ts/1.5.73',
    };
  }

  /**
   * The same kind of body, built cheaply so the load process is not the bottleneck: 1,000 events
   * are serialised once, and each body joins randomly picked ones with fresh insert_ids.
   */
  fastBody(apiKey: string, eventsPerRequest: number): string {
    if (this.templates === undefined) {
      const now = Date.now();
      this.templates = Array.from({ length: 1000 }, () => JSON.stringify({ ...this.event(now), insert_id: '@@' }));
    }
    const parts: string[] = [];
    for (let i = 0; i < eventsPerRequest; i++) {
      const template = this.pick(this.templates);
      parts.push(template.replace('@@', `${this.options.seed}-f${this.counter++}`));
    }
    return `{"api_key":${JSON.stringify(apiKey)},"events":[${parts.join(',')}],"options":{}}`;
  }

  /** A body whose events carry their send time in ms as `event_properties.sent_ms`. */
  stampedBody(apiKey: string, eventsPerRequest: number): string {
    const now = Date.now();
    const events = Array.from({ length: eventsPerRequest }, () => {
      const event = this.event(now);
      (event.event_properties as Record<string, unknown>).sent_ms = now;
      return event;
    });
    return JSON.stringify({ api_key: apiKey, events, options: {} });
  }

  body(apiKey: string, eventsPerRequest: number, now = Date.now()): string {
    const events = Array.from({ length: eventsPerRequest }, () => this.event(now));
    return JSON.stringify({ api_key: apiKey, events, options: {} });
  }
}
