/**
 * One table from reset code to what the viewer saw (protocol/reset-answer.ts): the gateway's answer
 * (streamFailure) and the client's log (failureOf) give the same status and code for every reset.
 */
import { describe, expect, it } from 'vitest';
import { failureOf } from '../../../../client/requests/outcome';
import { streamFailure } from '../../../../gateway/errors';
import { ResetCode, resetAnswer, StreamResetError } from '../../../../protocol';

const CODES = Object.values(ResetCode);

describe('reset answers: one table for the gateway and the request log', () => {
  it.each([
    [ResetCode.REFUSED, 502, 'origin_unreachable'],
    [ResetCode.NOT_EXPOSED, 503, 'port_not_listening'],
    [ResetCode.TIMEOUT, 504, 'origin_timeout'],
    [ResetCode.REVOKED, 403, 'access_withdrawn'],
    [ResetCode.TUNNEL_CLOSED, 502, 'tunnel_lost'],
    [ResetCode.ORIGIN_ERROR, 502, 'origin_error'],
    [ResetCode.PROTOCOL_ERROR, 502, 'origin_error'],
    [ResetCode.FLOW_CONTROL, 502, 'origin_error'],
    [999, 502, 'origin_error'],
  ])('reset %i → %i %s, whichever side made it', (code, status, error) => {
    expect(resetAnswer(code, true)).toEqual({ status, code: error });
    expect(resetAnswer(code, false)).toEqual({ status, code: error });
  });

  it("the gateway's CANCEL is viewer_left, with no status; a client's CANCEL is an origin error", () => {
    expect(resetAnswer(ResetCode.CANCEL, true)).toEqual({ code: 'viewer_left' });
    expect(resetAnswer(ResetCode.CANCEL, false)).toEqual({ status: 502, code: 'origin_error' });
  });

  it.each(CODES)('reset %i: the gateway answers what the client logs', (code) => {
    // The client sent it (remote at the gateway, local at the client), or the gateway did (the reverse).
    for (const byGateway of [false, true]) {
      const atGateway = streamFailure(new StreamResetError(code, 'why', !byGateway), 3000, 60);
      const atClient = failureOf(new StreamResetError(code, 'why', byGateway));
      expect(atClient.error).toEqual({ code: atGateway.code, message: 'why' });
      // No status in the log when the viewer left: nobody got the gateway's answer.
      expect(atClient.status).toBe(atGateway.code === 'viewer_left' ? undefined : atGateway.status);
    }
  });
});
