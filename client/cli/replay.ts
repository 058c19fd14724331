/**
 * porthole replay <id>: send a logged request to its origin again (POST /v1/requests/<id>/replay)
 * and print the new answer. Exit 0 once replayed, whatever the origin answered; 1 on a refusal.
 */
import { callJson } from '../control/client';
import type { RequestRecord } from '../requests/record';
import { clientCommand } from './command';
import { REPLAY_HELP } from './help-requests';
import { check, parsePort, UsageError } from './options';
import { recordLines } from './request-lines';
import { requestId } from './requests';

/** Characters of the response body's text a terminal is shown. */
const EXCERPT = 2000;

export const replay = clientCommand(
  REPLAY_HELP,
  { port: { type: 'string' }, json: { type: 'boolean' } },
  async ({ values, positionals }, control, out) => {
    if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`);
    const id = requestId(positionals[0], 'porthole replay <id> [--port N]');
    const problems: string[] = [];
    const port = values.port === undefined ? undefined : parsePort(values.port, '--port', problems);
    check(problems);
    const record = await callJson<RequestRecord>(control, 'POST', `/v1/requests/${id}/replay`, { port });
    const [first, ...rest] = recordLines(record, EXCERPT);
    out.result(record, [`replayed #${id} as ${first}`, ...rest].join('\n'));
    return 0;
  },
);
