/**
 * xterm.js's DOM renderer writes its theme and cell sizes into <style> elements it creates inside
 * the terminal. The page's CSP (`style-src 'self'`) refuses inline <style> elements and reports
 * each one, which would leave the terminal unstyled. Constructed stylesheets are not inline
 * elements and the CSP allows them (as it allows setting element.style from script).
 *
 * So: open the terminal in a host that is not in the document yet (a <style> element outside the
 * document is never applied, so never checked), then take each <style> out, mirror its text into
 * an adopted stylesheet and follow later changes (theme, font size), and only then insert the
 * host. xterm keeps its references and writes to the detached elements; nothing is patched.
 */
export function adoptXtermStyles(host: HTMLElement): () => void {
  const doc = host.ownerDocument;
  const mirrors = [...host.querySelectorAll('style')].map((element) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(element.textContent ?? '');
    element.remove();
    const observer = new MutationObserver(() => sheet.replaceSync(element.textContent ?? ''));
    observer.observe(element, { childList: true, characterData: true, subtree: true });
    return { sheet, observer };
  });
  const sheets = new Set<CSSStyleSheet>(mirrors.map((mirror) => mirror.sheet));
  doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, ...sheets];
  return () => {
    for (const mirror of mirrors) mirror.observer.disconnect();
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((sheet) => !sheets.has(sheet));
  };
}
