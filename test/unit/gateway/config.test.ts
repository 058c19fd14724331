import { describe, expect, it, vi } from 'vitest';
import { config, parseConfig } from '../../../gateway/config';
import { ConfigError } from '../../../gateway/errors';

const secrets = { LABEL_KEY: 'l'.repeat(32), TOKEN_SECRET: 't'.repeat(32) };

function problemsOf(vars: Record<string, unknown>): readonly string[] {
  try {
    parseConfig(vars);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('parseConfig', () => {
  it('gives the documented defaults when only the required secrets are set', () => {
    expect(parseConfig(secrets)).toEqual({
      previewDomain: 'localhost',
      hostShape: 'session',
      controlDomain: 'porthole.localhost',
      adminToken: null,
      labelKey: 'l'.repeat(32),
      tokenSecret: 't'.repeat(32),
      tokenSecretPrevious: null,
      originTimeoutSeconds: 60,
      viewerIdleSeconds: 60,
      maxStreams: 256,
      viewerMaxStreams: 64,
      queueLength: 1024,
      viewerQueueLength: 1024,
      queueTimeoutSeconds: 30,
      maxPorts: 1024,
      publicPreviewWarning: false,
      sessionMinTtlSeconds: 60,
      identity: {
        oidc: null,
        access: null,
        defaultPolicy: { emailDomains: [], emails: [], groups: [] },
        forwardEmail: false,
      },
    });
  });

  it("QUEUE_LENGTH and VIEWER_QUEUE_LENGTH: 0 or more, the viewer's at most the session's; QUEUE_TIMEOUT in seconds", () => {
    expect(parseConfig({ ...secrets, QUEUE_LENGTH: '0' })).toMatchObject({ queueLength: 0, viewerQueueLength: 0 });
    expect(parseConfig({ ...secrets, QUEUE_LENGTH: '100' })).toMatchObject({ viewerQueueLength: 100 });
    expect(parseConfig({ ...secrets, QUEUE_TIMEOUT: '0.5' }).queueTimeoutSeconds).toBe(0.5);
    expect(problemsOf({ ...secrets, QUEUE_LENGTH: '8', VIEWER_QUEUE_LENGTH: '9', QUEUE_TIMEOUT: '0' })).toEqual([
      'VIEWER_QUEUE_LENGTH is 9: it must not be above QUEUE_LENGTH (8).',
      'QUEUE_TIMEOUT is "0": it must be a number of seconds above 0.',
    ]);
    expect(problemsOf({ ...secrets, QUEUE_LENGTH: '-1' })).toEqual([
      'QUEUE_LENGTH is "-1": it must be a whole number of 0 or more.',
    ]);
  });

  it('VIEWER_MAX_STREAMS: a quarter of MAX_STREAMS by default (at least 1), at most MAX_STREAMS', () => {
    expect(parseConfig({ ...secrets, MAX_STREAMS: '40' }).viewerMaxStreams).toBe(10);
    expect(parseConfig({ ...secrets, MAX_STREAMS: '3' }).viewerMaxStreams).toBe(1);
    expect(parseConfig({ ...secrets, MAX_STREAMS: '8', VIEWER_MAX_STREAMS: '8' }).viewerMaxStreams).toBe(8);
    expect(problemsOf({ ...secrets, MAX_STREAMS: '8', VIEWER_MAX_STREAMS: '9' })).toEqual([
      'VIEWER_MAX_STREAMS is 9: it must not be above MAX_STREAMS (8).',
    ]);
    expect(problemsOf({ ...secrets, VIEWER_MAX_STREAMS: '0' })).toEqual([
      'VIEWER_MAX_STREAMS is "0": it must be a whole number of 1 or more.',
    ]);
  });

  it('SESSION_MIN_TTL is a whole number of seconds, 1 or more', () => {
    expect(parseConfig({ ...secrets, SESSION_MIN_TTL: '2' }).sessionMinTtlSeconds).toBe(2);
    expect(problemsOf({ ...secrets, SESSION_MIN_TTL: '0' })).toEqual([
      'SESSION_MIN_TTL is "0": it must be a whole number of 1 or more.',
    ]);
  });

  it('PUBLIC_PREVIEW_WARNING is on or off, in any case', () => {
    expect(parseConfig({ ...secrets, PUBLIC_PREVIEW_WARNING: 'ON' }).publicPreviewWarning).toBe(true);
    expect(parseConfig({ ...secrets, PUBLIC_PREVIEW_WARNING: 'off' }).publicPreviewWarning).toBe(false);
    expect(problemsOf({ ...secrets, PUBLIC_PREVIEW_WARNING: 'maybe' })).toEqual([
      'PUBLIC_PREVIEW_WARNING is "maybe": it must be on or off.',
    ]);
  });

  it('reads every var in its unit; numbers may come as strings or numbers; empty means unset', () => {
    const parsed = parseConfig({
      ...secrets,
      PREVIEW_DOMAIN: 'Example-Preview.DEV',
      HOST_SHAPE: 'port',
      ADMIN_TOKEN: 'admin',
      TOKEN_SECRET_PREVIOUS: 'p'.repeat(40),
      ORIGIN_TIMEOUT: '2.5',
      VIEWER_IDLE_TIMEOUT: 30,
      MAX_STREAMS: '',
    });
    expect(parsed).toMatchObject({
      previewDomain: 'example-preview.dev',
      hostShape: 'port',
      controlDomain: 'example-preview.dev',
      adminToken: 'admin',
      tokenSecretPrevious: 'p'.repeat(40),
      originTimeoutSeconds: 2.5,
      viewerIdleSeconds: 30,
      maxStreams: 256,
    });
  });

  it('refuses MAX_STREAMS=-1 and ORIGIN_TIMEOUT=-5 (each used to break every request) in one error', () => {
    const error = (() => {
      try {
        parseConfig({ ...secrets, MAX_STREAMS: '-1', ORIGIN_TIMEOUT: '-5' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).status).toBe(500);
    expect((error as ConfigError).code).toBe('config_invalid');
    expect((error as ConfigError).problems).toEqual([
      'ORIGIN_TIMEOUT is "-5": it must be a number of seconds above 0.',
      'MAX_STREAMS is "-1": it must be a whole number of 1 or more.',
    ]);
    expect((error as ConfigError).message).toContain('(2 problems)');
  });

  it.each([
    ['MAX_STREAMS', '0'],
    ['MAX_STREAMS', '2.5'],
    ['MAX_STREAMS', '256 '.repeat(2)],
    ['MAX_STREAMS', 'lots'],
    ['VIEWER_MAX_STREAMS', '0'],
    ['VIEWER_MAX_STREAMS', '1.5'],
    ['VIEWER_MAX_STREAMS', '257'],
    ['MAX_PORTS', '0'],
    ['MAX_PORTS', '-1'],
    ['ORIGIN_TIMEOUT', '0'],
    ['ORIGIN_TIMEOUT', '60s'],
    ['ORIGIN_TIMEOUT', '1e3'],
    ['VIEWER_IDLE_TIMEOUT', 'NaN'],
    ['VIEWER_IDLE_TIMEOUT', '-1'],
    ['PREVIEW_DOMAIN', 'https://example.dev'],
    ['PREVIEW_DOMAIN', 'example.dev:8787'],
    ['PREVIEW_DOMAIN', 'example.dev/'],
    ['PREVIEW_DOMAIN', '-bad.dev'],
    ['CONTROL_DOMAIN', 'https://porthole.example.com'],
    ['CONTROL_DOMAIN', 'porthole.example.com:443'],
    ['HOST_SHAPE', 'Session'],
    ['HOST_SHAPE', 'label'],
  ])('refuses %s=%j, naming it', (name, value) => {
    const problems = problemsOf({ ...secrets, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} is `));
  });

  it('CONTROL_DOMAIN: defaults to porthole.localhost beside PREVIEW_DOMAIN localhost, else to PREVIEW_DOMAIN', () => {
    expect(parseConfig({ ...secrets, PREVIEW_DOMAIN: 'localhost' }).controlDomain).toBe('porthole.localhost');
    expect(parseConfig({ ...secrets, PREVIEW_DOMAIN: 'example.dev' }).controlDomain).toBe('example.dev');
    const both = { ...secrets, PREVIEW_DOMAIN: 'example.dev', CONTROL_DOMAIN: 'Porthole.Example.COM' };
    expect(parseConfig(both).controlDomain).toBe('porthole.example.com');
  });

  it.each([
    ['session', 'abcdefghijklmnop.localhost', 'localhost'],
    ['session', 'x.abcdefghijklmnop.localhost', 'localhost'],
    ['port', `8000-abcdefghijklmnop-abcdefghijklmnop.example.dev`, 'example.dev'],
    ['port', `x.8000-abcdefghijklmnop-abcdefghijklmnop.example.dev`, 'example.dev'],
  ])('refuses a CONTROL_DOMAIN a %s-shaped preview could share (%s)', (shape, control, preview) => {
    const problems = problemsOf({ ...secrets, HOST_SHAPE: shape, PREVIEW_DOMAIN: preview, CONTROL_DOMAIN: control });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^CONTROL_DOMAIN is /);
  });

  it('accepts a CONTROL_DOMAIN under PREVIEW_DOMAIN that no preview can share a site with', () => {
    expect(
      parseConfig({ ...secrets, PREVIEW_DOMAIN: 'localhost', CONTROL_DOMAIN: 'porthole.localhost' }),
    ).toMatchObject({
      controlDomain: 'porthole.localhost',
    });
    const port = {
      ...secrets,
      HOST_SHAPE: 'port',
      PREVIEW_DOMAIN: 'example.dev',
      CONTROL_DOMAIN: 'porthole.example.dev',
    };
    expect(parseConfig(port).controlDomain).toBe('porthole.example.dev');
  });

  it('lists every missing or short secret, never repeating its value', () => {
    const problems = problemsOf({ TOKEN_SECRET: 'short-secret-value', TOKEN_SECRET_PREVIOUS: 'old-short' });
    expect(problems).toEqual([
      'LABEL_KEY is not set: it must be a secret of at least 32 characters.',
      'TOKEN_SECRET is too short: it must be at least 32 characters.',
      'TOKEN_SECRET_PREVIOUS is too short: it must be at least 32 characters.',
    ]);
    expect(problems.join(' ')).not.toMatch(/short-secret-value|old-short/);
  });
});

describe('config(env)', () => {
  it('validates once per env object and caches the answer, good or bad', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const good = { ...secrets };
    expect(config(good)).toBe(config(good));
    const bad = { ...secrets, MAX_STREAMS: '-1' };
    const first = (() => {
      try {
        config(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(first).toBeInstanceOf(ConfigError);
    expect(() => config(bad)).toThrow(first as Error);
    // The log line is written once, when the problem is first found.
    expect(errors).toHaveBeenCalledTimes(1);
    expect(String(errors.mock.calls[0]?.[0])).toContain('MAX_STREAMS');
    errors.mockRestore();
  });
});
