/**
 * Labelled form fields. Help and the field's problem sit between label and control (read
 * before the control, visible next to it), tied to the control with
 * aria-describedby and mark the control aria-invalid, so screen readers announce it too.
 */
import type { ChangeEvent, ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';

interface Common {
  id: string;
  label: string;
  error?: string;
  help?: string;
  required?: boolean;
}

function describedBy(id: string, error?: string, help?: string): string | undefined {
  const ids = [help !== undefined ? `${id}-help` : '', error !== undefined ? `${id}-error` : ''].filter(Boolean);
  return ids.length === 0 ? undefined : ids.join(' ');
}

function Label({ id, label, required }: Pick<Common, 'id' | 'label' | 'required'>) {
  const { t } = useI18n();
  return (
    <label htmlFor={id}>
      {label} {required === true ? <span className="muted">{t('app.required')}</span> : null}
    </label>
  );
}

function Below({ id, error, help }: Pick<Common, 'id' | 'error' | 'help'>) {
  return (
    <>
      {help !== undefined ? (
        <p className="help" id={`${id}-help`}>
          {help}
        </p>
      ) : null}
      {error !== undefined ? (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </>
  );
}

export function TextField(props: Common & { value: string; onChange(value: string): void; type?: string; autoComplete?: string; placeholder?: string }) {
  const { id, error, help } = props;
  return (
    <div className={error !== undefined ? 'field invalid' : 'field'}>
      <Label {...props} />
      <Below {...props} />
      <input
        id={id}
        name={id}
        type={props.type ?? 'text'}
        value={props.value}
        autoComplete={props.autoComplete}
        placeholder={props.placeholder}
        aria-invalid={error !== undefined}
        aria-required={props.required}
        aria-describedby={describedBy(id, error, help)}
        onChange={(e: ChangeEvent<HTMLInputElement>) => props.onChange(e.target.value)}
      />
    </div>
  );
}

export function TextArea(props: Common & { value: string; onChange(value: string): void; rows?: number }) {
  const { id, error, help } = props;
  return (
    <div className={error !== undefined ? 'field invalid' : 'field'}>
      <Label {...props} />
      <Below {...props} />
      <textarea
        id={id}
        name={id}
        rows={props.rows ?? 4}
        value={props.value}
        aria-invalid={error !== undefined}
        aria-required={props.required}
        aria-describedby={describedBy(id, error, help)}
        onChange={(e: ChangeEvent<HTMLTextAreaElement>) => props.onChange(e.target.value)}
      />
    </div>
  );
}

export function SelectField(props: Common & { value: string; onChange(value: string): void; children: ReactNode }) {
  const { id, error, help } = props;
  return (
    <div className={error !== undefined ? 'field invalid' : 'field'}>
      <Label {...props} />
      <Below {...props} />
      <select
        id={id}
        name={id}
        value={props.value}
        aria-invalid={error !== undefined}
        aria-required={props.required}
        aria-describedby={describedBy(id, error, help)}
        onChange={(e: ChangeEvent<HTMLSelectElement>) => props.onChange(e.target.value)}
      >
        {props.children}
      </select>
    </div>
  );
}

export function CheckboxField(props: Common & { checked: boolean; onChange(checked: boolean): void }) {
  const { id, error, help } = props;
  return (
    <div className={error !== undefined ? 'field checkbox invalid' : 'field checkbox'}>
      <input
        id={id}
        name={id}
        type="checkbox"
        checked={props.checked}
        aria-invalid={error !== undefined}
        aria-required={props.required}
        aria-describedby={describedBy(id, error, help)}
        onChange={(e: ChangeEvent<HTMLInputElement>) => props.onChange(e.target.checked)}
      />
      <label htmlFor={id}>{props.label}</label>
      <Below {...props} />
    </div>
  );
}
