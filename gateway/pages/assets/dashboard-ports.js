// @ts-check
/**
 * Exposing and unexposing ports from the dashboard (after dashboard.js, whose globals it uses):
 * the owner API asks the session's client (202), and the panel redraws when the client's port
 * table changes. A refusal (409 when the session is offline, 400 for a bad port …) is shown.
 */
/* global api, act, say, closest, byId */
'use strict';

const exposeForm = /** @type {HTMLFormElement} */ (byId('expose'));

exposeForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(exposeForm);
  const port = Number(data.get('port'));
  const label = String(data.get('label') ?? '').trim();
  act(async () => {
    await api('POST', '/ports', { port, ...(label ? { label } : {}) });
    exposeForm.reset();
    say(`Asked the session to expose port ${port}: it is listed below once its client has done so.`);
  });
});

document.addEventListener('click', (event) => {
  const button = closest(event, 'button[data-unexpose]');
  if (!button) return;
  const port = button.dataset.unexpose;
  act(async () => {
    await api('DELETE', `/ports/${port}`);
    say(`Asked the session to unexpose port ${port}.`);
  });
});
