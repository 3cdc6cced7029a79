/** Hands text to the browser as a file download (a Blob behind an <a download>). */
export function downloadText(fileName: string, text: string): void {
  const type = /\.json$/i.test(fileName) ? 'application/json' : 'application/yaml';
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own copy once it started; give a slow one time before freeing it.
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
