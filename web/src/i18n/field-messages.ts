/**
 * The API names problems in English ("is required: describe the cause you found").
 * German readers get the common kinds translated, with the form's own hint for the
 * field where there is one; anything else is shown as the API sent it.
 */
import type { I18n, MessageKey } from './i18n.tsx';

export function localizeFieldMessage(i18n: I18n, message: string, hint?: MessageKey): string {
  if (i18n.language === 'en') return message;
  const hintText = hint === undefined ? '' : `: ${i18n.t(hint)}`;
  if (/^is required\b/.test(message)) return i18n.t('field.required') + hintText;
  const short = /^needs at least (\d+) characters/.exec(message);
  if (short !== null) return i18n.t('field.tooShort', { min: short[1] }) + hintText;
  const long = /^must be at most ([\d,.]+) characters/.exec(message);
  if (long !== null) return i18n.t('field.tooLong', { max: long[1] });
  return message;
}

/** The API's problems in the reader's language, hints per field. */
export function localizeProblems(
  i18n: I18n,
  problems: ReadonlyArray<{ field: string; message: string }>,
  hints: Record<string, MessageKey> = {},
): Array<{ field: string; message: string }> {
  return problems.map((p) => ({ field: p.field, message: localizeFieldMessage(i18n, p.message, hints[p.field]) }));
}
