// Says which model state the selected edit's charts show. Right after the edit: nothing to say. After another
// edit was undone or added: "as measured when this edit was applied", what changed since, and one click to
// re-read the probes on the model as it is now. After a re-read: that the "after" side is the current model.

import type { EditView } from '../model/edit-view.ts';
import { selectBusy, useApp } from '../store/index.ts';
import { rereadEdit } from '../store/actions/history.ts';

export function ReadingNote({ editId, view }: { editId: string; view: EditView }) {
  const labels = useApp((s) => s.editLabels);
  const busy = useApp(selectBusy);
  const st = view.state;
  if (st.kind === 'fresh') return null;
  const name = (id: string) => `“${labels[id] ?? id}”`;
  if (st.kind === 'reread')
    return (
      <p className="reading-note reread" role="status" data-testid="reading-note" data-state="reread">
        <strong>Re-read on the current model.</strong> “After” and the metrics are the model as it is now;
        “before” is as measured when this edit was applied. KL needs both full distributions and is not
        re-read.
      </p>
    );
  const changes = [
    ...st.removed.map((id) => `${name(id)} was undone`),
    ...st.added.map((id) => `${name(id)} was applied`),
  ];
  return (
    <div className="reading-note stale" role="status" data-testid="reading-note" data-state="stale">
      <p>
        <strong>These readings are from an earlier model state:</strong> as measured when this edit was
        applied. Since then {changes.join(' and ')}, so the model now may answer differently.
      </p>
      <button className="btn-small" onClick={() => rereadEdit(editId)} disabled={busy} data-testid="reread">
        Re-read on the current model
      </button>
    </div>
  );
}
