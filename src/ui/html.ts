import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { render } from 'preact-render-to-string';

/** Renders a page (or an htmx fragment) to HTML text; preact escapes every value it renders. */
export function renderHtml(node: VNode): string {
  return render(node);
}

/** Sends a whole page: a doctype and the rendered tree, with the UI's security headers. */
export function sendPage(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(`<!doctype html>${renderHtml(node)}`);
}

/** Sends a fragment that htmx swaps into a page. */
export function sendFragment(reply: FastifyReply, node: VNode, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(renderHtml(node));
}

/**
 * After a form post: a 303 to the page that shows the result (Post/Redirect/Get), or, for a
 * request htmx made, an `HX-Location` so htmx navigates there itself.
 */
export function redirectAfterPost(reply: FastifyReply, location: string, isHtmx: boolean): FastifyReply {
  if (isHtmx) return reply.code(204).header('hx-location', location).send();
  return reply.code(303).header('location', location).send();
}
