/**
 * Shape checks for the JSON payloads. A peer is not trusted: every field the
 * other side reads is checked here, so the rest of the code can rely on types.
 */
import { ProtocolError } from './errors';
import { isPort } from './ids';
import {
  type HeaderPairs,
  type ExposeRequest,
  type Hello,
  isVisibility,
  type OpenRequest,
  type OpenViewer,
  REQUEST_LOG_PORT,
  VIEWER_KINDS,
  type PortChanges,
  type PortEntry,
  type PortInfo,
  type PortSnapshot,
  type ResponseHead,
  type UnexposeRequest,
  type Visibility,
} from './payloads';
import { portLabelProblem } from './port-label';

type Json = Record<string, unknown>;

function bad(what: string): never {
  throw new ProtocolError('BAD_PAYLOAD', what);
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${what} must be an object`);
  return value as Json;
}

function int(value: unknown, what: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    bad(`${what} must be an integer in ${min}..${max}`);
  }
  return value;
}

function str(value: unknown, what: string): string {
  if (typeof value !== 'string') bad(`${what} must be a string`);
  return value;
}

function bool(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') bad(`${what} must be a boolean`);
  return value;
}

function port(value: unknown): number {
  if (!isPort(value)) bad('port must be an integer in 1..65535');
  return value;
}

function headers(value: unknown): HeaderPairs {
  if (!Array.isArray(value)) bad('headers must be an array of [name, value] pairs');
  for (const pair of value) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || typeof pair[1] !== 'string') {
      bad('headers must be an array of [name, value] pairs');
    }
  }
  return value as HeaderPairs;
}

function visibility(value: unknown): Visibility {
  const text = str(value, 'visibility');
  if (!isVisibility(text)) bad(`visibility must be private, org, link or public`);
  return text;
}

function label(value: unknown): string {
  const problem = portLabelProblem(value);
  if (problem !== null) bad(problem);
  return value as string;
}

function portInfo(value: unknown): PortInfo {
  const o = object(value, 'port entry');
  const info: PortInfo = { port: port(o.port) };
  if (o.process !== undefined) info.process = str(o.process, 'process');
  if (o.visibility !== undefined) info.visibility = visibility(o.visibility);
  if (o.label !== undefined) info.label = label(o.label);
  return info;
}

function list<T>(value: unknown, what: string, item: (v: unknown) => T): T[] {
  if (!Array.isArray(value)) bad(`${what} must be an array`);
  return value.map(item);
}

export function hello(value: unknown): Hello {
  const o = object(value, 'HELLO');
  return { ports: list(o.ports, 'ports', portInfo) };
}

function portEntry(value: unknown): PortEntry {
  const o = object(value, 'port entry');
  const entry: PortEntry = {
    port: port(o.port),
    url: str(o.url, 'url'),
    visibility: visibility(o.visibility),
    firstSeen: str(o.firstSeen, 'firstSeen'),
  };
  if (o.process !== undefined) entry.process = str(o.process, 'process');
  if (o.label !== undefined) entry.label = label(o.label);
  if (o.refused !== undefined) entry.refused = str(o.refused, 'refused');
  return entry;
}

export function portSnapshot(value: unknown): PortSnapshot {
  const o = object(value, 'WELCOME');
  return { session: str(o.session, 'session'), ports: list(o.ports, 'ports', portEntry) };
}

export function portChanges(value: unknown): PortChanges {
  const o = object(value, 'PORTS');
  return {
    opened: list(o.opened, 'opened', portInfo),
    closed: list(o.closed, 'closed', (p) => port(p)),
  };
}

export function expose(value: unknown): ExposeRequest {
  const o = object(value, 'EXPOSE');
  const request: ExposeRequest = { port: port(o.port) };
  if (o.label !== undefined) request.label = label(o.label);
  if (o.visibility !== undefined) request.visibility = visibility(o.visibility);
  return request;
}

export function unexpose(value: unknown): UnexposeRequest {
  return { port: port(object(value, 'UNEXPOSE').port) };
}

/** A share link's id as the gateway makes them (base32), at most 32 characters. */
const LINK_ID = /^[a-z2-7]{1,32}$/;

function openViewer(value: unknown): OpenViewer {
  const o = object(value, 'viewer');
  const kind = o.kind;
  if (typeof kind !== 'string' || !(VIEWER_KINDS as readonly string[]).includes(kind)) {
    bad(`viewer.kind must be one of ${VIEWER_KINDS.join(', ')}`);
  }
  if (kind !== 'link') return { kind } as OpenViewer;
  if (typeof o.link !== 'string' || !LINK_ID.test(o.link)) bad('viewer.link must be a link id');
  return { kind, link: o.link };
}

export function open(value: unknown): OpenRequest {
  const o = object(value, 'OPEN');
  const path = str(o.path, 'path');
  if (!path.startsWith('/')) bad('path must start with "/"');
  return {
    port: o.port === REQUEST_LOG_PORT ? REQUEST_LOG_PORT : port(o.port),
    method: str(o.method, 'method'),
    path,
    headers: headers(o.headers),
    host: str(o.host, 'host'),
    hasBody: bool(o.hasBody, 'hasBody'),
    upgrade: bool(o.upgrade, 'upgrade'),
    viewer: openViewer(o.viewer),
    ...tcpOf(o),
  };
}

/** OPEN's `tcp` (v9): absent or a boolean; a raw TCP stream is no upgrade and opens no request-log read. */
function tcpOf(o: Json): { tcp?: true } {
  if (o.tcp === undefined || o.tcp === false) return {};
  if (!bool(o.tcp, 'tcp')) return {};
  if (o.upgrade === true) bad('tcp and upgrade cannot both be true');
  if (o.port === REQUEST_LOG_PORT) bad('tcp needs a port of 1-65535');
  return { tcp: true };
}

export function responseHead(value: unknown): ResponseHead {
  const o = object(value, 'RESPONSE');
  return { status: int(o.status, 'status', 101, 599), headers: headers(o.headers) };
}
