/**
 * The Session object's side of `porthole forward` (docs/tcp-forwarding.md; the Worker checked the
 * credential, routes/forward.ts): the check before listening, and each forwarded connection. A
 * connection is a raw TCP stream of the tunnel (OPEN `tcp: true`, protocol v9): the client dials the
 * port and answers 200 once connected, so every refusal (session asleep or offline, port not
 * exposed, nothing accepting connections, a member on a port not open to the organisation) is an
 * HTTP answer to the upgrade, before any byte. The stream counts as one of the owner's (the fair
 * queue, viewers.ts) and ends when its credential is withdrawn, as a viewer's does (grants.ts).
 */
import { type ApiForwardCheck, MAX_FORWARDS, ResetCode, TCP_SUBPROTOCOL, type Visibility } from '../../protocol';
import { allowed, openViewer } from '../access/policy';
import { GatewayError, notListening, sessionAsleep, sessionOffline, streamFailure } from '../errors';
import type { TcpRoute } from '../routing/route';
import type { SessionParts } from './parts';
import { pipeTcp } from './tcp-pipe';
import { viewerKey } from './viewers';

/** 403 `forward_not_allowed`: a member of the organisation, on a port not open to it. */
const notOpenToMembers = (port: number, visibility: Visibility) =>
  new GatewayError(
    403,
    'forward_not_allowed',
    `Port ${port} of this session is ${visibility}: as a member of the session's organisation you may forward ` +
      `only ports open to it (org or public). Ask the owner to share it with the organisation.`,
  );

/** Open forwarded connections, per Session object. */
const open = new WeakMap<SessionParts, number>();

/** 429 `too_many_forwards`: the session carries MAX_FORWARDS connections already. */
const tooManyForwards = () =>
  new GatewayError(
    429,
    'too_many_forwards',
    `This session carries ${MAX_FORWARDS} forwarded TCP connections at once, the most it may: close some and try again.`,
    { headers: { 'retry-after': '1' } },
  );

/** 502 `origin_error`: the client answered a raw TCP stream with something other than 200. */
const badAnswer = (port: number, status: number) =>
  new GatewayError(502, 'origin_error', `The session's client answered ${status} to a connection to port ${port}.`);

/**
 * Answer the forward check (`route.upgrade` false: 200 JSON) or make the connection (a 101 whose
 * WebSocket carries it). Throws the GatewayError the owner is told.
 */
export async function serveTcp(p: SessionParts, request: Request, route: TcpRoute): Promise<Response> {
  const { port, viewer } = route;
  if ((await p.life.state()) === 'asleep') throw sessionAsleep();
  if (!p.tunnel.current()) throw sessionOffline();
  // Visibility first: a member probing port numbers learns nothing of what listens in the VM (a port
  // never announced is private to them, as one that is).
  const visibility = await p.views().visibility(port);
  if (!allowed(visibility, viewer)) throw notOpenToMembers(port, visibility);
  const entry = await p.ports.get(port);
  if (!entry) throw notListening(port);
  if (!route.upgrade) {
    const check: ApiForwardCheck = { port, ...(entry.process ? { process: entry.process } : {}), visibility };
    return Response.json(check);
  }
  const admission = p.viewerStreams.admit(viewerKey(route.clientIp), { signal: request.signal });
  const slot = admission instanceof Promise ? await admission : admission;
  try {
    const tunnel = p.tunnel.current();
    if (!tunnel) throw sessionOffline();
    if ((open.get(p) ?? 0) >= MAX_FORWARDS) throw tooManyForwards();
    const mux = p.grants.opener(viewer, port, slot.opener(tunnel.mux));
    const stream = mux.open({
      port,
      method: 'CONNECT',
      path: '/',
      headers: [],
      host: new URL(request.url).host,
      hasBody: true,
      upgrade: false,
      viewer: openViewer(viewer),
      tcp: true,
    });
    open.set(p, (open.get(p) ?? 0) + 1);
    void stream.done().then(() => open.set(p, (open.get(p) ?? 1) - 1));
    const timeoutSeconds = p.config().originTimeoutSeconds;
    p.deadlines.add(stream, timeoutSeconds * 1000, () =>
      stream.reset(ResetCode.TIMEOUT, `no connection within ${timeoutSeconds} s`),
    );
    try {
      const head = await stream.head();
      if (head.status !== 200) {
        stream.reset(ResetCode.PROTOCOL_ERROR, `a raw TCP stream answered ${head.status}`);
        throw badAnswer(port, head.status);
      }
    } catch (error) {
      if (error instanceof GatewayError) throw error;
      throw streamFailure(error, port, timeoutSeconds);
    } finally {
      p.deadlines.delete(stream);
    }
    const { 0: owner, 1: ours } = new WebSocketPair();
    ours.accept();
    pipeTcp(stream, ours, port);
    return new Response(null, {
      status: 101,
      webSocket: owner,
      headers: { 'sec-websocket-protocol': TCP_SUBPROTOCOL },
    });
  } finally {
    slot.release();
  }
}
