import { describe, expect, it } from 'vitest';
import type { ControlFrame } from '../../../protocol';
import {
  type ControlSender,
  OWNER_EXPOSE_BURST,
  OWNER_EXPOSE_PER_SECOND,
  ownerPortRefusal,
  OwnerPortRequests,
} from '../../../gateway/session/owner-ports';

/** A tunnel whose multiplexer records the control frames sent on it. */
function recordingTunnel(): { tunnel: ControlSender; sent: ControlFrame[] } {
  const sent: ControlFrame[] = [];
  return { tunnel: { mux: { control: (frame: ControlFrame) => void sent.push(frame) } }, sent };
}

describe("the owner's expose requests", () => {
  it('go to the client as EXPOSE / UNEXPOSE while a tunnel is up', () => {
    const { tunnel, sent } = recordingTunnel();
    const requests = new OwnerPortRequests(() => tunnel);
    expect(requests.send({ type: 'EXPOSE', stream: 0, body: { port: 40123, label: 'Fixture' } })).toBe('sent');
    expect(requests.send({ type: 'UNEXPOSE', stream: 0, body: { port: 40123 } })).toBe('sent');
    expect(sent.map((f) => f.type)).toEqual(['EXPOSE', 'UNEXPOSE']);
  });

  it('are refused offline (409) and past the rate (429, Retry-After), sending nothing', () => {
    expect(new OwnerPortRequests(() => null).send({ type: 'UNEXPOSE', stream: 0, body: { port: 1 } })).toBe('offline');
    expect(ownerPortRefusal('offline', 1024)).toMatchObject({ status: 409, code: 'offline' });
    let now = 0;
    const { tunnel, sent } = recordingTunnel();
    const requests = new OwnerPortRequests(
      () => tunnel,
      () => now,
    );
    const frame = { type: 'UNEXPOSE', stream: 0, body: { port: 1 } } as const;
    for (let i = 0; i < OWNER_EXPOSE_BURST; i++) expect(requests.send(frame)).toBe('sent');
    expect(requests.send(frame)).toBe('too_many_requests');
    expect(sent).toHaveLength(OWNER_EXPOSE_BURST);
    now += 1000 / OWNER_EXPOSE_PER_SECOND;
    expect(requests.send(frame)).toBe('sent');
    const refusal = ownerPortRefusal('too_many_requests', 1024);
    expect(refusal).toMatchObject({ status: 429, code: 'too_many_requests' });
    expect(refusal.headers['retry-after']).toBe('1');
  });
});
