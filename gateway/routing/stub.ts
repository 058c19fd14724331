/** The Session Durable Object of a session id: the only place ids become objects (by name, so `ctx.id.name` is the id). */
import type { Env } from '../env';
import type { Session } from '../session/session';

export function sessionStub(env: Env, session: string): DurableObjectStub<Session> {
  return env.SESSION.get(env.SESSION.idFromName(session));
}
