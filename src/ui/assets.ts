import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

interface Asset {
  type: string;
  body: Buffer;
}

/** The UI's own files live in assets/ at the package root (two levels above src/ui and dist/ui). */
function ownAsset(name: string): Buffer {
  return readFileSync(new URL(`../../assets/${name}`, import.meta.url));
}

/** htmx comes from node_modules, never from a CDN: the machine running ampstream may have no internet. */
function htmxScript(): Buffer {
  return readFileSync(createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js'));
}

/** Read once at start: the UI's stylesheet, its small script, and htmx. */
export function loadAssets(): Map<string, Asset> {
  return new Map([
    ['ui.css', { type: 'text/css; charset=utf-8', body: ownAsset('ui.css') }],
    ['ui.js', { type: 'text/javascript; charset=utf-8', body: ownAsset('ui.js') }],
    ['favicon.svg', { type: 'image/svg+xml', body: ownAsset('favicon.svg') }],
    ['htmx.min.js', { type: 'text/javascript; charset=utf-8', body: htmxScript() }],
  ]);
}

/** `GET /ui/assets/:name`: public (the sign-in page needs them), cached for an hour. */
export function assetRoutes(app: FastifyInstance, assets: Map<string, Asset>): void {
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) return reply.code(404).type('text/plain; charset=utf-8').send('no such asset');
    return reply.type(asset.type).header('cache-control', 'public, max-age=3600').send(asset.body);
  });
}
