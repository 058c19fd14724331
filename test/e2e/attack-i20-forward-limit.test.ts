/**
 * An owner (or a leaked owner token) opening forwarded TCP connections without end: the session
 * carries MAX_FORWARDS at once (each may hold 512 KiB in its Session object), the next is refused
 * 429 `too_many_forwards` before any stream opens, and one closed makes room again.
 */
import { describe, expect, it } from 'vitest';
import { MAX_FORWARDS } from '../../protocol/forward';
import { forwardWs, type OpenForward } from './forward-access-kit';
import { startAgent, startHarness, waitFor } from './harness';
import { echo, ownerToken, tcpOrigin } from './tcp-kit';

describe('forwarded connections per session', () => {
  it(`carries ${MAX_FORWARDS} at once; the next gets 429 too_many_forwards and the origin sees it not`, async () => {
    const h = await startHarness();
    const origin = await tcpOrigin(echo);
    const a = await startAgent(h, [origin.port]);
    const headers = { authorization: `Bearer ${await ownerToken(h, a.session, a.token)}` };
    const open: OpenForward[] = [];
    for (let i = 0; i < MAX_FORWARDS; i++) {
      const connection = await forwardWs(h, a.session, origin.port, headers);
      if (!('ws' in connection)) throw new Error(`connection ${i + 1} refused: ${JSON.stringify(connection)}`);
      open.push(connection);
    }
    await waitFor(() => origin.accepted() === MAX_FORWARDS || undefined, 'every connection at the origin');
    const refused = await forwardWs(h, a.session, origin.port, headers);
    expect(refused).toMatchObject({ status: 429, error: 'too_many_forwards' });
    expect((refused as { message: string }).message).toContain(`${MAX_FORWARDS} forwarded TCP connections`);
    expect(origin.accepted()).toBe(MAX_FORWARDS);

    (open[0] as OpenForward).ws.close(1000);
    const again = await waitFor(async () => {
      const next = await forwardWs(h, a.session, origin.port, headers);
      return 'ws' in next ? next : undefined;
    }, 'room for one more once one closed');
    again.ws.close(1000);
  });
});
