import { useId, useState } from 'react';
import type { ApiErrorShape, EnvironmentSpec } from '../../../../preload/contract';
import { api } from '../../bridge/api';
import { ErrorNotice } from '../../components/error-notice';
import { ModalDialog } from '../../components/modal-dialog';
import { defaultRecipeFileName, recipeFileNameProblem } from '../../state/compose-recipe';
import { errorShape } from '../../state/load-status';
import { downloadText } from './download-text';

/** Names the recipe file; the server writes its text (YAML or JSON by the name) to download. */
export function SaveRecipeDialog({
  specs,
  prompt,
  onClose,
}: {
  specs: readonly EnvironmentSpec[];
  prompt: string;
  onClose: () => void;
}) {
  const [fileName, setFileName] = useState(() => defaultRecipeFileName(specs));
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<ApiErrorShape | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();

  const save = async () => {
    const name = fileName.trim();
    const wrong = recipeFileNameProblem(name);
    setProblem(wrong);
    if (wrong) return;
    setBusy(true);
    setError(null);
    try {
      const { text } = await api.call('writeRecipe', {
        fileName: name,
        environments: [...specs],
        ...(prompt.trim() ? { prompt: prompt.trim() } : {}),
      });
      downloadText(name, text);
      onClose();
    } catch (err) {
      setError(errorShape(err));
      setBusy(false);
    }
  };

  return (
    <ModalDialog title="Save recipe" onClose={onClose}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <div className="field">
          <label htmlFor={inputId}>File name</label>
          <input
            id={inputId}
            type="text"
            spellCheck={false}
            autoFocus
            value={fileName}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${inputId}-hint`}
            onChange={(event) => setFileName(event.target.value)}
          />
          <p id={`${inputId}-hint`} className="hint">
            .yaml or .yml saves YAML, .json saves JSON. The prompt is kept in the file; open it here
            again, or run <code>genos up {fileName.trim() || 'recipe.yaml'}</code>.
          </p>
          {problem ? (
            <p role="alert" className="field__error">
              {problem}
            </p>
          ) : null}
        </div>
        {error ? <ErrorNotice title="Could not save the recipe" error={error} /> : null}
        <div className="dialog__actions">
          <button type="button" className="button--quiet" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" disabled={busy}>
            Save
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}
