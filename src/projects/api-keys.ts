import { createHash, randomBytes } from 'node:crypto';

/** A new project API key: 32 hex characters, like Amplitude's. */
export function generateApiKey(): string {
  return randomBytes(16).toString('hex');
}

/** Keys are stored only as this hash, so a copy of the data directory does not leak them. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** The last four characters, shown so people can tell keys apart. */
export function apiKeyHint(apiKey: string): string {
  return apiKey.length <= 8 ? '…' : `…${apiKey.slice(-4)}`;
}
