import { PageHeader } from '../components/page-header';

export function ImagesPage() {
  return (
    <>
      <PageHeader title="Images" />
      <p className="placeholder">
        Coming next: the disk image library — drop in qcow2, raw, VDI, VHDX, VMDK or ISO files, see
        their detected format and size, and convert or remove them.
      </p>
    </>
  );
}
