/**
 * A message to the customer (or the history) and the buttons that decide: approve or
 * reject, confirm or dismiss, confirm or decline. The API names what is missing (a
 * rejection needs a reason); that shows at the message field.
 */
import { useState } from 'react';
import { apiSend } from '../api/api-client.ts';
import { TextArea } from '../components/fields.tsx';
import { ErrorSummary } from '../components/form-messages.tsx';
import { problemOf, useForm } from '../components/use-form.ts';
import { localizeProblems } from '../i18n/field-messages.ts';
import { useI18n } from '../i18n/i18n.tsx';

export interface Choice {
  /** The body's `decision` value, or undefined for endpoints without one (close). */
  decision?: string;
  label: string;
  tone: 'primary' | 'danger' | 'plain';
}

export function DecisionForm<T>({
  id,
  path,
  messageLabel,
  choices,
  onDone,
}: {
  id: string;
  path: string;
  messageLabel: string;
  choices: Choice[];
  onDone(result: T, choice: Choice): void;
}) {
  const i18n = useI18n();
  const [message, setMessage] = useState('');
  const form = useForm();
  const problems = localizeProblems(i18n, form.problems);
  const decide = async (choice: Choice) => {
    const body = choice.decision === undefined ? { message } : { decision: choice.decision, message };
    const result = await form.submit(() => apiSend<T>('POST', path, body));
    if (result !== undefined) {
      setMessage('');
      onDone(result, choice);
    }
  };
  return (
    <div className="decision">
      <ErrorSummary problems={problems} error={form.error} labels={{ message: messageLabel, decision: messageLabel }} idPrefix={`${id}-`} />
      <TextArea id={`${id}-message`} label={messageLabel} rows={2} value={message} onChange={setMessage} error={problemOf(problems, 'message')} />
      <div className="buttons">
        {choices.map((c) => (
          <button key={c.label} type="button" className={c.tone} disabled={form.busy} onClick={() => void decide(c)}>
            {c.label}
          </button>
        ))}
      </div>
    </div>
  );
}
