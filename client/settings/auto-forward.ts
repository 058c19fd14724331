/**
 * devcontainer's `onAutoForward`, acted on when the agent reports a port:
 * `notify` (the default) prints the usual line; `silent` prints nothing (the
 * port still gets its URL, shown in the live table, `ports` and the events);
 * `openBrowser` (every time the port opens), `openBrowserOnce` (the first
 * time in a run) and `openPreview` (no preview pane here: a browser) open
 * the owner's URL — for a port only the owner may open, the one-time login
 * link, when the agent offers it. Only when opening is allowed (stdout is a
 * terminal, or --open) and an opener exists; when none does, it says so once.
 * `ignore` is the port watcher's business (rules.ts): such a port never opens.
 */
import type { AgentEvent } from '../events';
import type { Opener } from './opener';
import type { PortRulesOf } from './rules';

export interface AutoForwardOptions {
  /** The rules in force (read on every event: settings reload). */
  rules(): PortRulesOf;
  /** Whether to open browsers at all: stdout is a terminal, or --open was given. */
  allowed: boolean;
  /** The opener; null when the machine has none (then `say` is told once). */
  opener: Opener | null;
  /** Opens a URL with the opener. */
  launch(opener: Opener, url: string): void;
  /** One line for the user, e.g. that no browser can be opened. */
  say(line: string): void;
}

const OPENING = new Set(['openBrowser', 'openBrowserOnce', 'openPreview']);

export class AutoForward {
  readonly #options: AutoForwardOptions;
  /** Ports opened in a browser this run (for openBrowserOnce). */
  readonly #opened = new Set<number>();
  /** Ports waiting for their one-time login link before the browser opens. */
  readonly #pending = new Set<number>();
  /** Ports whose login link was given this run: the browser holds the owner's cookie, the plain URL does. */
  readonly #loggedIn = new Set<number>();
  /** Ports open now: a port.open for one of them is a change (a relabel, another process), not an opening. */
  readonly #listening = new Set<number>();
  #toldNoOpener = false;

  constructor(options: AutoForwardOptions) {
    this.#options = options;
  }

  /** Whether a human line should be printed for this event (not for a `silent` port's open and login lines). */
  shouldPrint(event: AgentEvent): boolean {
    if (event.event !== 'port.open' && event.event !== 'port.login') return true;
    const process = event.event === 'port.open' && event.process ? { name: event.process } : {};
    return this.#options.rules()(event.port, process).onAutoForward !== 'silent';
  }

  /** React to one event: open a browser where the port's onAutoForward asks for one. */
  onEvent(event: AgentEvent): void {
    if (event.event === 'port.login') {
      this.#loggedIn.add(event.port);
      if (this.#pending.delete(event.port)) this.#open(event.port, event.url);
      return;
    }
    if (event.event === 'port.close') {
      this.#pending.delete(event.port);
      this.#listening.delete(event.port);
      return;
    }
    if (event.event !== 'port.open' || this.#listening.has(event.port)) return;
    this.#listening.add(event.port);
    const { onAutoForward } = this.#options.rules()(event.port, event.process ? { name: event.process } : {});
    if (!OPENING.has(onAutoForward)) return;
    if (onAutoForward === 'openBrowserOnce' && this.#opened.has(event.port)) return;
    if (event.visibility === 'public' || this.#loggedIn.has(event.port)) this.#open(event.port, event.url);
    else this.#pending.add(event.port);
  }

  #open(port: number, url: string): void {
    this.#opened.add(port);
    if (!this.#options.allowed) return;
    if (this.#options.opener) {
      this.#options.launch(this.#options.opener, url);
    } else if (!this.#toldNoOpener) {
      this.#toldNoOpener = true;
      this.#options.say(
        `port ${port} asks to open a browser (onAutoForward), but none can be opened here: set $BROWSER or install xdg-open`,
      );
    }
  }
}
