/**
 * The port watcher's filter with the settings' ignore rules in front: a
 * port the settings ignore (onAutoForward "ignore", a porthole.json ignore
 * rule) is left out by port, by range, by process name or by a
 * regular-expression key matching the process name, which only the watcher
 * knows when it scans. Read on every scan, so a reload applies at the next one.
 */
import { PortFilter } from '../ports/filters';
import type { PortRulesOf } from './rules';

export class SettingsFilter extends PortFilter {
  readonly #inner: PortFilter;
  readonly #rules: PortRulesOf;

  /** `inner`: the flags' filter; `rules`: the settings in force (looked up on every call). */
  constructor(inner: PortFilter, rules: PortRulesOf) {
    super({ ephemeralRange: [0, 0] });
    this.#inner = inner;
    this.#rules = rules;
  }

  override reject(port: number, name: string | undefined): string | null {
    if (this.#rules(port, name === undefined ? {} : { name }).ignore) return 'ignored by the settings';
    return this.#inner.reject(port, name);
  }

  /** Why a port is not announced, for a person: the settings' ignore, else the flags' filter's reason (its own ephemeral range). */
  override explain(port: number, name: string | undefined): string | null {
    if (this.#rules(port, name === undefined ? {} : { name }).ignore) {
      return "the repository's settings ignore it (onAutoForward: ignore, or an ignore rule in porthole.json)";
    }
    return this.#inner.explain(port, name);
  }
}
