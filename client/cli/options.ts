/** Command-line option parsing shared by the commands; collects every problem, not just the first. */
import { type ParseArgsConfig, parseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const portOptions = {
  port: { type: 'string', multiple: true },
  'preserve-host': { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

export function parsePort(text: string, what: string, problems: string[]): number {
  const n = Number(text);
  if (!/^[0-9]+$/.test(text) || n < 1 || n > 65535) {
    problems.push(`${what}: '${text}' is not a port number (1-65535)`);
    return 0;
  }
  return n;
}

export interface PortFlags {
  ports: number[];
  preserveHost: number[] | 'all';
}

export function portFlags(values: { port?: string[]; 'preserve-host'?: string[] }, problems: string[]): PortFlags {
  const ports = [...new Set((values.port ?? []).map((p) => parsePort(p, '--port', problems)))];
  const preserve = values['preserve-host'] ?? [];
  const preserveHost = preserve.includes('all')
    ? 'all'
    : preserve.map((p) => parsePort(p, '--preserve-host', problems));
  return { ports, preserveHost };
}

export function check(problems: string[]): void {
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}
