import { describe, expect, it } from 'vitest';
import { preflightAnswer, preflightQuestion } from '../../../gateway/session/preflight';

describe('a preflight let through without a credential', () => {
  it('reaches the origin as OPTIONS with only Origin and Access-Control-Request-*, and no body', () => {
    const question = preflightQuestion(
      new Request('http://8000-x-y.porthole.localhost/api?q=1', {
        method: 'OPTIONS',
        headers: {
          origin: 'http://3000-x-z.porthole.localhost',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-app',
          'access-control-request-private-network': 'true',
          authorization: 'Bearer secret',
          cookie: 'app=1',
          'x-porthole-token': 'owner',
          'content-type': 'text/plain',
          'user-agent': 'ua',
        },
      }),
    );
    expect(question.method).toBe('OPTIONS');
    expect(question.url).toBe('http://8000-x-y.porthole.localhost/api?q=1');
    expect(question.body).toBeNull();
    expect(Object.fromEntries(question.headers)).toEqual({
      origin: 'http://3000-x-z.porthole.localhost',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type, x-app',
      'access-control-request-private-network': 'true',
    });
  });

  it('answers with the status and the Access-Control-* and Vary headers of the app, and no body', async () => {
    const app = new Response('the app says more', {
      status: 200,
      headers: [
        ['access-control-allow-origin', 'http://3000-x-z.porthole.localhost'],
        ['access-control-allow-methods', 'POST'],
        ['access-control-allow-credentials', 'true'],
        ['vary', 'Origin'],
        ['set-cookie', 'app=1'],
        ['x-secret', 's'],
        ['content-type', 'text/plain'],
      ],
    });
    const answer = await preflightAnswer(app);
    expect(answer.status).toBe(200);
    expect(Object.fromEntries(answer.headers)).toEqual({
      'access-control-allow-origin': 'http://3000-x-z.porthole.localhost',
      'access-control-allow-methods': 'POST',
      'access-control-allow-credentials': 'true',
      vary: 'Origin',
    });
    expect(await answer.text()).toBe('');
    expect(app.bodyUsed || app.body?.locked).toBeTruthy();
  });
});
