/**
 * `porthole forward` end to end (docs/tcp-forwarding.md): the real CLI on the "owner's machine",
 * the gateway in workerd, the real client in the "VM", TCP origins on loopback. Bytes are compared
 * by sha256; half-close, both protocol shapes (server first, client first), an origin failing
 * mid-stream and a tunnel drop.
 */
import { describe, expect, it } from 'vitest';
import { startAgent, startHarness, waitFor } from './harness';
import { runCli } from './cli-run';
import { connectLocal, echo, ownerToken, scratch, startForward, tcpOrigin, writeRandom } from './tcp-kit';

const MiB = 1024 * 1024;

describe('porthole forward', () => {
  it('carries 100 MiB each way through an echo server, byte for byte, and keeps half-close both ways', async () => {
    const h = await startHarness();
    const origin = await tcpOrigin(echo);
    // The origin half-closes first: its banner and FIN reach the owner, who then still sends 8 MiB and
    // closes at once. The origin reads slowly (a turn of the event loop per chunk), so the owner's last
    // bytes wait for window after its local connection closed: they must still arrive, then the end.
    const lateBytes: number[] = [];
    const halfClosing = await tcpOrigin((socket) => {
      let got = 0;
      socket.end('bye\n');
      socket.on('data', (chunk: Buffer) => {
        got += chunk.length;
        socket.pause();
        setImmediate(() => socket.resume());
      });
      socket.on('end', () => lateBytes.push(got));
    });
    const a = await startAgent(h, [origin.port, halfClosing.port]);
    const owner = await ownerToken(h, a.session, a.token);
    const { local } = await startForward(h, origin.port, { PORTHOLE_OWNER_TOKEN: owner });

    const big = connectLocal(local);
    const sent = await writeRandom(big.socket, 100 * MiB);
    const echoed = await big.done;
    expect(echoed).toMatchObject({ bytes: 100 * MiB, sha256: sent, ended: 'end' });

    const other = await startForward(h, halfClosing.port, { PORTHOLE_OWNER_TOKEN: owner });
    const late = connectLocal(other.local);
    const first = await new Promise<string>((resolve) => late.socket.once('end', () => resolve('end')));
    expect(first).toBe('end');
    await writeRandom(late.socket, 8 * MiB, 7);
    expect(await late.done).toMatchObject({ text: 'bye\n', ended: 'end' });
    await waitFor(() => lateBytes[0] === 8 * MiB || undefined, 'the origin read all the late bytes', 30_000);
  });

  it('serves a protocol that speaks first (banner) and one that waits for the client', async () => {
    const h = await startHarness();
    const banner = await tcpOrigin((socket) => {
      socket.write('220 ready\r\n');
      socket.on('data', (chunk: Buffer) => {
        if (chunk.toString().startsWith('QUIT')) socket.end('221 bye\r\n');
      });
    });
    const waits = await tcpOrigin((socket) => {
      socket.once('data', (chunk: Buffer) => socket.end(`PONG ${chunk.toString().trim()}\n`));
    });
    const a = await startAgent(h, [banner.port, waits.port]);
    const owner = await ownerToken(h, a.session, a.token);
    const first = await startForward(h, banner.port, { PORTHOLE_OWNER_TOKEN: owner });
    const second = await startForward(h, waits.port, { PORTHOLE_OWNER_TOKEN: owner });

    const smtp = connectLocal(first.local);
    await new Promise<void>((resolve) => smtp.socket.once('data', () => resolve()));
    smtp.socket.end('QUIT\r\n');
    expect(await smtp.done).toMatchObject({ text: '220 ready\r\n221 bye\r\n', ended: 'end' });

    // Sent at once, before the gateway's WebSocket is even open: nothing is lost.
    const ping = connectLocal(second.local);
    ping.socket.end('PING 42\n');
    expect(await ping.done).toMatchObject({ text: 'PONG PING 42\n', ended: 'end' });
  });

  it('an origin that resets mid-stream resets the local connection; the listener goes on', async () => {
    const h = await startHarness();
    let resets = 0;
    const origin = await tcpOrigin((socket) => {
      socket.write(Buffer.alloc(MiB, 1));
      socket.once('data', () => {
        if (resets++ === 0) socket.resetAndDestroy();
        else socket.end('fine\n');
      });
    });
    const a = await startAgent(h, [origin.port]);
    const owner = await ownerToken(h, a.session, a.token);
    const { run, local } = await startForward(h, origin.port, { PORTHOLE_OWNER_TOKEN: owner });

    const cut = connectLocal(local);
    // Everything read before the origin resets: a reset that finds bytes still unread on the way may
    // reach the client in the VM as an end of input instead (seen under load), which it passes on as such.
    let read = 0;
    await new Promise<void>((resolve) =>
      cut.socket.on('data', (chunk: Buffer) => (read += chunk.length) === MiB && resolve()),
    );
    cut.socket.write('go');
    const result = await cut.done;
    expect(result.ended).toBe('ECONNRESET');
    await waitFor(() => /connection 1 to port \d+ ended: .*ECONNRESET/.test(run.stderr()) || undefined, 'the reason');

    const next = connectLocal(local);
    next.socket.end('go');
    expect(await next.done).toMatchObject({ bytes: MiB + 5, ended: 'end' });
  });

  it('a tunnel drop ends the open connection; the listener stays and works after the reconnect', async () => {
    const h = await startHarness();
    const origin = await tcpOrigin(echo);
    const a = await startAgent(h, [origin.port]);
    const owner = await ownerToken(h, a.session, a.token);
    const { run, local } = await startForward(h, origin.port, { PORTHOLE_OWNER_TOKEN: owner });

    const open = connectLocal(local);
    open.socket.write('hello');
    await new Promise<void>((resolve) => open.socket.once('data', () => resolve()));
    const ups = a.events.filter((e) => e.event === 'tunnel.up').length;
    a.agent.connection?.terminate();
    expect((await open.done).ended).toBe('ECONNRESET');
    expect(run.stderr()).toMatch(/connection 1 to port \d+ ended: the tunnel to the session was lost/);

    await waitFor(() => a.events.filter((e) => e.event === 'tunnel.up').length > ups || undefined, 'a reconnect');
    const again = connectLocal(local);
    again.socket.end('after');
    expect(await again.done).toMatchObject({ text: 'after', ended: 'end' });
  });

  it('refuses a bad credential before listening, and the origin sees nothing', async () => {
    const h = await startHarness();
    const origin = await tcpOrigin(echo);
    const a = await startAgent(h, [origin.port]);
    const owner = await ownerToken(h, a.session, a.token);
    const cases: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
      ['a session token', { PORTHOLE_OWNER_TOKEN: a.token }, /owner token is not valid|needs an owner token/],
      ['a forged token', { PORTHOLE_OWNER_TOKEN: `${owner.slice(0, -4)}AAAA` }, /owner token is not valid/],
    ];
    for (const [what, env, message] of cases) {
      const run = runCli(['forward', `${origin.port}:0`, '--gateway', h.gateway.url], scratch(), env);
      expect(await run.exit, what).toBe(1);
      expect(run.stderr(), what).toMatch(message);
      expect(run.stdout(), what).not.toMatch(/forwarding/);
    }
    expect(origin.accepted()).toBe(0);
  });

  it('says why a connection is refused before its first byte: port not listening, session offline', async () => {
    const h = await startHarness();
    const a = await startAgent(h, []);
    const owner = await ownerToken(h, a.session, a.token);
    const { run, local } = await startForward(h, 5999, { PORTHOLE_OWNER_TOKEN: owner });
    expect(run.stderr()).toMatch(/warning: port 5999: .*not exposed.*\(port_not_listening\); listening anyway/);
    const refused = connectLocal(local);
    expect(await refused.done).toMatchObject({ bytes: 0, ended: 'ECONNRESET' });
    await waitFor(
      () => /connection 1 to port 5999 refused: .*\(503 port_not_listening\)/.test(run.stderr()) || undefined,
      'why',
    );

    await a.agent.stop();
    const offline = connectLocal(local);
    expect(await offline.done).toMatchObject({ bytes: 0, ended: 'ECONNRESET' });
    await waitFor(
      () => /connection 2 to port 5999 refused: .*\(503 session_offline\)/.test(run.stderr()) || undefined,
      'offline',
    );
  });
});
