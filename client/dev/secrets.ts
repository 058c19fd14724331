/**
 * Local secrets in `.dev.vars` (the file wrangler also reads), generated on
 * first run with strong random values and never printed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { GatewaySecrets } from './gateway';

const NAMES = ['ADMIN_TOKEN', 'LABEL_KEY', 'TOKEN_SECRET'] as const;

export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1] as string] = (match[2] as string).replace(/^"(.*)"$/, '$1');
  }
  return vars;
}

/** Read the secrets, adding any that are missing; the file is created owner-only. */
export function loadOrCreateSecrets(path: string): { secrets: GatewaySecrets; created: string[] } {
  const existing = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const vars = parseDevVars(existing);
  const created: string[] = [];
  let text = existing;
  for (const name of NAMES) {
    if (vars[name]) continue;
    vars[name] = randomBytes(32).toString('base64url');
    created.push(name);
    text += `${text && !text.endsWith('\n') ? '\n' : ''}${name}=${vars[name]}\n`;
  }
  if (created.length > 0) writeFileSync(path, text, { mode: 0o600 });
  return {
    secrets: {
      ADMIN_TOKEN: vars.ADMIN_TOKEN!,
      LABEL_KEY: vars.LABEL_KEY!,
      TOKEN_SECRET: vars.TOKEN_SECRET!,
      // A rotation in progress: the old key, added by hand, keeps its tokens valid until they expire.
      ...(vars.TOKEN_SECRET_PREVIOUS ? { TOKEN_SECRET_PREVIOUS: vars.TOKEN_SECRET_PREVIOUS } : {}),
    },
    created,
  };
}
