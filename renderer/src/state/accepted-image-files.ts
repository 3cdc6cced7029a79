/** What the image library takes: disk images and ISOs, by file name (the server checks the bytes). */
export const ACCEPTED_EXTENSIONS = ['qcow2', 'raw', 'img', 'vdi', 'vhdx', 'vmdk', 'iso'] as const;

/** For `<input type="file" accept>`. */
export const ACCEPT_ATTRIBUTE = ACCEPTED_EXTENSIONS.map((ext) => `.${ext}`).join(',');

export function isAcceptedImageName(name: string): boolean {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return false;
  const ext = name.slice(dot + 1).toLowerCase();
  return (ACCEPTED_EXTENSIONS as readonly string[]).includes(ext);
}

export function refusalMessage(name: string): string {
  return (
    `${name} is not a disk image GenOS imports, so it was not uploaded. ` +
    `Drop a ${ACCEPTED_EXTENSIONS.slice(0, -1).join(', ')} or ${ACCEPTED_EXTENSIONS.at(-1)} file.`
  );
}
