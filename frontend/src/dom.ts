// A tiny element builder, so the page's markup reads as a tree.

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") el.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) el.setAttribute(name, "");
    else el.setAttribute(name, String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Is focus in a field where keys are text? (Hotkeys stay off there.) */
export function typingTarget(target: EventTarget | null): "line" | "text" | null {
  if (!(target instanceof HTMLElement)) return null;
  if (target instanceof HTMLTextAreaElement) return "text";
  if (target.isContentEditable) return "text";
  if (target instanceof HTMLSelectElement) return "line";
  if (target instanceof HTMLInputElement) {
    const nonText = ["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"];
    return nonText.includes(target.type) ? null : "line";
  }
  return null;
}

/** Set an input's value unless the user is editing it (so re-rendering never eats keystrokes). */
export function setValue(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement, value: string): void {
  if (document.activeElement !== el && el.value !== value) el.value = value;
}
