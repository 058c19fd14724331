/**
 * The Session object's RPC boundary: every RPC method's work runs through `overRpc`, so a
 * GatewayError thrown anywhere under it (410 `session_ended` from the lifecycle, 409
 * `too_many_links`, …) crosses to the Worker encoded (rpc-error.ts), and the Worker answers it as
 * itself rather than as a 500. Anything else is rethrown as it is (a bug: the Worker's 500).
 */
import { GatewayError } from '../errors';
import { encodeRpcError } from '../rpc-error';

/** `work()`'s value, or its GatewayError rethrown as the Error that crosses RPC. */
export async function overRpc<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof GatewayError ? encodeRpcError(error) : error;
  }
}
