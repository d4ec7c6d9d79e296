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

/** A button that gives the keyboard back to the page's keys after a mouse click. */
export function button(label: string, title: string, onclick: () => void, cls = ""): HTMLButtonElement {
  return h("button", { type: "button", title, class: cls, onclick: (e: Event) => (onclick(), (e.currentTarget as HTMLElement).blur()) }, label);
}

/** What a page's template puts in <script id="echoloop-config" type="application/json">. */
export function pageConfig<T extends object>(): Partial<T> {
  const el = document.getElementById("echoloop-config");
  try {
    return el?.textContent ? (JSON.parse(el.textContent) as Partial<T>) : {};
  } catch {
    return {};
  }
}

export interface NoticeAction {
  label: string;
  run: () => void;
}

/** Fill a conflict notice: what happened, the details, and buttons that hide it and act. */
export function showConflict(box: HTMLElement, text: string, details: string[], actions: NoticeAction[]): void {
  box.replaceChildren(
    h("strong", {}, text),
    h("ul", {}, ...details.map((d) => h("li", {}, d))),
    h("div", { class: "el-row" }, ...actions.map((a) => button(a.label, a.label, () => ((box.hidden = true), a.run())))),
  );
  box.hidden = false;
}
