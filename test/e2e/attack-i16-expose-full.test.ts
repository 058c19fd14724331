/**
 * ATTACK (issue 16): `POST /ports` asks the client to expose any port, and a table over MAX_PORTS
 * closes the client's tunnel for good (CloseCode.TOO_MANY_PORTS: the client stops). So exposing one
 * new port too many, or a burst of new ports faster than the client announces them, would stop the
 * session's client. The gateway answers such a request 409 `too_many_ports` instead, and the client
 * stays up; a port already in the table can still be asked for (its label or visibility).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { type Harness, request, type RunningAgent, startAgent, startHarness } from './harness';
import { freePorts } from './servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MAX_PORTS: '3' });
});
afterAll(async () => {
  await h?.stop();
});

async function post(a: RunningAgent, body: unknown) {
  const { token } = await a.agent.api.ownerToken();
  return request(h.gateway, `/api/sessions/${a.session}/ports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('ATTACK: exposing ports past MAX_PORTS through the owner API', () => {
  it('a burst of new ports past the table is refused with 409 too_many_ports; the client stays up', async () => {
    // A watcher that announces nothing by itself: only what the owner exposes.
    const a = await startAgent(h, [], { watch: { filter: new PortFilter({ only: ['1'] }), intervalMs: 50 } });
    const ports = await freePorts(6);
    const answers: number[] = [];
    for (const port of ports) answers.push((await post(a, { port })).status);
    expect(answers).toEqual([202, 202, 202, 409, 409, 409]);
    const refused = await post(a, { port: ports[5] });
    expect(JSON.parse(refused.body.toString())).toMatchObject({ error: 'too_many_ports', status: 409 });
    for (const port of ports.slice(0, 3)) {
      await a.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`);
    }
    // A port already in the table may still be asked for; the client is still connected.
    expect((await post(a, { port: ports[0], label: 'Still here' })).status).toBe(202);
    await a.event((e) => e.event === 'port.open' && e.port === ports[0] && e.label === 'Still here', 'relabelled');
    expect(a.events.some((e) => e.event === 'tunnel.down')).toBe(false);
    expect(a.agent.status().tunnel).toBe('up');
  });
});
