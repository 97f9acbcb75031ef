/** Small DOM helpers of the playground's page. */

export function $(id: string): HTMLElement {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`the page has no #${id}`);
  return e;
}

export function input(id: string): HTMLInputElement {
  return $(id) as HTMLInputElement;
}

export function select(id: string): HTMLSelectElement {
  return $(id) as HTMLSelectElement;
}

export function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function options(sel: HTMLSelectElement, items: ReadonlyArray<{ value: string; label: string }>): void {
  sel.innerHTML = items.map((i) => `<option value="${escapeText(i.value)}">${escapeText(i.label)}</option>`).join('');
}

/** A download link for `text` (a Blob URL; the previous one is released). */
export function downloadLink(a: HTMLAnchorElement, text: string, type: string, name: string): void {
  if (a.href.startsWith('blob:')) URL.revokeObjectURL(a.href);
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  a.hidden = false;
}

/** `a b,c` / lines → items (blanks dropped). */
export function words(text: string, sep = /[\s,]+/): string[] {
  return text
    .split(sep)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}
