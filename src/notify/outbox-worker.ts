/**
 * The notify component. `enqueue` renders a notice, stores the finished message in the
 * outbox and returns: the lock layer never waits for SMTP. The worker loop claims due
 * messages one at a time, hands them to the mailer and records the outcome; a failed
 * delivery is retried with exponential backoff until maxAttempts, then marked failed for
 * good. A message whose sender died mid-delivery is due again when its claim's lease
 * ends, so a crash or restart loses nothing (it may deliver twice; the Message-ID is the
 * same, so the receiver can tell).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Logger } from '../logger.ts';
import type { Component } from '../services/component.ts';
import type { OutboxMessage, OutboxRepository } from '../store/outbox-repository.ts';
import { type ComposedMessage, composeMessage } from './compose-message.ts';
import { createMailer } from './create-mailer.ts';
import { type Mailer, MailerError } from './mailer.ts';
import type { LockNotice } from './notice.ts';
import type { NotifyConfig, RetryConfig } from './notify-config.ts';

export interface OutboxWorkerDeps {
  config: NotifyConfig;
  outbox: OutboxRepository;
  logger: Logger;
  metrics: Registry;
  /** Default: SMTP when config.smtp is set, .eml files in config.outboxDir otherwise. */
  mailer?: Mailer;
  /** Milliseconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

/** Messages handled per wake-up at most, so one round cannot run unbounded. */
const MAX_PER_ROUND = 1000;
const MAX_ERROR_TEXT = 1000;

/** Wait after the given number of failed attempts: initial, doubled each time, capped. */
export function retryDelayMs(attempts: number, retry: Pick<RetryConfig, 'initialDelaySeconds' | 'maxDelaySeconds'>): number {
  const seconds = retry.initialDelaySeconds * 2 ** Math.max(0, attempts - 1);
  return Math.round(Math.min(seconds, retry.maxDelaySeconds) * 1000);
}

function errorText(error: unknown): string {
  const text = error instanceof MailerError ? `${error.code}${error.responseCode !== undefined ? ` ${error.responseCode}` : ''}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}...` : text;
}

export class OutboxWorker implements Component {
  readonly name = 'notify';
  readonly mailer: Mailer;
  readonly #deps: OutboxWorkerDeps;
  readonly #now: () => number;
  readonly #messages: Counter<'state'>;
  readonly #errors: Counter<'code'>;
  readonly #deliverySeconds: Histogram<'mailer'>;
  #started = false;
  #stopping = false;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | null = null;
  #again = false;

