import { afterEach, describe, expect, it, vi } from 'vitest';
import { type MuxStream, type OpenRequest, ResetCode, type Visibility } from '../../../protocol';
import { type Admitted, StreamGrants } from '../../../gateway/session/grants';

/** A stream stand-in that records its resets and is done once reset. */
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
  return { stream, resets, finish };
}

const far = () => Math.floor(Date.now() / 1000) + 3600;
const owner = (epoch: number, expiresAt = far()): Admitted => ({ kind: 'owner', epoch, expiresAt });
const reviewer = (link: string, expiresAt = far()): Admitted => ({ kind: 'reviewer', link, expiresAt });
const anyone: Admitted = { kind: 'anyone' };

afterEach(() => {
  vi.useRealTimers();
});

describe('StreamGrants', () => {
  it('"sign out everywhere" resets the owner streams of older epochs only, with REVOKED and a reason', () => {
    const grants = new StreamGrants(async () => 'private');
    const old = fakeStream();
    const current = fakeStream();
    const review = fakeStream();
    grants.track(old.stream, 3000, owner(0));
    grants.track(current.stream, 3000, owner(1));
    grants.track(review.stream, 3000, reviewer('l1'));
    expect(grants.signedOut(1)).toBe(1);
    expect(old.resets).toEqual([{ code: ResetCode.REVOKED, reason: 'the owner signed out everywhere' }]);
    expect(current.resets).toEqual([]);
    expect(review.resets).toEqual([]);
    expect(grants.size).toBe(2);
  });

  it("a sign-in's sign-out resets the owner and member streams of that sid only; one opened after is refused", () => {
    const grants = new StreamGrants(async () => 'org');
    const ownerOfSid = fakeStream();
    const memberOfSid = fakeStream();
    const otherSid = fakeStream();
    const byToken = fakeStream();
    grants.track(ownerOfSid.stream, 3000, { kind: 'owner', epoch: 0, expiresAt: far(), sid: 's1' });
    grants.track(memberOfSid.stream, 3000, { kind: 'member', email: 'b@x.test', sid: 's1', expiresAt: far() });
    grants.track(otherSid.stream, 3000, { kind: 'member', email: 'c@x.test', sid: 's2', expiresAt: far() });
    grants.track(byToken.stream, 3000, owner(0));
    expect(grants.identitySignedOut('s1')).toBe(2);
    expect(ownerOfSid.resets).toEqual([{ code: ResetCode.REVOKED, reason: 'the viewer signed out' }]);
    expect(memberOfSid.resets).toHaveLength(1);
    expect(otherSid.resets).toEqual([]);
    expect(byToken.resets).toEqual([]);
    const late = fakeStream();
    grants.track(late.stream, 3000, { kind: 'member', email: 'b@x.test', sid: 's1', expiresAt: far() });
    expect(late.resets).toHaveLength(1);
  });

  it("a revoked link resets that link's streams, not another link's", () => {
    const grants = new StreamGrants(async () => 'private');
    const one = fakeStream();
    const two = fakeStream();
    grants.track(one.stream, 3000, reviewer('l1'));
    grants.track(two.stream, 3000, reviewer('l2'));
    expect(grants.revoked('l1')).toBe(1);
    expect(one.resets[0]?.code).toBe(ResetCode.REVOKED);
    expect(two.resets).toEqual([]);
  });

  it('a visibility change resets the streams whose viewer the port no longer admits', async () => {
    // Admitted while 3000 was a link port and 8000 public; then the owner narrows both.
    const now: Record<number, Visibility> = { 3000: 'link', 8000: 'public', 9000: 'public' };
    const grants = new StreamGrants(async (port) => now[port] as Visibility);
    const reviewing = fakeStream();
    const owning = fakeStream();
    const public8000 = fakeStream();
    const public9000 = fakeStream();
    grants.track(reviewing.stream, 3000, reviewer('l1'));
    grants.track(owning.stream, 3000, owner(0));
    grants.track(public8000.stream, 8000, anyone);
    grants.track(public9000.stream, 9000, anyone);
    await new Promise((resolve) => setTimeout(resolve, 0));
    now[3000] = 'private';
    now[8000] = 'link';
    expect(await grants.visibilityChanged()).toBe(2);
    expect(reviewing.resets[0]?.reason).toBe('the port is no longer shared with this viewer');
    expect(public8000.resets[0]?.code).toBe(ResetCode.REVOKED);
    expect(owning.resets).toEqual([]);
    expect(public9000.resets).toEqual([]);
  });

  it('a failed visibility read resets nothing and does not throw', async () => {
    const grants = new StreamGrants(() => Promise.reject(new Error('storage failed')));
    const open = fakeStream();
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    grants.track(open.stream, 3000, reviewer('l1'));
    expect(await grants.visibilityChanged()).toBe(0);
    expect(open.resets).toEqual([]);
    // Once for the new stream's own check, once for the pass.
    expect(logged).toHaveBeenCalledTimes(2);
    logged.mockRestore();
  });

  it('resets a stream when the credential it came in with expires, and forgets one that is done', async () => {
    vi.useFakeTimers();
    const grants = new StreamGrants(async () => 'link');
    const expiring = fakeStream();
    const finished = fakeStream();
    const at = Math.floor(Date.now() / 1000) + 5;
    grants.track(expiring.stream, 3000, owner(0, at));
    grants.track(finished.stream, 3000, reviewer('l1', at));
    finished.finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(grants.size).toBe(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(expiring.resets).toEqual([]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(expiring.resets).toEqual([
      { code: ResetCode.REVOKED, reason: 'the login or link it was opened with has expired' },
    ]);
    expect(finished.resets).toEqual([]);
    expect(grants.size).toBe(0);
  });

  it('resets at once a stream admitted before a sign-out or revocation and opened after it', () => {
    const grants = new StreamGrants(async () => 'private');
    grants.signedOut(2);
    grants.revoked('l1');
    const late = fakeStream();
    const lateReviewer = fakeStream();
    const fresh = fakeStream();
    grants.track(late.stream, 3000, owner(1));
    grants.track(lateReviewer.stream, 3000, reviewer('l1'));
    grants.track(fresh.stream, 3000, owner(2));
    expect(late.resets).toEqual([{ code: ResetCode.REVOKED, reason: 'the owner signed out everywhere' }]);
    expect(lateReviewer.resets).toEqual([{ code: ResetCode.REVOKED, reason: 'the share link was revoked' }]);
    expect(fresh.resets).toEqual([]);
    expect(grants.size).toBe(1);
  });

  it('tracks what it opens', () => {
    const grants = new StreamGrants(async () => 'private');
    const opened = fakeStream();
    const mux = { open: (_request: OpenRequest) => opened.stream };
    expect(grants.opener(owner(0), 3000, mux).open({} as OpenRequest)).toBe(opened.stream);
    expect(grants.signedOut(1)).toBe(1);
  });
});
