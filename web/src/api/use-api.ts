/** Loads an API resource for a component: data, error, loading, reload; optional polling. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet } from './api-client.ts';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** When the data was last loaded (ms). */
  loadedAt: number | undefined;
  reload(): void;
}

export function useApi<T>(path: string | null, options: { pollMs?: number; load?: (path: string) => Promise<T> } = {}): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean; loadedAt?: number }>({ loading: path !== null });
  const [generation, setGeneration] = useState(0);
  const load = useRef(options.load ?? apiGet<T>);
  load.current = options.load ?? apiGet<T>;

  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load.current(path).then(
      (data) => live && setState({ data, loading: false, loadedAt: Date.now() }),
      (error: unknown) => live && setState((s) => ({ ...s, error: error instanceof Error ? error : new Error(String(error)), loading: false })),
    );
    return () => {
      live = false;
    };
  }, [path, generation]);

  useEffect(() => {
    if (path === null || options.pollMs === undefined) return;
    const timer = window.setInterval(() => {
      // A hidden tab does not poll; it catches up when shown again.
      if (document.visibilityState === 'visible') setGeneration((g) => g + 1);
    }, options.pollMs);
    return () => window.clearInterval(timer);
  }, [path, options.pollMs]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, loadedAt: state.loadedAt, reload };
}
