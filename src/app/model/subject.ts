// The subject inside the prompt, for the edit panel: which characters to highlight and what to warn about.
// The engine keys ROME (and reports) on the subject's LAST occurrence (src/editors/request.ts uses
// lastIndexOf, case-sensitive), so that is the occurrence marked as used.

export interface PromptSegment {
  text: string;
  /** 'used': the occurrence the editor keys on; 'other': an earlier occurrence; null: plain prompt text. */
  subject: 'used' | 'other' | null;
}

export interface SubjectCheck {
  segments: PromptSegment[];
  found: boolean;
  /** Sentences for the user: a missing subject, a case mismatch, a target without its leading space. */
  warnings: string[];
}

export function occurrences(prompt: string, subject: string): number[] {
  const at: number[] = [];
  if (!subject) return at;
  for (let i = prompt.indexOf(subject); i >= 0; i = prompt.indexOf(subject, i + subject.length)) at.push(i);
  return at;
}

export function splitPrompt(prompt: string, subject: string): PromptSegment[] {
  const at = occurrences(prompt, subject);
  if (at.length === 0) return prompt ? [{ text: prompt, subject: null }] : [];
  const segments: PromptSegment[] = [];
  let cursor = 0;
  at.forEach((start, i) => {
    if (start > cursor) segments.push({ text: prompt.slice(cursor, start), subject: null });
    segments.push({ text: subject, subject: i === at.length - 1 ? 'used' : 'other' });
    cursor = start + subject.length;
  });
  if (cursor < prompt.length) segments.push({ text: prompt.slice(cursor), subject: null });
  return segments;
}

export function checkSubject(prompt: string, subject: string, target: string): SubjectCheck {
  const segments = splitPrompt(prompt, subject);
  const found = occurrences(prompt, subject).length > 0;
  const warnings: string[] = [];
  if (subject.trim() === '') warnings.push('Type the subject: the words of the prompt the fact is about.');
  else if (!found) {
    const folded = prompt.toLowerCase().includes(subject.toLowerCase());
    warnings.push(
      folded
        ? `"${subject}" occurs in the prompt only with other capitals; the subject must match exactly.`
        : `"${subject}" does not occur in the prompt; copy the subject exactly as it is written there.`,
    );
  }
  if (occurrences(prompt, subject).length > 1)
    warnings.push('The subject occurs more than once; editors key on its last occurrence (underlined).');
  if (target !== '' && !/^\s/.test(target))
    warnings.push(
      'GPT-2 answers usually start with a space (" Rome", not "Rome"); without it the target is a different token.',
    );
  return { segments, found, warnings };
}
