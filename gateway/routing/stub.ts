/** The Session Durable Object of a session id: the only place ids become objects (by name, so `ctx.id.name` is the id). */
import { BoundedCache } from '../bounded-cache';
import type { Env } from '../env';
import type { Session } from '../session/session';

/**
 * Object ids by session name, per isolate: `idFromName` hashes the name on every call, and a busy
 * session's every request needs its id. Ids are pure values (no I/O), so sharing them across
 * requests is safe; stubs are not cached (one per request, as the runtime recommends).
 */
const ids = new BoundedCache<string, DurableObjectId>(1024);

export function sessionStub(env: Env, session: string): DurableObjectStub<Session> {
  let id = ids.get(session);
  if (!id) {
    id = env.SESSION.idFromName(session);
    ids.set(session, id);
  }
  return env.SESSION.get(id);
}
