/**
 * Starts components in order and stops them in reverse, so nothing is stopped while a
 * component that depends on it still runs. A failed start stops what already started.
 */
import type { Logger } from '../logger.ts';
import type { Component } from './component.ts';

export class ComponentRunner {
  readonly #components: Component[];
  readonly #logger: Logger;
  readonly #started: Component[] = [];
  #stopping: Promise<void> | null = null;

  constructor(components: Component[], logger: Logger) {
    this.#components = components;
    this.#logger = logger;
  }

  async start(): Promise<void> {
    for (const component of this.#components) {
      const begin = performance.now();
      try {
        await component.start();
      } catch (cause) {
        this.#logger.error({ component: component.name, err: cause }, 'component failed to start');
        await this.stop();
        throw new Error(`${component.name} failed to start: ${(cause as Error).message}`, { cause });
      }
      this.#started.push(component);
      this.#logger.info({ component: component.name, ms: Math.round(performance.now() - begin) }, 'component started');
    }
  }

  /** Idempotent: a second signal while stopping waits for the same shutdown. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      while (this.#started.length > 0) {
        const component = this.#started.pop()!;
        try {
          await component.stop();
          this.#logger.info({ component: component.name }, 'component stopped');
        } catch (error) {
          this.#logger.error({ component: component.name, err: error }, 'component failed to stop cleanly');
        }
      }
    })();
    return this.#stopping;
  }
}
