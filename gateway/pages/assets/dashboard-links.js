// @ts-check
/**
 * The dashboard's share links (after dashboard.js, whose globals it uses): creating one, with a
 * warning and a one-click fix when its port is private (a link opens only a link or public port),
 * and revoking one after a confirmation in a modal <dialog> (focus starts on Cancel; Escape cancels).
 */
/* global localTime, api, act, say, closest, byId, panel */
'use strict';

/**
 * For a private port (or one not listed yet), a warning and a button that sets it to link, as the
 * CLI warns. @param {number} port @returns {Promise<Node[]>}
 */
async function privateWarning(port) {
  const { ports } = await api('GET', '/ports');
  const visibility = ports.find((/** @type {{ port: number }} */ p) => p.port === port)?.visibility;
  if (visibility !== undefined && visibility !== 'private') return [];
  const warning = document.createElement('p');
  warning.id = 'private-warning';
  warning.textContent = `Port ${port} is private: this link opens it only once the port is set to link.`;
  const button = document.createElement('button');
  button.type = 'button';
  button.dataset.switchLink = String(port);
  button.textContent = `Set port ${port} to link`;
  warning.append(' ', button);
  return [warning];
}

panel.addEventListener('submit', (event) => {
  const form = /** @type {HTMLFormElement | null} */ (closest(event, 'form.share'));
  if (!form) return;
  event.preventDefault();
  const data = new FormData(form);
  const port = Number(form.dataset.port);
  act(async () => {
    const link = await api('POST', '/links', {
      port,
      ttl: Number(data.get('ttl')),
      ...(data.get('label') ? { label: String(data.get('label')) } : {}),
    });
    const label = document.createElement('label');
    label.textContent = `New link to port ${port} (expires ${localTime(link.expiresAt)}):`;
    const input = document.createElement('input');
    input.readOnly = true;
    input.value = link.url;
    input.id = 'new-link';
    label.append(input);
    const copy = document.createElement('button');
    copy.type = 'button';
    copy.textContent = 'Copy';
    copy.dataset.copy = link.url;
    copy.setAttribute('aria-label', 'Copy the new link');
    say('', false, [label, copy, ...(await privateWarning(port))]);
  });
});

const dialog = /** @type {HTMLDialogElement} */ (byId('revoke-dialog'));
/** The link the open dialog asks about. @type {string | null} */
let revoking = null;

document.addEventListener('click', (event) => {
  const revoke = closest(event, 'button[data-revoke]');
  if (revoke) {
    revoking = revoke.dataset.revoke ?? null;
    byId('revoke-text').textContent =
      `Link ${revoking} to port ${revoke.dataset.revokePort} stops working at once for everyone who holds it. ` +
      'This cannot be undone.';
    dialog.returnValue = '';
    dialog.showModal();
    return;
  }
  const toLink = closest(event, 'button[data-switch-link]');
  if (toLink) {
    const port = toLink.dataset.switchLink;
    act(async () => {
      await api('PATCH', `/ports/${port}`, { visibility: 'link' });
      say(`Port ${port} is now link: its links open it.`);
    });
  }
});

dialog.addEventListener('click', (event) => {
  const answer = closest(event, 'button[data-answer]')?.dataset.answer;
  if (answer) dialog.close(answer);
});

// Escape closes the dialog without an answer: only "Revoke link" revokes.
dialog.addEventListener('close', () => {
  const id = revoking;
  revoking = null;
  if (dialog.returnValue !== 'revoke' || !id) return;
  act(async () => {
    await api('DELETE', `/links/${id}`);
    say(`Link ${id} revoked.`);
  });
});
