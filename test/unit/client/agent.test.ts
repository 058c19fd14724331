/**
 * The agent applies the gateway's port snapshots in order. A stand-in gateway (a plain `ws` server
 * speaking the tunnel's subprotocol, no workerd) sends them; the agent's own parts are real.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Agent } from '../../../client/agent';
import type { AgentEvent } from '../../../client/events';
import { encode, type PortSnapshot, SUBPROTOCOL } from '../../../protocol';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A gateway that answers every HTTP call 404 and, once a tunnel says HELLO, sends `snapshots`. */
async function gateway(snapshots: PortSnapshot[]): Promise<string> {
  const server = http.createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server, handleProtocols: () => SUBPROTOCOL });
  wss.on('connection', (socket) =>
    socket.once('message', () => {
      for (const body of snapshots) socket.send(encode({ type: 'PORT_SNAPSHOT', stream: 0, body }));
    }),
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function entry(port: number) {
  return { port, url: `http://${port}-s.example`, visibility: 'public' as const, firstSeen: '2026-11-30T00:00:00Z' };
}

/** Every event the agent emitted, and a wait for one that `match` accepts (rejects after `timeoutMs`, naming `what`). */
function recorder() {
  const events: AgentEvent[] = [];
  const waiters = new Set<() => void>();
  return {
    sink: (event: AgentEvent) => {
      events.push(event);
      for (const waiter of [...waiters]) waiter();
    },
    waitFor(match: (event: AgentEvent) => boolean, what: string, timeoutMs = 3000): Promise<AgentEvent> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

describe('port snapshots', () => {
  it('keeps applying later snapshots after a listener throws on one, and reports the failure', async () => {
    const url = await gateway([
      { session: 's', ports: [entry(3000)] },
      { session: 's', ports: [entry(3000), entry(3001)] },
    ]);
    const events = recorder();
    const agent = new Agent({ gateway: url, token: 't', ports: [3000, 3001], onEvent: events.sink });
    cleanups.push(() => agent.stop());
    agent.subscribe((event) => {
      if (event.event === 'port.open' && event.port === 3000) throw new Error('a listener failed');
    });

    await events.waitFor((e) => e.event === 'port.open' && e.port === 3001, 'port.open for 3001');
    const error = await events.waitFor((e) => e.event === 'error', 'error event');
    expect(error).toMatchObject({ event: 'error', message: expect.stringContaining('a listener failed') });
  });
});
