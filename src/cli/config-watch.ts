/**
 * Calls back when the config file changes, once per burst of changes. It watches the
 * directory, not the file: editors and config tools save by writing a new file and renaming it
 * over the old one, after which a watch on the old file would hear nothing more. The debounce
 * lets a save that takes several writes finish before the file is read.
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';

export interface ConfigWatcher {
  close(): void;
}

export function watchConfigFile(file: string, onChange: () => void, { debounceMs = 300, onError = (_error: Error) => {} } = {}): ConfigWatcher {
  const name = path.basename(file);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    watcher = watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, changed) => {
      // Some platforms do not say which file changed: then any change might be ours.
      if (changed !== null && changed !== name) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
    });
  } catch (error) {
    onError(error as Error);
    return { close: () => {} };
  }
  watcher.on('error', onError);
  return {
    close() {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
