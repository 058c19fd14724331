/** Small, self-contained error pages: HTML for browsers, JSON for everything else. */

interface PageError {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
}

const titles: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  426: 'Upgrade required',
  431: 'Request headers too large',
  500: 'Gateway error',
  502: 'Bad gateway',
  503: 'Unavailable',
  504: 'Gateway timeout',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function wantsHtml(request: Request): boolean {
  const accept = request.headers.get('accept') ?? '';
  return accept.includes('text/html');
}

export function errorPage(request: Request, error: PageError): Response {
  const title = titles[error.status] ?? 'Error';
  const headers = new Headers(error.headers);
  headers.set('cache-control', 'no-store');
  headers.set('x-porthole-error', error.code);
  if (!wantsHtml(request)) {
    headers.set('content-type', 'application/json; charset=utf-8');
    const body = JSON.stringify({ error: error.code, status: error.status, message: error.message });
    return new Response(body, { status: error.status, headers });
  }
  headers.set('content-type', 'text/html; charset=utf-8');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${error.status} ${escapeHtml(title)} · Porthole</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:15vh auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem;margin:0 0 .5rem}p{margin:.5rem 0}code{color:#666;font-size:.85rem}
@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}code{color:#999}}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(error.message)}</p>
<p><code>${error.status} · ${escapeHtml(error.code)} · Porthole</code></p></body></html>`;
  return new Response(html, { status: error.status, headers });
}
