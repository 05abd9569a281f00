// A text input with a length limit that says when it cut something: a long paste is kept up to the limit and
// a note under the field tells how much was left out (a maxLength attribute would cut it silently). Enter can
// run an action (apply the edit).

import { useId, useState, type InputHTMLAttributes } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value' | 'maxLength'> {
  value: string;
  limit: number;
  onValue: (text: string) => void;
  onEnter?: () => void;
}

export function LimitedInput({ value, limit, onValue, onEnter, ...rest }: Props) {
  const [cut, setCut] = useState<number | null>(null);
  const noteId = useId();
  return (
    <>
      <input
        {...rest}
        value={value}
        aria-describedby={cut !== null ? noteId : rest['aria-describedby']}
        onChange={(e) => {
          const text = e.target.value;
          if (text.length > limit) {
            setCut(text.length);
            onValue(text.slice(0, limit));
          } else {
            if (cut !== null && text.length < limit) setCut(null);
            onValue(text);
          }
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && onEnter && !e.nativeEvent.isComposing) {
            e.preventDefault();
            onEnter();
          }
          rest.onKeyDown?.(e);
        }}
      />
      {cut !== null && (
        <span className="field-note" id={noteId} role="status" data-testid="input-cut">
          Cut to {limit} characters: the text had {cut.toLocaleString('en')}, the rest was left out.
        </span>
      )}
    </>
  );
}
