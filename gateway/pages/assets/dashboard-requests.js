// @ts-check
/**
 * The dashboard's requests panel (after dashboard.js, whose globals it uses): a live list of what
 * reached the session's ports, from the client's request log through the owner API
 * (`GET /api/sessions/<s>/requests?follow=1`, NDJSON, read with fetch and a stream reader and the
 * page token). A summary comes when a request's head does (`state: open`) and again when it ends:
 * rows are updated by id, newest on top, at most MAX_ROWS. The follow ends when the page token it
 * was opened with does (or the gateway's bound, or a dropped connection) and is opened again with
 * backoff; each connection starts over from the log's newest MAX_ROWS, since a restarted client
 * numbers its requests from 1 again. Clicking a request shows it in full
 * (dashboard-request-detail.js). Everything from the log
 * is untrusted and set as text only.
 */
/* global setTimeout, CSS, URLSearchParams, TextDecoder, AbortController, HTMLElement, renew, ended, byId, session, token, signedOut, formatBytes, viewerText, statusText, rowTime, showDetail */
'use strict';

/** Rows kept in the page at most; the oldest go first. */
const MAX_ROWS = 500;
/** Reconnect delays, in milliseconds: doubling from the first to the last. */
const BACKOFF_MS = [1000, 30_000];

const requestRows = /** @type {HTMLTableSectionElement} */ (byId('requests-rows'));
const requestFilter = /** @type {HTMLFormElement} */ (byId('requests-filter'));
const requestState = byId('requests-live');
const requestCount = byId('requests-count');
const requestsEmpty = byId('requests-empty');

/** @typedef {{ id: number, time: string, port: number, method: string, path: string, viewer: { kind: string, link?: string }, state: string, status: number | null, headMs: number | null, totalMs: number | null, bytesIn: number, bytesOut: number, error?: { code: string, message: string } }} Summary */

/** The rows shown, by request id. @type {Map<number, HTMLTableRowElement>} */
const shown = new Map();
/** The follow now open, to stop it when the filters change. @type {AbortController | null} */
let following = null;
let delay = BACKOFF_MS[0] ?? 1000;

/** @param {string} text @param {string} [className] */
function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

/** A link's label as the page's links table shows it, when the link is still listed. @param {string} id */
function linkLabel(id) {
  const label = document.querySelector(`tr[data-link-row="${CSS.escape(id)}"] td:nth-child(3)`)?.textContent;
  return label?.replace(/^Label/, '').trim() || undefined;
}

/** A row for `summary`, made anew (its cells are text only). @param {Summary} summary */
function rowOf(summary) {
  const tr = document.createElement('tr');
  tr.dataset.requestId = String(summary.id);
  tr.dataset.state = summary.state;
  const path = document.createElement('button');
  path.type = 'button';
  path.className = 'request-path';
  path.dataset.request = String(summary.id);
  path.textContent = summary.path;
  path.setAttribute('aria-label', `Show request ${summary.id}: ${summary.method} ${summary.path}`);
  const pathCell = document.createElement('td');
  pathCell.append(path);
  const viewer = viewerText(summary.viewer, summary.viewer.link ? linkLabel(summary.viewer.link) : undefined);
  const ms = summary.totalMs ?? summary.headMs;
  tr.append(
    cell(rowTime(summary.time)),
    cell(String(summary.port)),
    cell(viewer),
    cell(summary.method),
    pathCell,
    cell(statusText(summary), summary.error || (summary.status ?? 0) >= 500 ? 'bad' : ''),
    cell(ms === null ? '…' : `${Math.round(ms)}`),
    cell(`${formatBytes(summary.bytesIn)} / ${formatBytes(summary.bytesOut)}`),
  );
  return tr;
}

/** Show `summary`: a new row on top, or its row replaced. @param {unknown} line */
function upsert(line) {
  const summary = /** @type {Summary} */ (line);
  if (typeof summary !== 'object' || summary === null || !Number.isSafeInteger(summary.id)) return;
  const row = rowOf(summary);
  const old = shown.get(summary.id);
  if (old) old.replaceWith(row);
  else {
    // Newest on top: before the first row, in the page's order, with a smaller id (the map's
    // order is arrival, not the page's: a backlog comes oldest first).
    const before = [...requestRows.rows].find((tr) => Number(tr.dataset.requestId) < summary.id) ?? null;
    requestRows.insertBefore(row, before);
  }
  shown.set(summary.id, row);
  while (shown.size > MAX_ROWS) {
    const oldest = Math.min(...shown.keys());
    shown.get(oldest)?.remove();
    shown.delete(oldest);
  }
  requestCount.textContent = String(shown.size);
  requestsEmpty.hidden = shown.size > 0;
}

/** The filter form's query (port, status class). */
function filterQuery() {
  const data = new FormData(requestFilter);
  const query = new URLSearchParams({ follow: '1', limit: String(MAX_ROWS) });
  const port = String(data.get('port') ?? '').trim();
  const status = String(data.get('status') ?? '');
  if (port) query.set('port', port);
  if (status) query.set('status', status);
  return query;
}

/**
 * Follow the log until it ends or `stop` aborts; true when it delivered (the backoff starts over).
 * @param {AbortSignal} stop
 */
async function followOnce(stop) {
  const query = filterQuery();
  const response = await fetch(`/api/sessions/${session}/requests?${query}`, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' },
    signal: stop,
  });
  if (!response.ok || !response.body) {
    const data = await response.json().catch(() => ({}));
    if (response.status === 401 && data.error === 'signed_out') ended(data.message);
    else if (response.status === 401) await renew();
    requestState.textContent = data.message || `The gateway answered ${response.status}.`;
    return false;
  }
  requestState.textContent = 'live';
  // The backlog is the log as it is now: request ids start again at 1 when the client restarts.
  clearRows();
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let rest = '';
  let delivered = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    rest += decoder.decode(value, { stream: true });
    const lines = rest.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        upsert(JSON.parse(line));
        delivered = true;
      } catch {
        // A line that is not JSON (a hostile client's) is skipped.
      }
    }
    // A client that never sends a newline is not buffered without bound.
    if (rest.length > 1024 * 1024) rest = '';
  }
  return delivered;
}

/** Follow, and follow again with backoff whenever it ends, until the filters change or the login ends. */
async function followLoop() {
  following?.abort();
  const stop = new AbortController();
  following = stop;
  while (!stop.signal.aborted && !signedOut) {
    const started = Date.now();
    let delivered = false;
    try {
      delivered = await followOnce(stop.signal);
    } catch {
      // Dropped (network, the gateway's bound): opened again below.
    }
    if (stop.signal.aborted || signedOut) return;
    // Ended cleanly after a while (the page token's end, the gateway's bound): at once; else back off.
    if (delivered || Date.now() - started > 10_000) delay = BACKOFF_MS[0] ?? 1000;
    else delay = Math.min(delay * 2, BACKOFF_MS[1] ?? 30_000);
    requestState.textContent = 'reconnecting…';
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

requestRows.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button[data-request]') : null;
  if (button instanceof HTMLElement && button.dataset.request) void showDetail(button.dataset.request);
});
requestFilter.addEventListener('submit', (event) => event.preventDefault());
/** Empty the list. */
function clearRows() {
  shown.clear();
  requestRows.replaceChildren();
  requestCount.textContent = '0';
  requestsEmpty.hidden = false;
}

requestFilter.addEventListener('change', () => {
  clearRows();
  delay = BACKOFF_MS[0] ?? 1000;
  void followLoop();
});
void followLoop();
