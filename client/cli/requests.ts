/**
 * porthole requests: the running client's request log (GET /v1/requests…): a list, a follow
 * (new requests as they end, until Ctrl-C) or one request in full.
 */
import { callJson, followJson } from '../control/client';
import { PortholeApiError } from '../net/http';
import { parseFilter } from '../requests/query';
import type { RequestRecord, RequestSummary } from '../requests/record';
import { clientCommand } from './command';
import { REQUESTS_HELP } from './help-requests';
import { check, UsageError } from './options';
import { CliError, jsonText } from './output';
import { recordLines, SUMMARY_HEADER, summaryLine } from './request-lines';

const options = {
  port: { type: 'string' },
  status: { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  viewer: { type: 'string' },
  limit: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  json: { type: 'boolean' },
} as const;

const FILTERS = ['port', 'status', 'method', 'path', 'viewer'] as const;

/** A request id as the user wrote it: a whole number ≥ 1, or a usage error. */
export function requestId(text: string | undefined, usage: string): number {
  if (text === undefined) throw new UsageError(`give a request id: ${usage}`);
  const id = text.startsWith('#') ? text.slice(1) : text;
  if (!/^[0-9]{1,15}$/.test(id) || Number(id) < 1) {
    throw new UsageError(`'${text}' is not a request id (a whole number, as porthole requests lists them)`);
  }
  return Number(id);
}

/** The control API's query for the flags, checked by the API's own parser so that a mistake is a usage error. */
function query(values: Partial<Record<(typeof FILTERS)[number] | 'limit', string>>, follow: boolean): URLSearchParams {
  const problems: string[] = [];
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = values[name];
    if (value === undefined) continue;
    params.set(name, value);
    try {
      parseFilter(new URLSearchParams({ [name]: value }));
    } catch (error) {
      if (!(error instanceof PortholeApiError)) throw error;
      problems.push(`--${name}: ${error.message}`);
    }
  }
  if (values.limit !== undefined) {
    if (!/^[0-9]{1,9}$/.test(values.limit)) problems.push(`--limit: '${values.limit}' is not a whole number`);
    params.set('limit', values.limit);
  }
  check(problems);
  if (follow) params.set('follow', '1');
  return params;
}

/** --follow: the backlog, then each request as it ends (a WebSocket also as it opens), until Ctrl-C or the client stops. */
async function follow(control: string, params: URLSearchParams, json: boolean): Promise<number> {
  const print = (text: string) => process.stdout.write(`${text}\n`);
  if (!json) print(SUMMARY_HEADER);
  const following = followJson<RequestSummary>(control, `/v1/requests?${params}`, (summary) => {
    if (json)
      print(jsonText(summary)); // Every line as the control API sends it (C1 controls escaped).
    else if (summary.state !== 'open' || summary.upgrade) print(summaryLine(summary));
  });
  await following.done;
  throw new CliError('client_stopped', 'the porthole client stopped');
}

export const requests = clientCommand(REQUESTS_HELP, options, async ({ values, positionals }, control, out) => {
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
  if (positionals.length === 1) {
    const id = requestId(positionals[0], 'porthole requests <id>');
    const given = [...FILTERS, 'limit', 'follow'].filter((name) => values[name as keyof typeof values] !== undefined);
    if (given.length > 0) throw new UsageError(`--${given[0]} lists requests: it does not apply to one request`);
    const record = await callJson<RequestRecord>(control, 'GET', `/v1/requests/${id}`);
    out.result(record, recordLines(record).join('\n'));
    return 0;
  }
  const params = query(values, values.follow === true);
  if (values.follow) return follow(control, params, out.json);
  const list = await callJson<RequestSummary[]>(control, 'GET', `/v1/requests?${params}`);
  const human = list.length === 0 ? 'no requests yet' : [SUMMARY_HEADER, ...list.map(summaryLine)].join('\n');
  out.result(list, human);
  return 0;
});