  constructor(deps: OutboxWorkerDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.mailer = deps.mailer ?? createMailer(deps.config);
    const registers = [deps.metrics];
    this.#messages = new Counter({
      name: 'netwarden_notify_messages_total',
      help: 'outbox messages by what happened to them: queued, sent, retried (an attempt failed, another follows), failed (for good)',
      labelNames: ['state'],
      registers,
    });
    this.#errors = new Counter({ name: 'netwarden_notify_delivery_errors_total', help: 'failed delivery attempts by error code', labelNames: ['code'], registers });
    this.#deliverySeconds = new Histogram({
      name: 'netwarden_notify_delivery_seconds',
      help: 'time of one delivery attempt',
      labelNames: ['mailer'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
      registers,
    });
    const outbox = deps.outbox;
    new Gauge({
      name: 'netwarden_notify_outbox_messages',
      help: 'messages in the outbox by state',
      labelNames: ['state'],
      registers,
      async collect() {
        try {
          for (const [state, count] of Object.entries(await outbox.countByState())) this.set({ state }, count);
        } catch {
          // The database is away; the scrape still answers with the other metrics.
        }
      },
    });
  }

  /** Renders and builds the message without storing it, for a caller that stores it in its own transaction (then call wake()). */
  compose(notice: LockNotice): Promise<ComposedMessage> {
    const { from, replyTo } = this.#deps.config;
    return composeMessage(notice, { from, now: this.#now(), ...(replyTo !== undefined ? { replyTo } : {}) });
  }

  /** Stores the notice's message as pending and returns its outbox id; delivery happens in the background. */
  async enqueue(notice: LockNotice): Promise<number> {
    const message = await this.compose(notice);
    const id = await this.#deps.outbox.add(message, this.#now());
    this.#messages.inc({ state: 'queued' });
    this.#deps.logger.info({ component: 'notify', outboxId: id, blockingId: notice.blockingId, kind: notice.kind, recipient: message.recipient }, 'notice queued');
    this.wake();
    return id;
  }

  async start(): Promise<void> {
    this.#started = true;
    this.#stopping = false;
    this.#deps.logger.info({ component: 'notify', mailer: this.mailer.kind }, 'notify outbox worker started');
    this.wake();
  }

  /** Waits for the delivery in progress; messages not yet claimed stay pending for the next start. */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#round;
    this.#started = false;
    await this.mailer.close();
  }

  /** Runs a round now (a new message is waiting), or right after the running one. */
  wake(): void {
    if (!this.#started || this.#stopping) return;
    if (this.#round !== null) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#round = (async () => {
      do {
        this.#again = false;
        try {
          await this.runOnce();
        } catch (error) {
          this.#deps.logger.error({ component: 'notify', err: error }, 'outbox round failed');
        }
      } while (this.#again && !this.#stopping);
    })().finally(() => {
      this.#round = null;
      if (!this.#stopping) this.#timer = setTimeout(() => this.wake(), this.#deps.config.retry.pollSeconds * 1000);
    });
  }

  /** Delivers every message due now (bounded); returns how many were attempted. Tests drive the worker with it. */
  async runOnce(): Promise<number> {
    const { sendingLeaseSeconds } = this.#deps.config.retry;
    let attempted = 0;
    while (attempted < MAX_PER_ROUND && !this.#stopping) {
      const now = this.#now();
      const [message] = await this.#deps.outbox.claimDue(now, now + sendingLeaseSeconds * 1000, 1);
      if (message === undefined) break;
      attempted++;
      await this.#deliver(message);
    }
    return attempted;
  }

  async #deliver(message: OutboxMessage): Promise<void> {
    const { outbox, logger, config } = this.#deps;
    const fields = { component: 'notify', outboxId: message.id, blockingId: message.blockingId, kind: message.kind, attempt: message.attempts };
    if (message.attempts > config.retry.maxAttempts) {
      // Only a claim that was interrupted (crash, hang) gets here: every attempt is used up.
      const error = 'interrupted: the sender stopped during the last attempt';
      if (await outbox.markFailed(message.id, message.attempts, error)) this.#failedForGood(fields, error);
      return;
    }
    const begin = performance.now();
    let failure: unknown;
    let response = '';
    try {
      response = (await this.mailer.send(message)).response;
    } catch (error) {
      failure = error ?? new Error('unknown delivery error');
    }
    this.#deliverySeconds.observe({ mailer: this.mailer.kind }, (performance.now() - begin) / 1000);
    if (failure === undefined) {
      await outbox.markSent(message.id, this.#now());
      this.#messages.inc({ state: 'sent' });
      logger.info({ ...fields, recipient: message.recipient, response }, 'notice delivered');
      return;
    }
    const error = errorText(failure);
    this.#errors.inc({ code: failure instanceof MailerError ? failure.code : 'other' });
    if (message.attempts >= config.retry.maxAttempts) {
      if (await outbox.markFailed(message.id, message.attempts, error)) this.#failedForGood(fields, error);
      return;
    }
    const delay = retryDelayMs(message.attempts, config.retry);
    if (await outbox.markRetry(message.id, message.attempts, this.#now() + delay, error)) {
      this.#messages.inc({ state: 'retried' });
      logger.warn({ ...fields, error, retryInSeconds: delay / 1000 }, 'notice delivery failed, will retry');
    }
  }

  #failedForGood(fields: Record<string, unknown>, error: string): void {
    this.#messages.inc({ state: 'failed' });
    this.#deps.logger.error({ ...fields, error }, 'notice delivery failed for good');
  }
}
