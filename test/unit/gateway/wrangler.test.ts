/**
 * wrangler.toml (what `wrangler deploy` ships) and the local gateway
 * (client/dev/gateway.ts, Miniflare) each state the runtime config; this keeps
 * them equal, and keeps wrangler.toml's vars valid for the gateway. The host
 * names and shape are what a deployment edits: wrangler.toml ships the local
 * ones, which must equal both the local gateway's and the gateway's defaults.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import {
  COMPATIBILITY_DATE,
  COMPATIBILITY_FLAGS,
  DURABLE_OBJECTS,
  LOCAL_CONTROL_DOMAIN,
  LOCAL_PREVIEW_DOMAIN,
} from '../../../client/dev/gateway';
import { parseConfig } from '../../../gateway/config';

interface WranglerToml {
  main: string;
  compatibility_date: string;
  compatibility_flags?: string[];
  vars?: Record<string, unknown>;
  durable_objects: { bindings: { name: string; class_name: string }[] };
  migrations: { tag: string; new_sqlite_classes?: string[] }[];
}

/** As wrangler secrets would add them. */
const secrets = { LABEL_KEY: 'k'.repeat(32), TOKEN_SECRET: 't'.repeat(32) };
const toml = parse(readFileSync(new URL('../../../wrangler.toml', import.meta.url), 'utf8')) as unknown as WranglerToml;
const packageVersion = (name: string) =>
  (
    JSON.parse(readFileSync(new URL(`../../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
      version: string;
    }
  ).version;

describe('wrangler.toml and the local gateway agree', () => {
  it('on the compatibility date and flags', () => {
    expect(toml.compatibility_date).toBe(COMPATIBILITY_DATE);
    expect([...(toml.compatibility_flags ?? [])].sort()).toEqual([...COMPATIBILITY_FLAGS].sort());
  });

  it('on the compatibility date being one the pinned workerd knows (not later than its own date)', () => {
    // miniflare 4.YYYYMMDD.x bundles workerd 1.YYYYMMDD.x.
    const [, date] = /^\d+\.(\d{8})\./.exec(packageVersion('miniflare')) ?? [];
    expect(date).toBeDefined();
    expect(toml.compatibility_date.replaceAll('-', '') <= (date as string)).toBe(true);
  });

  it('on the Durable Object: SESSION bound to class Session, on SQLite storage', () => {
    const bindings = Object.fromEntries(toml.durable_objects.bindings.map((b) => [b.name, b.class_name]));
    const local = Object.fromEntries(Object.entries(DURABLE_OBJECTS).map(([name, o]) => [name, o.className]));
    expect(bindings).toEqual(local);
    const sqlite = toml.migrations.flatMap((m) => m.new_sqlite_classes ?? []);
    for (const o of Object.values(DURABLE_OBJECTS)) expect(sqlite.includes(o.className)).toBe(o.useSQLite);
  });

  it("on the host names and shape: wrangler.toml's, the local gateway's and the gateway's defaults", () => {
    const hosts = ({ previewDomain, controlDomain, hostShape }: ReturnType<typeof parseConfig>) => ({
      previewDomain,
      controlDomain,
      hostShape,
    });
    const local = { previewDomain: LOCAL_PREVIEW_DOMAIN, controlDomain: LOCAL_CONTROL_DOMAIN, hostShape: 'session' };
    expect(hosts(parseConfig(secrets))).toEqual(local);
    for (const name of ['PREVIEW_DOMAIN', 'CONTROL_DOMAIN', 'HOST_SHAPE'])
      expect(typeof toml.vars?.[name]).toBe('string');
    expect(hosts(parseConfig({ ...toml.vars, ...secrets }))).toEqual(local);
    // The local gateway hands its domains to the Worker as these vars.
    const bindings = { PREVIEW_DOMAIN: LOCAL_PREVIEW_DOMAIN, CONTROL_DOMAIN: LOCAL_CONTROL_DOMAIN };
    expect(hosts(parseConfig({ ...bindings, ...secrets }))).toEqual(local);
  });

  it('wrangler.toml sets no tunable value in a comment (the defaults live once, in gateway/config.ts)', () => {
    const text = readFileSync(new URL('../../../wrangler.toml', import.meta.url), 'utf8');
    for (const name of [
      'ORIGIN_TIMEOUT',
      'VIEWER_IDLE_TIMEOUT',
      'MAX_STREAMS',
      'MAX_PORTS',
      'QUEUE_LENGTH',
      'QUEUE_TIMEOUT',
    ]) {
      expect(text).not.toMatch(new RegExp(`${name}\\s*=\\s*"?\\d`));
    }
  });

  it("wrangler.toml's vars are valid gateway config (with secrets as wrangler secrets would add them)", () => {
    expect(() => parseConfig({ ...toml.vars, ...secrets })).not.toThrow();
    // Secrets never live in wrangler.toml.
    for (const name of ['ADMIN_TOKEN', 'LABEL_KEY', 'TOKEN_SECRET', 'TOKEN_SECRET_PREVIOUS']) {
      expect(toml.vars ?? {}).not.toHaveProperty(name);
    }
  });

  it('on the entry point', () => {
    expect(toml.main).toBe('gateway/index.ts');
  });
});
