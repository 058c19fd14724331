/**
 * Keeps the settings current: watches the folders discover() names (not the
 * files: editors save by renaming, and a file created later must be seen),
 * and after a burst of changes has been quiet for `debounceMs` searches and
 * reads again. Only a real change (another file found, or other contents)
 * reaches `onChange`; a touch or an unrelated file in the same folder does not.
 */
import { type FSWatcher, watch } from 'node:fs';
import { debuglog } from 'node:util';
import { discover, type Found } from './discover';
import { type LoadResult, SettingsLoader } from './load';

const log = debuglog('porthole');

export interface SettingsWatcherOptions {
  /** Where the search starts and what names are relative to (default: the working folder). */
  cwd?: string;
  /** Quiet milliseconds after the last file event before reading again (default 200). */
  debounceMs?: number;
  /** Called with every reading whose files or contents changed (never with the first: start() returns it). */
  onChange(result: LoadResult): void;
}

export class SettingsWatcher {
  readonly #options: SettingsWatcherOptions;
  readonly #loader: SettingsLoader;
  readonly #watchers = new Map<string, FSWatcher>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(options: SettingsWatcherOptions) {
    this.#options = options;
    this.#loader = new SettingsLoader(options.cwd);
  }

  /** The first reading; from now on, changes go to `onChange` until stop(). */
  start(): LoadResult {
    return this.#read();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
  }

  #read(): LoadResult {
    const found = discover(this.#options.cwd);
    this.#watch(found);
    return this.#loader.load(found);
  }

  /** Watch exactly the folders `found` names: new ones added, ones no longer named closed. */
  #watch(found: Found): void {
    const wanted = new Set(found.watch);
    for (const [folder, watcher] of this.#watchers) {
      if (!wanted.has(folder)) {
        watcher.close();
        this.#watchers.delete(folder);
      }
    }
    for (const folder of wanted) {
      if (this.#watchers.has(folder)) continue;
      try {
        const watcher = watch(folder, { persistent: false }, () => this.#changed());
        // A watched folder removed (or the watch lost): read again, which watches what exists now.
        watcher.on('error', (error) => {
          log('settings: watching %s failed: %s', folder, error.message);
          watcher.close();
          this.#watchers.delete(folder);
          this.#changed();
        });
        this.#watchers.set(folder, watcher);
      } catch (error) {
        // Gone between the search and now, or not ours to watch: the next reading tries again.
        log('settings: cannot watch %s: %s', folder, (error as Error).message);
      }
    }
  }

  #changed(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.#stopped) return;
      const result = this.#read();
      if (result.changed) this.#options.onChange(result);
    }, this.#options.debounceMs ?? 200);
    this.#timer.unref();
  }
}
