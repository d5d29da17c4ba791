import { checkDisplayName, displayNameKey } from '../display-names.js';
import { AmpstreamError } from '../errors.js';
import type { Project, Store } from '../store/types.js';
import { apiKeyHint, generateApiKey, hashApiKey } from './api-keys.js';

/** A project as created: the only time its API key is shown. */
export interface CreatedProject extends Project {
  apiKey: string;
}

const MAX_CACHED_KEYS = 10_000;
const MIN_API_KEY_LENGTH = 8;
const MAX_API_KEY_LENGTH = 200;

/** Creates projects and resolves ingestion API keys to projects (with a small in-memory cache). */
export class ProjectDirectory {
  private readonly byKey = new Map<string, Project>();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(input: { name: unknown; apiKey?: unknown }): Promise<CreatedProject> {
    const check = typeof input.name === 'string' ? checkDisplayName(input.name) : { ok: false as const, problem: 'required, a string' };
    if (!check.ok) throw new AmpstreamError('invalid_request', `name: ${check.problem}`, { field: 'name' });
    const name = check.name;
    const clash = (await this.store.listProjects()).find((p) => displayNameKey(p.name) === displayNameKey(name));
    if (clash !== undefined) throw new AmpstreamError('conflict', `name: project ${clash.id} is already called "${clash.name}"`, { field: 'name' });
    let apiKey: string;
    if (input.apiKey === undefined || input.apiKey === null) {
      apiKey = generateApiKey();
    } else if (
      typeof input.apiKey !== 'string' ||
      input.apiKey.length < MIN_API_KEY_LENGTH ||
      input.apiKey.length > MAX_API_KEY_LENGTH ||
      /\s/.test(input.apiKey)
    ) {
      throw new AmpstreamError(
        'invalid_request',
        `api_key must be ${MIN_API_KEY_LENGTH} to ${MAX_API_KEY_LENGTH} characters without spaces (leave it out to have one generated)`,
        { field: 'api_key' },
      );
    } else {
      apiKey = input.apiKey;
    }
    const hash = hashApiKey(apiKey);
    if ((await this.store.findProjectByApiKeyHash(hash)) !== undefined) {
      throw new AmpstreamError('conflict', 'another project already uses this api_key', { field: 'api_key' });
    }
    const project = await this.store.createProject({
      name,
      apiKeyHash: hash,
      apiKeyHint: apiKeyHint(apiKey),
      createdAt: this.clock(),
    });
    return { ...project, apiKey };
  }

  list(): Promise<Project[]> {
    return this.store.listProjects();
  }

  /** The project an ingestion API key belongs to, or undefined for an unknown key. */
  async resolve(apiKey: string): Promise<Project | undefined> {
    const cached = this.byKey.get(apiKey);
    if (cached !== undefined) return cached;
    const project = await this.store.findProjectByApiKeyHash(hashApiKey(apiKey));
    if (project !== undefined) {
      if (this.byKey.size >= MAX_CACHED_KEYS) this.byKey.clear();
      this.byKey.set(apiKey, project);
    }
    return project;
  }
}
