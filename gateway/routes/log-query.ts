/**
 * The Worker's check of a request-log read (the owner API's `/requests` routes, owner-requests.ts):
 * only the log's own query parameters, each once and of bounded length, pass on to the client, which
 * checks their values (client/requests/query.ts). Pure: no runtime APIs.
 */
import { badRequest } from '../control-errors';

/** The query parameters of the request-log routes (client/requests/query.ts), each with its longest value. */
export const LOG_QUERY_LENGTHS: Readonly<Record<string, number>> = {
  port: 5,
  status: 5,
  method: 32,
  path: 1024,
  viewer: 16,
  after: 15,
  limit: 6,
  follow: 4,
};

/**
 * The client's route for `url` (`/v1/requests?…`, or `/v1/requests/<id>` for `id`) and whether it is
 * a follow; a 400 `bad_request` naming the parameter for anything else.
 */
export function logTarget(url: URL, id?: string): { path: string; follow: boolean } {
  if (id !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(id)) throw badRequest('The request id must be a whole number from 1.');
    if (url.search !== '') throw badRequest('A request is read without query parameters.');
    return { path: `/v1/requests/${id}`, follow: false };
  }
  const query = new URLSearchParams();
  const seen = new Set<string>();
  for (const [name, value] of url.searchParams) {
    const longest = Object.hasOwn(LOG_QUERY_LENGTHS, name) ? LOG_QUERY_LENGTHS[name] : undefined;
    if (longest === undefined) {
      throw badRequest(
        `Unknown parameter ${JSON.stringify(name.slice(0, 32))}: the request log takes ${Object.keys(LOG_QUERY_LENGTHS).join(', ')}.`,
      );
    }
    if (seen.has(name)) throw badRequest(`The parameter ${name} is given twice.`);
    if (value.length > longest) throw badRequest(`The parameter ${name} is longer than ${longest} characters.`);
    seen.add(name);
    query.set(name, value);
  }
  const follow = query.get('follow');
  if (follow !== null && follow !== '1' && follow !== 'true') throw badRequest('follow must be 1 or true.');
  const search = query.toString();
  return { path: `/v1/requests${search ? `?${search}` : ''}`, follow: follow !== null };
}
