import { app } from './app';
import type { Env } from './env';

export { Session } from './session/session';

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
