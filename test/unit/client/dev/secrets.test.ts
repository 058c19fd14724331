import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets, parseDevVars } from '../../../../client/dev/secrets';

describe('parseDevVars (the dotenv grammar wrangler reads .dev.vars with)', () => {
  it('reads comments, export, quotes and trailing comments as dotenv does', () => {
    const text = [
      '# local secrets',
      'ADMIN_TOKEN=plain',
      'export LABEL_KEY=exported',
      'TOKEN_SECRET="double # not a comment"',
      "SINGLE='single quoted'",
      'TRAILING=value # a comment',
      '  SPACED  =  trimmed  ',
      'NEWLINE="a\\nb"',
      'lower_case=fine',
      'EMPTY=',
    ].join('\n');
    expect(parseDevVars(text)).toEqual({
      ADMIN_TOKEN: 'plain',
      LABEL_KEY: 'exported',
      TOKEN_SECRET: 'double # not a comment',
      SINGLE: 'single quoted',
      TRAILING: 'value',
      SPACED: 'trimmed',
      NEWLINE: 'a\nb',
      lower_case: 'fine',
      EMPTY: '',
    });
  });

  it('keeps the last of a name given twice, and reads CRLF files', () => {
    expect(parseDevVars('A=1\r\nA=2\r\nB="x"\r\n')).toEqual({ A: '2', B: 'x' });
  });
});

describe('loadOrCreateSecrets', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const file = () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-vars-'));
    dirs.push(dir);
    return join(dir, '.dev.vars');
  };

  it('creates the three secrets owner-only, and reads them back unchanged', () => {
    const path = file();
    const first = loadOrCreateSecrets(path);
    expect(first.created).toEqual(['ADMIN_TOKEN', 'LABEL_KEY', 'TOKEN_SECRET']);
    expect(first.secrets.ADMIN_TOKEN).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = loadOrCreateSecrets(path);
    expect(second).toEqual({ secrets: first.secrets, created: [], vars: {}, ignored: [] });
  });

  it('keeps what the file has (quoted, exported) and appends only what is missing', () => {
    const path = file();
    writeFileSync(path, 'export ADMIN_TOKEN="from-file"\nTOKEN_SECRET_PREVIOUS=old-key', { mode: 0o600 });
    const { secrets, created } = loadOrCreateSecrets(path);
    expect(created).toEqual(['LABEL_KEY', 'TOKEN_SECRET']);
    expect(secrets.ADMIN_TOKEN).toBe('from-file');
    expect(secrets.TOKEN_SECRET_PREVIOUS).toBe('old-key');
    const text = readFileSync(path, 'utf8');
    expect(text.startsWith('export ADMIN_TOKEN="from-file"\nTOKEN_SECRET_PREVIOUS=old-key\nLABEL_KEY=')).toBe(true);
    expect(parseDevVars(text)).toMatchObject({ ADMIN_TOKEN: 'from-file', LABEL_KEY: secrets.LABEL_KEY });
  });

  it('hands on the gateway vars it sets (the provider, the tunables), and names the others it ignores', () => {
    const path = file();
    const text = [
      'OIDC_ISSUER=http://127.0.0.1:5556',
      'OIDC_CLIENT_ID=porthole',
      'OIDC_CLIENT_SECRET=s3cret',
      'ORG_EMAIL_DOMAINS=example.com',
      'ORIGIN_TIMEOUT=30',
      'OIDC_SCOPES=',
      'CONTROL_DOMAIN=porthole.example.com',
      'OIDC_ISUER=typo',
    ].join('\n');
    writeFileSync(path, text, { mode: 0o600 });
    const { vars, ignored, secrets } = loadOrCreateSecrets(path);
    expect(vars).toEqual({
      OIDC_ISSUER: 'http://127.0.0.1:5556',
      OIDC_CLIENT_ID: 'porthole',
      OIDC_CLIENT_SECRET: 's3cret',
      ORG_EMAIL_DOMAINS: 'example.com',
      ORIGIN_TIMEOUT: '30',
    });
    expect(ignored).toEqual(['CONTROL_DOMAIN', 'OIDC_ISUER']);
    expect(Object.keys(secrets).sort()).toEqual(['ADMIN_TOKEN', 'LABEL_KEY', 'TOKEN_SECRET']);
  });

  it('refuses a world-readable file, saying the fix, and leaves it untouched', () => {
    const path = file();
    writeFileSync(path, 'ADMIN_TOKEN=leaked\n');
    chmodSync(path, 0o644);
    expect(() => loadOrCreateSecrets(path)).toThrow(`chmod 600 ${path}`);
    expect(readFileSync(path, 'utf8')).toBe('ADMIN_TOKEN=leaked\n');
    expect(statSync(path).mode & 0o777).toBe(0o644);
  });

  it('refuses a group-readable file and a symlink', () => {
    const path = file();
    writeFileSync(path, '', { mode: 0o640 });
    chmodSync(path, 0o640);
    expect(() => loadOrCreateSecrets(path)).toThrow(/other users may access it/);
    const link = `${path}.link`;
    chmodSync(path, 0o600);
    symlinkSync(path, link);
    expect(() => loadOrCreateSecrets(link)).toThrow(/symbolic link/);
    expect(readFileSync(path, 'utf8')).toBe('');
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a file another user owns (even 0600)', () => {
    const path = file();
    writeFileSync(path, '', { mode: 0o600 });
    chownSync(path, 65534, 65534);
    expect(() => loadOrCreateSecrets(path)).toThrow(/owned by uid 65534/);
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
