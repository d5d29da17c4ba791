/**
 * A signed-in web UI session for HTTP-level tests: keeps cookies as a browser does and sends the
 * CSRF token that the last page carried with every form post.
 */
export interface UiPage {
  status: number;
  headers: Headers;
  html: string;
}

export class UiSession {
  private readonly cookies = new Map<string, string>();
  private csrfToken = '';

  constructor(readonly baseUrl: string) {}

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = (pair as string).indexOf('=');
      const name = (pair as string).slice(0, index);
      const value = (pair as string).slice(index + 1);
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  /** The CSRF token of the last page loaded (what its forms post). */
  get token(): string {
    return this.csrfToken;
  }

  async request(method: string, path: string, init: { form?: Record<string, string | string[]>; headers?: Record<string, string> } = {}): Promise<UiPage> {
    const body = init.form === undefined ? undefined : new URLSearchParams();
    for (const [name, value] of Object.entries(init.form ?? {})) {
      for (const one of Array.isArray(value) ? value : [value]) body?.append(name, one);
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...init.headers,
      },
      ...(body === undefined ? {} : { body: body.toString() }),
    });
    this.remember(response);
    const html = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
    if (token !== undefined) this.csrfToken = token;
    return { status: response.status, headers: response.headers, html };
  }

  get(path: string): Promise<UiPage> {
    return this.request('GET', path);
  }

  /** Posts a form as the page's own form would: with the CSRF token of the last page loaded. */
  post(path: string, form: Record<string, string | string[]> = {}, headers: Record<string, string> = {}): Promise<UiPage> {
    return this.request('POST', path, { form: { _csrf: this.csrfToken, ...form }, headers });
  }

  /** Follows a 303 as a browser does after a form post. */
  async follow(page: UiPage): Promise<UiPage> {
    const location = page.headers.get('location');
    if (page.status !== 303 || location === null) throw new Error(`expected a 303 redirect, got ${page.status}`);
    return this.get(location);
  }

  /** Loads the sign-in page and signs in with the token; returns the page it lands on. */
  async signIn(token: string, next = '/ui/projects'): Promise<UiPage> {
    await this.get(`/ui/sign-in?next=${encodeURIComponent(next)}`);
    const reply = await this.post('/ui/sign-in', { token, next });
    if (reply.status !== 303) throw new Error(`sign-in failed with ${reply.status}`);
    return this.follow(reply);
  }
}

/** The text of an HTML fragment without tags (to assert what a person reads). */
export function textOf(html: string): string {
  return html
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}
