/** Small labelled states: a lock's state, a request's state, the plain "is it locked?" answer. */
import type { LockState, LockStatus } from '../api/api-types.ts';
import { type MessageKey, useI18n } from '../i18n/i18n.tsx';

const TONE: Record<LockState, string> = {
  review: 'warn',
  active: 'bad',
  unblock_requested: 'warn',
  released: 'good',
  dismissed: 'neutral',
  notified: 'neutral',
};

export function LockStateBadge({ state }: { state: LockState }) {
  const { t } = useI18n();
  return <span className={`badge ${TONE[state]}`}>{t(`state.${state}` as MessageKey)}</span>;
}

export function Badge({ tone, children }: { tone: 'good' | 'bad' | 'warn' | 'neutral'; children: string }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

/** The answer to "is my server locked?" in one sentence, coloured by the answer. */
export function LockAnswer({ serverName, status, addresses }: { serverName: string; status: LockStatus; addresses: string[] }) {
  const { t } = useI18n();
  const tone = status.status === 'not_locked' ? 'good' : 'bad';
  return (
    <div className={`answer ${tone}`} data-testid={`lock-answer-${status.serverId}`}>
      <p className="answer-question">{t('answer.question', { server: serverName })}</p>
      <p className="answer-text">{t(`answer.${status.status}`, { server: serverName, addresses: addresses.join(', ') })}</p>
    </div>
  );
}
