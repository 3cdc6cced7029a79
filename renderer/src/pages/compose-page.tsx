import { PageHeader } from '../components/page-header';

export function ComposePage() {
  return (
    <>
      <PageHeader title="Compose" />
      <p className="placeholder">
        Coming next: type a sentence such as “Debian 12 desktop with Firefox, 4 GB, no internet”,
        review the environment GenOS composes from it, and start it as a virtual machine or a
        container.
      </p>
    </>
  );
}
