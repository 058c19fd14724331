// @ts-check
/**
 * The requests panel's detail view (before dashboard-requests.js, after dashboard.js, whose globals
 * it uses): one request in full from the client's request log (`GET /api/sessions/<s>/requests/<id>`
 * with the page token): its headers (the client redacted credentials) and bodies, text in a <pre>,
 * binary as its size and SHA-256, a truncated body marked. Everything is untrusted and set as text.
 */
/* global api, byId, formatBytes, viewerText, statusText, rowTime */
/* exported showDetail */
'use strict';

const requestDetail = byId('request-detail');

/** @param {string} text @param {string} [tag] */
function textElement(text, tag = 'p') {
  const element = document.createElement(tag);
  element.textContent = text;
  return element;
}

/** A header block as a table of text cells. @param {string} title @param {[string, string][]} headers */
function headerTable(title, headers) {
  const table = document.createElement('table');
  table.className = 'headers';
  table.append(textElement(title, 'caption'));
  for (const [name, value] of headers) {
    const tr = document.createElement('tr');
    tr.append(textElement(name, 'th'), textElement(value, 'td'));
    table.append(tr);
  }
  return table;
}

/** A body: text in a <pre>, binary as its size and SHA-256; truncation marked. @param {string} title @param {any} body */
function bodyBlock(title, body) {
  const block = document.createElement('div');
  block.className = 'body';
  block.append(textElement(title, 'h4'));
  if (!body || body.bytes === 0) {
    block.append(textElement('(no body)'));
    return block;
  }
  if (typeof body.text === 'string') block.append(textElement(body.text, 'pre'));
  else block.append(textElement(`binary, ${formatBytes(body.captured)} kept, SHA-256 ${body.sha256}`));
  if (body.truncated) {
    const note = textElement(`truncated: the first ${formatBytes(body.captured)} of ${formatBytes(body.bytes)}`);
    note.className = 'truncated';
    block.append(note);
  }
  return block;
}

/** Show request `id` in full below the list. @param {string} id */
async function showDetail(id) {
  requestDetail.hidden = false;
  requestDetail.replaceChildren(textElement(`Loading request ${id}…`));
  let record;
  try {
    record = await api('GET', `/requests/${encodeURIComponent(id)}`);
  } catch (error) {
    requestDetail.replaceChildren(textElement(error instanceof Error ? error.message : String(error)));
    return;
  }
  const close = document.createElement('button');
  close.type = 'button';
  close.dataset.closeDetail = '';
  close.textContent = 'Close';
  const title = textElement(`${record.method} ${record.path} → ${statusText(record)}`, 'h3');
  const facts = textElement(
    `Request ${record.id} · port ${record.port} · ${viewerText(record.viewer)} · ${rowTime(record.time)}` +
      (record.error ? ` · ${record.error.code}: ${record.error.message}` : ''),
  );
  const request = record.request ?? { headers: [] };
  const response = record.response;
  requestDetail.replaceChildren(
    close,
    title,
    facts,
    headerTable('Request headers', request.headers ?? []),
    bodyBlock('Request body', request.body),
    ...(response
      ? [headerTable('Response headers', response.headers ?? []), bodyBlock('Response body', response.body)]
      : [textElement('No response head (Porthole answered, or none came).')]),
  );
  close.focus();
}

requestDetail.addEventListener('click', (event) => {
  if (event.target instanceof Element && event.target.closest('button[data-close-detail]')) {
    requestDetail.hidden = true;
    requestDetail.replaceChildren();
  }
});
