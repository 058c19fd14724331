/**
 * The repository's settings for a running client: read once before the agent
 * starts (its first port scan needs the rules), then watched; each change is
 * turned into actions (diff.ts) and applied to the agent, and reported as a
 * `settings.reloaded` or `settings.error` event.
 */
import type { Visibility } from '../../protocol';
import type { AgentEvent } from '../events';
import { describeAction, diffSettings, type SettingsAction } from './diff';
import type { LoadResult } from './load';
import { type PortRulesOf, portRules } from './rules';
import { emptySettings, type Settings } from './types';
import { SettingsWatcher } from './watch';

/** What the settings act on: the agent's runtime expose and port rules. */
export interface SettingsTarget {
  /** Expose a port (whether or not anything listens), with the settings as its source. */
  expose(port: number, options: { label?: string; visibility?: Visibility }): void;
  unexpose(port: number): void;
  /** The per-port rules changed: read them again (labels, visibility of new ports, ignore). */
  rulesChanged(): void;
  /** The ports whose origin sees the public Host. */
  setPreserveHost(ports: number[] | 'all'): void;
}

export interface RepositorySettingsOptions {
  /** Where the search starts (default: the working folder). */
  cwd?: string;
  /** Quiet milliseconds after a file event before reading again (default 200). */
  debounceMs?: number;
  /** Receives settings.reloaded and settings.error events. */
  emit(event: AgentEvent): void;
}

export class RepositorySettings {
  readonly #options: RepositorySettingsOptions;
  readonly #watcher: SettingsWatcher;
  #settings: Settings = emptySettings();
  #rules: PortRulesOf = portRules(emptySettings());
  #first: LoadResult | null = null;
  #target: SettingsTarget | null = null;

  constructor(options: RepositorySettingsOptions) {
    this.#options = options;
    this.#watcher = new SettingsWatcher({
      cwd: options.cwd,
      debounceMs: options.debounceMs,
      onChange: (result) => this.#apply(result),
    });
  }

  /** Read the files (synchronously): `settings` and `rules` hold them from now on. */
  start(): void {
    const result = this.#watcher.start();
    this.#first = result;
    this.#settings = result.settings;
    this.#rules = portRules(result.settings);
  }

  /** The settings in force. */
  get settings(): Settings {
    return this.#settings;
  }

  /** The rules in force, looked up on every call (a reload replaces them). */
  readonly rules: PortRulesOf = (port, process) => this.#rules(port, process);

  /**
   * Apply the settings in force to `target` (forwardPorts exposed, rules set; call it before the
   * agent's first connection), then every change until stop() or the next attach (a new agent).
   * The first attach also reports the first reading.
   */
  attach(target: SettingsTarget): void {
    this.#target = target;
    const actions = diffSettings(emptySettings(), this.#settings);
    for (const action of actions) this.#do(target, action);
    const first = this.#first;
    this.#first = null;
    if (first) this.#report(first, actions, true);
  }

  stop(): void {
    this.#watcher.stop();
    this.#target = null;
  }

  #apply(result: LoadResult): void {
    const actions = diffSettings(this.#settings, result.settings);
    this.#settings = result.settings;
    this.#rules = portRules(result.settings);
    if (this.#target) for (const action of actions) this.#do(this.#target, action);
    this.#report(result, actions);
  }

  #do(target: SettingsTarget, action: SettingsAction): void {
    switch (action.kind) {
      case 'expose': {
        const { kind: _kind, port, ...options } = action;
        target.expose(port, options);
        break;
      }
      case 'unexpose':
        target.unexpose(action.port);
        break;
      case 'rules':
        target.rulesChanged();
        break;
      case 'preserveHost':
        target.setPreserveHost(action.ports);
        break;
    }
  }

  /** Errors first; then what is in force, unless nothing changed but a file going bad (or, at start, there is nothing). */
  #report(result: LoadResult, actions: SettingsAction[], initial = false): void {
    for (const { file, problems } of result.errors) this.#options.emit({ event: 'settings.error', file, problems });
    const quiet = initial
      ? result.settings.files.length === 0 && result.warnings.length === 0
      : result.errors.length > 0 && actions.length === 0;
    if (quiet) return;
    this.#options.emit({
      event: 'settings.reloaded',
      files: result.settings.files,
      changes: actions.map(describeAction),
      warnings: result.warnings,
    });
  }
}
