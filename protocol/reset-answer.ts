/**
 * What a stream reset means to the viewer, one table for both ends: the
 * gateway answers a reset before the response head with this status and
 * error code (gateway/errors.ts streamFailure), and the client's request log
 * records the same code for the same reset (client/requests/outcome.ts), so
 * the two can never disagree. Pure data (no Node or Workers APIs).
 */
import { ResetCode } from './frames';

/** The viewer's answer: `status` and the gateway's error `code`; no status when the viewer left (nobody was answered). */
export interface ResetAnswer {
  status?: number;
  code: string;
}

/** The code the log records when the gateway cancelled a stream because its viewer went away. */
export const VIEWER_LEFT = 'viewer_left';

const ANSWERS: Readonly<Record<number, Required<ResetAnswer>>> = {
  [ResetCode.REFUSED]: { status: 502, code: 'origin_unreachable' },
  [ResetCode.NOT_EXPOSED]: { status: 503, code: 'port_not_listening' },
  [ResetCode.TIMEOUT]: { status: 504, code: 'origin_timeout' },
  [ResetCode.REVOKED]: { status: 403, code: 'access_withdrawn' },
  [ResetCode.TUNNEL_CLOSED]: { status: 502, code: 'tunnel_lost' },
};

const ORIGIN_ERROR: Required<ResetAnswer> = { status: 502, code: 'origin_error' };

/**
 * The answer for a reset with `code` (a ResetCode; any other number too). `byGateway`: the gateway
 * made the reset (on the client: the RESET came from the gateway), where CANCEL means the viewer
 * went away: `viewer_left`, no status. Anything not in the table (a CANCEL from the client among
 * them) is 502 `origin_error`.
 */
export function resetAnswer(code: number, byGateway: boolean): ResetAnswer {
  if (code === ResetCode.CANCEL && byGateway) return { code: VIEWER_LEFT };
  return ANSWERS[code] ?? ORIGIN_ERROR;
}
