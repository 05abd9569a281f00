// A one-paragraph explanation that opens in place (a native <details>: keyboard and screen-reader friendly).

import type { Explanation } from '../model/explanations.ts';

export function Explain({ explanation, testId }: { explanation: Explanation; testId?: string }) {
  return (
    <details className="explain" data-testid={testId}>
      <summary>
        <span className="explain-icon" aria-hidden="true">
          ?
        </span>
        {explanation.title}
      </summary>
      <p>{explanation.text}</p>
    </details>
  );
}
