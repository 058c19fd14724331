/** Command-line option parsing shared by the commands; collects every problem, not just the first. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isPort, isVisibility, type Visibility } from '../../protocol';
import { PortFilter, RuleError } from '../ports/filters';
import { type RequestLogFlags, requestLogFlags, type RequestLogValues } from './request-log-flags';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Options of the commands that run a client (dev, connect); --help and --control come from clientCommand. */
export const agentOptions = {
  port: { type: 'string', multiple: true },
  'preserve-host': { type: 'string', multiple: true },
  'no-watch': { type: 'boolean' },
  ignore: { type: 'string', multiple: true },
  only: { type: 'string', multiple: true },
  ephemeral: { type: 'boolean' },
  'default-visibility': { type: 'string' },
  visibility: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  'no-settings': { type: 'boolean' },
  open: { type: 'boolean' },
  'request-log': { type: 'string' },
  'request-body': { type: 'string' },
  'request-log-file': { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** A port number written in decimal digits; a problem (and 0) otherwise. */
export function parsePort(text: string, what: string, problems: string[]): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : Number.NaN;
  if (!isPort(n)) {
    problems.push(`${what}: '${text}' is not a port number (1-65535)`);
    return 0;
  }
  return n;
}

export interface AgentFlags extends RequestLogFlags {
  ports: number[];
  preserveHost: number[] | 'all';
  watch: { filter: PortFilter } | undefined;
  /** Who may open a port when it first appears; undefined leaves it to the gateway (private). */
  visibility: (port: number) => Visibility | undefined;
}

interface AgentValues extends RequestLogValues {
  port?: string[];
  'preserve-host'?: string[];
  'no-watch'?: boolean;
  ignore?: string[];
  only?: string[];
  ephemeral?: boolean;
  'default-visibility'?: string;
  visibility?: string[];
}

function visibilityOf(text: string, what: string, problems: string[]): Visibility | undefined {
  if (isVisibility(text)) return text;
  problems.push(`${what}: '${text}' is not a visibility (private, org, link or public)`);
  return undefined;
}

/** --visibility rules (`8000=public`, `3000-3999=link`; the last match wins) over --default-visibility. */
function visibilityRules(values: AgentValues, problems: string[]): (port: number) => Visibility | undefined {
  const fallback =
    values['default-visibility'] === undefined
      ? undefined
      : visibilityOf(values['default-visibility'], '--default-visibility', problems);
  const rules: { from: number; to: number; visibility: Visibility }[] = [];
  for (const rule of values.visibility ?? []) {
    const match = /^([0-9]+)(?:-([0-9]+))?=(.*)$/.exec(rule.trim());
    if (!match) {
      problems.push(`--visibility: '${rule}' is not <port>[-<port>]=<private|org|link|public>`);
      continue;
    }
    const from = parsePort(match[1] as string, '--visibility', problems);
    const to = match[2] === undefined ? from : parsePort(match[2], '--visibility', problems);
    const visibility = visibilityOf(match[3] as string, '--visibility', problems);
    if (from > to) problems.push(`--visibility: '${rule}' is an empty range`);
    else if (visibility) rules.push({ from, to, visibility });
  }
  return (port) => {
    let chosen = fallback;
    for (const rule of rules) if (port >= rule.from && port <= rule.to) chosen = rule.visibility;
    return chosen;
  };
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
  const visibility = visibilityRules(values, problems);
  return { ports, preserveHost, watch, visibility, ...requestLogFlags(values, problems) };
}

export function check(problems: string[]): void {
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
}
