// Banners at the top of the page: a bad link, a lost GPU device, a failed replay. Text only (React escapes
// it); each can be dismissed.

import { useApp } from '../store/index.ts';

const TITLES = {
  link: 'This link could not be opened',
  device: 'The GPU device was lost',
  error: 'Something went wrong',
  info: 'Note',
};

export function Banners() {
  const banners = useApp((s) => s.banners);
  const dismiss = useApp((s) => s.dismissBanner);
  if (banners.length === 0) return null;
  return (
    <div className="banners">
      {banners.map((b) => (
        <div
          key={b.id}
          className={`banner banner-${b.kind}`}
          role={b.kind === 'info' ? 'status' : 'alert'}
          data-testid={`banner-${b.kind}`}
        >
          <div>
            <strong>{TITLES[b.kind]}</strong>
            <p>{b.message}</p>
          </div>
          <button className="btn-ghost" aria-label="Dismiss" onClick={() => dismiss(b.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
