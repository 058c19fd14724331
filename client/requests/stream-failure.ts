/**
 * What a stream reset means, as the gateway's streamFailure (gateway/errors.ts) tells a viewer:
 * the status and error code a replay records when its stream is reset.
 */
import { ResetCode, type StreamResetError } from '../../protocol';

export interface StreamFailure {
  status: number;
  code: string;
  message: string;
}

export function streamFailure(error: StreamResetError, port: number): StreamFailure {
  switch (error.code) {
    case ResetCode.REFUSED:
      return {
        status: 502,
        code: 'origin_unreachable',
        message: `nothing answered on port ${port} (${error.message})`,
      };
    case ResetCode.NOT_EXPOSED:
      return { status: 503, code: 'port_not_listening', message: error.message };
    case ResetCode.TIMEOUT:
      return { status: 504, code: 'origin_timeout', message: `the server on port ${port} did not answer in time` };
    case ResetCode.REVOKED:
      return { status: 403, code: 'access_withdrawn', message: error.message };
    case ResetCode.TUNNEL_CLOSED:
      return { status: 502, code: 'tunnel_lost', message: error.message };
    default:
      return {
        status: 502,
        code: 'origin_error',
        message: `the server on port ${port} failed to answer: ${error.message}`,
      };
  }
}
