/** Command-line option parsing shared by the commands; collects every problem, not just the first. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { defaultControlPath } from '../control/paths';
import { PortFilter, RuleError } from '../ports/filters';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options of the commands that run a client (dev, connect). */
export const agentOptions = {
  port: { type: 'string', multiple: true },
  'preserve-host': { type: 'string', multiple: true },
  'no-watch': { type: 'boolean' },
  ignore: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  ephemeral: { type: 'boolean' },
  control: { type: 'string' },
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

export interface AgentFlags {
  ports: number[];
  preserveHost: number[] | 'all';
  watch: { filter: PortFilter } | undefined;
  control: string;
}

interface AgentValues {
  port?: string[];
  'preserve-host'?: string[];
  'no-watch'?: boolean;
  ignore?: string[];
  only?: string[];
  ephemeral?: boolean;
  control?: string;
}

/** The client's flags; `extraIgnore` adds rules the command knows (dev ignores its own gateway port). */
export function agentFlags(values: AgentValues, problems: string[], extraIgnore: string[] = []): AgentFlags {
  const ports = [...new Set((values.port ?? []).map((p) => parsePort(p, '--port', problems)))];
  const preserve = values['preserve-host'] ?? [];
  const preserveHost = preserve.includes('all')
    ? 'all'
    : preserve.map((p) => parsePort(p, '--preserve-host', problems));
  let watch: AgentFlags['watch'];
  if (!values['no-watch']) {
    try {
      watch = {
        filter: new PortFilter({
          ignore: [...(values.ignore ?? []), ...extraIgnore],
          only: values.only,
          ephemeral: values.ephemeral,
        }),
      };
    } catch (error) {
      if (!(error instanceof RuleError)) throw error;
      problems.push(`--ignore/--only: ${error.message}`);
    }
  }
  return { ports, preserveHost, watch, control: values.control ?? defaultControlPath() };
}

/** "30s", "500ms", "2m", or plain seconds. */
export function parseDuration(text: string, what: string, problems: string[]): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) {
    problems.push(`${what}: '${text}' is not a duration (e.g. 30s, 500ms, 2m)`);
    return 0;
  }
  const value = Number(match[1]);
  return match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000;
}

export function check(problems: string[]): void {
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}
