import type { EnvironmentSummary } from '../../../../preload/contract';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { useEnvironmentActionsStore } from '../../state/environment-actions-store';

/** Asks before deleting; the outcome (or the server's refusal) shows on the row. */
export function DeleteEnvironmentDialog({
  env,
  onDone,
}: {
  env: EnvironmentSummary;
  onDone: () => void;
}) {
  const run = useEnvironmentActionsStore((store) => store.run);
  const what = env.backend === 'qemu' ? 'its virtual machine and disks' : 'its container';
  return (
    <ConfirmDialog
      title={`Delete ${env.name}?`}
      message={`This removes ${env.name} and ${what}. It cannot be undone.`}
      confirmLabel="Delete"
      onCancel={onDone}
      onConfirm={() => {
        onDone();
        void run(env.id, 'delete');
      }}
    />
  );
}
