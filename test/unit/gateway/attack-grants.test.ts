/**
 * ATTACK (issue 13, grants.ts as merged): a visibility change is checked only against the streams
 * tracked when its pass runs. Admission awaits (storage, and for a reviewer or owner the token's
 * HMAC, during which the object takes other events), so a stream admitted under the old visibility
 * (a reviewer of a `link` port, anyone on a `public` one) and opened just after the owner made the
 * port private is tracked after the pass and never checked: a WebSocket so opened stays open on
 * the private port for as long as it lasts. Sign-out and revocation have this covered (`#epoch`,
 * `#revoked`, the "admitted before, opened after" test in grants.test.ts); visibility does not.
 */
import { describe, expect, it } from 'vitest';
import { type MuxStream, ResetCode, type Visibility } from '../../../protocol';
import { type Admitted, StreamGrants } from '../../../gateway/session/grants';

function fakeStream() {
  let finish: () => void = () => {};
  const done = new Promise<null>((resolve) => (finish = () => resolve(null)));
  const resets: { code: number; reason: string }[] = [];
  const stream = {
    done: () => done,
    reset: (code: number, reason: string) => {
      resets.push({ code, reason });
      finish();
    },
  } as unknown as MuxStream;
  return { stream, resets };
}

const reviewer = (link: string): Admitted => ({
  kind: 'reviewer',
  link,
  expiresAt: Math.floor(Date.now() / 1000) + 3600,
});
const anyone: Admitted = { kind: 'anyone' };
/** Let pending promise callbacks (and any visibility reads they start) run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('ATTACK: StreamGrants and a visibility change that races an admission', () => {
  it('resets a stream admitted before the port was made private and opened after the pass', async () => {
    const now: Record<number, Visibility> = { 3000: 'link', 9000: 'public' };
    const grants = new StreamGrants(async (port) => now[port] as Visibility);
    // The owner makes both ports private; the pass runs with nothing tracked yet.
    now[3000] = 'private';
    now[9000] = 'private';
    expect(await grants.visibilityChanged()).toBe(0);
    // The reviewer's and the anonymous viewer's streams, admitted under the old visibility, open now.
    const late = fakeStream();
    const lateAnyone = fakeStream();
    grants.track(late.stream, 3000, reviewer('l1'));
    grants.track(lateAnyone.stream, 9000, anyone);
    await settle();
    expect(
      { reviewer: late.resets[0]?.code, anyone: lateAnyone.resets[0]?.code },
      'streams opened after a visibility change must be checked against the visibility now',
    ).toEqual({ reviewer: ResetCode.REVOKED, anyone: ResetCode.REVOKED });
  });
});
