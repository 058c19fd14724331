import { describe, expect, it } from 'vitest';
import { agentFlags, parsePort } from '../../../../client/cli/options';

describe('parsePort', () => {
  it('takes 1-65535 written in digits, and lists every bad one', () => {
    const problems: string[] = [];
    expect(['1', '3000', '65535'].map((p) => parsePort(p, '--port', problems))).toEqual([1, 3000, 65535]);
    expect(problems).toEqual([]);
    for (const text of ['0', '65536', '3e3', '-1', '', ' 80', '0x50']) parsePort(text, '--port', problems);
    expect(problems).toHaveLength(7);
    expect(problems[0]).toBe("--port: '0' is not a port number (1-65535)");
  });
});

describe('agentFlags: visibility rules', () => {
  const rules = (values: Parameters<typeof agentFlags>[0]) => {
    const problems: string[] = [];
    const flags = agentFlags({ 'no-watch': true, ...values }, problems);
    return { visibility: flags.visibility, problems };
  };

  it('leaves every port to the gateway (private) when no rule is given', () => {
    const { visibility, problems } = rules({});
    expect(problems).toEqual([]);
    expect([22, 3000, 65535].map(visibility)).toEqual([undefined, undefined, undefined]);
  });

  it('applies --default-visibility, then the rules in order: the last match wins', () => {
    const { visibility, problems } = rules({
      'default-visibility': 'link',
      visibility: ['3000-3999=public', '3001=private', '8000=public'],
    });
    expect(problems).toEqual([]);
    expect([2999, 3000, 3001, 3999, 4000, 8000].map(visibility)).toEqual([
      'link',
      'public',
      'private',
      'public',
      'link',
      'public',
    ]);
  });

  it('collects every bad rule at once', () => {
    const { problems } = rules({
      'default-visibility': 'secret',
      visibility: ['3000', '4000-3000=public', '70000=link', '5000=everyone'],
    });
    expect(problems).toEqual([
      "--default-visibility: 'secret' is not a visibility (private, org, link or public)",
      "--visibility: '3000' is not <port>[-<port>]=<private|org|link|public>",
      "--visibility: '4000-3000=public' is an empty range",
      "--visibility: '70000' is not a port number (1-65535)",
      "--visibility: 'everyone' is not a visibility (private, org, link or public)",
    ]);
  });
});

describe('agentFlags: ports and --preserve-host', () => {
  it('dedupes --port, takes --preserve-host all, and lists bad ports', () => {
    const problems: string[] = [];
    const flags = agentFlags({ port: ['3000', '3000', '8000'], 'preserve-host': ['all'], 'no-watch': true }, problems);
    expect(flags.ports).toEqual([3000, 8000]);
    expect(flags.preserveHost).toBe('all');
    expect(flags.watch).toBeUndefined();
    agentFlags({ port: ['x'], 'preserve-host': ['0'], 'no-watch': true }, problems);
    expect(problems).toEqual([
      "--port: 'x' is not a port number (1-65535)",
      "--preserve-host: '0' is not a port number (1-65535)",
    ]);
  });

  it('reports bad --ignore/--only rules as a problem, not a crash', () => {
    const problems: string[] = [];
    agentFlags({ ignore: ['9000-8000'], only: ['bad name!'] }, problems);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^--ignore\/--only: /);
  });
});
