import type { ComponentChildren } from 'preact';

export type NavSection = 'projects' | 'syncs' | 'simulator' | 'none';

/** What every signed-in page knows about the request: its CSRF token and what the server offers. */
export interface PageContext {
  csrfToken: string;
  /** Whether the server runs the Customer.io simulator in-process (the Simulator page exists). */
  hasSimulator: boolean;
}

interface LayoutProps {
  title: string;
  section: NavSection;
  context: PageContext | null;
  children: ComponentChildren;
}

const NAV: readonly { section: NavSection; href: string; label: string }[] = [
  { section: 'projects', href: '/ui/projects', label: 'Projects' },
  { section: 'syncs', href: '/ui/syncs', label: 'Syncs' },
  { section: 'simulator', href: '/ui/simulator', label: 'Simulator' },
];

/** The page frame: header with navigation and sign-out, and the page's own content. */
export function Layout({ title, section, context, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ampstream`}</title>
        <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"attributesToSettle":["class","width","height"]}' />
        <link rel="icon" href="/ui/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/ui/assets/ui.css" />
        <script src="/ui/assets/htmx.min.js" defer></script>
        <script src="/ui/assets/ui.js" defer></script>
      </head>
      <body hx-headers={context === null ? undefined : JSON.stringify({ 'x-csrf-token': context.csrfToken })}>
        <a class="skip-link" href="#main">Skip to content</a>
        <header class="top">
          <a class="brand" href="/ui/">ampstream</a>
          {context !== null && (
            <nav aria-label="Main">
              <ul>
                {NAV.filter((item) => item.section !== 'simulator' || context.hasSimulator).map((item) => (
                  <li key={item.section}>
                    <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {context !== null && (
            <form method="post" action="/ui/sign-out" class="sign-out">
              <input type="hidden" name="_csrf" value={context.csrfToken} />
              <button type="submit" class="link-button">
                Sign out
              </button>
            </form>
          )}
        </header>
        <main id="main">
          <h1>{title}</h1>
          {children}
        </main>
      </body>
    </html>
  );
}

/** The CSRF field every form posts. */
export function CsrfField({ context }: { context: PageContext }) {
  return <input type="hidden" name="_csrf" value={context.csrfToken} />;
}

/** A message above a form or a table: what went wrong, or what just happened. */
export function Notice({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ComponentChildren }) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
