// The dashboard's "Embedding" card: which embedding sampling, search by example and the light head
// use (the project's default or a lead's choice, and why), the adapters installed on the server with
// their licences (shown where a lead chooses one: model weights such as BirdNET's are often
// non-commercial), and the light head's last fit.

export interface AdapterInfo {
  name: string;
  licence: string;
  description: string;
  available: boolean;
  error: string;
}

export interface InUse {
  name: string;
  chosen_by: string; // "lead" or "default"
  reason: string;
}

interface Adapters {
  chosen: string | null;
  embedding?: InUse;
  adapters: AdapterInfo[];
}

interface HeadStatus {
  fitted: boolean;
  n_labels?: number;
  fit_seconds?: number;
  fitted_at?: string;
  source?: string;
}

export const DEFAULT = "";
export const DETECTOR = "detector";

/** One row per choice: the project's default first, the detector's own embedding, then each adapter. */
export function choiceRows(data: Adapters): { value: string; name: string; licence: string; note: string; enabled: boolean; chosen: boolean }[] {
  const inUse = data.embedding;
  const defaultNote = inUse && inUse.chosen_by === "default" ? `Now ${inUse.name}: ${inUse.reason}.` : "The embedding measured best for the project's recordings.";
  const rows = [
    { value: DEFAULT, name: "Project default", licence: "—", note: defaultNote, enabled: true, chosen: !data.chosen },
    { value: DETECTOR, name: "The detector's own embedding", licence: "Echoloop's own", note: "Window embeddings of the active model version.", enabled: true, chosen: data.chosen === DETECTOR },
  ];
  for (const a of data.adapters) {
    rows.push({ value: a.name, name: a.name, licence: a.available ? a.licence : "—", note: a.available ? a.description : `not usable: ${a.error}`, enabled: a.available, chosen: data.chosen === a.name });
  }
  return rows;
}

/** The line naming the embedding in use and why. */
export function inUseText(inUse: InUse | undefined): string {
  if (!inUse) return "";
  const who = inUse.chosen_by === "lead" ? "chosen by a lead" : `project default — ${inUse.reason}`;
  return `In use for sampling, search and the light head: ${inUse.name} (${who}).`;
}

export function headText(h: HeadStatus): string {
  if (!h.fitted) return "Light head: not fitted yet (it fits within seconds of the first labels once the pool has embeddings).";
  return `Light head: fitted on ${h.n_labels} labelled clips in ${(h.fit_seconds ?? 0).toFixed(2)} s (${h.source}), ${new Date(h.fitted_at ?? "").toLocaleString()}.`;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text = "", cls = ""): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

export async function startEmbeddingChoice(card: HTMLElement): Promise<void> {
  const url = card.dataset.url as string;
  const csrf = card.dataset.csrfToken;
  const message = el("p", "", "muted");
  const render = async () => {
    let data: Adapters;
    let head: HeadStatus = { fitted: false };
    try {
      data = (await (await fetch(url, { credentials: "same-origin" })).json()) as Adapters;
      if (card.dataset.headUrl) head = (await (await fetch(card.dataset.headUrl, { credentials: "same-origin" })).json()) as HeadStatus;
    } catch (error) {
      card.replaceChildren(el("p", `Could not load the embeddings (${String(error)}).`, "muted"));
      return;
    }
    const table = el("table", "", "grid compact");
    const headRow = el("tr");
    for (const t of ["", "embedding", "licence", "what"]) headRow.append(el("th", t));
    table.append(el("thead"), el("tbody"));
    table.tHead?.append(headRow);
    for (const row of choiceRows(data)) {
      const tr = el("tr");
      const pick = el("input");
      Object.assign(pick, { type: "radio", name: "embedding", value: row.value, checked: row.chosen, disabled: !csrf || !row.enabled });
      const cell = el("td");
      cell.append(pick);
      tr.append(cell, el("td", row.name), el("td", row.licence, "licence"), el("td", row.note));
      tr.dataset.embedding = row.value || "default";
      table.tBodies[0].append(tr);
    }
    const parts: Node[] = [el("p", inUseText(data.embedding), "embedding-in-use"), table, el("p", headText(head), "muted light-head")];
    if (csrf) {
      const use = el("button", "Use the selected embedding");
      use.type = "button";
      use.className = "use-embedding";
      use.addEventListener("click", async () => {
        const picked = card.querySelector<HTMLInputElement>("input[name=embedding]:checked");
        const response = await fetch(url, {
          method: "PUT",
          credentials: "same-origin",
          headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
          body: JSON.stringify({ adapter: picked?.value || null }),
        });
        const body = (await response.json().catch(() => ({}))) as { detail?: string; embedding?: InUse };
        const name = body.embedding?.name ?? "";
        message.textContent = response.ok
          ? `Now using ${name === DETECTOR ? "the detector's own embedding" : name}${name === DETECTOR ? "" : ": the pool is being embedded with it"}.`
          : `Not changed: ${body.detail ?? `HTTP ${response.status}`}`;
        if (response.ok) await render();
      });
      parts.push(use);
    }
    parts.push(message);
    card.replaceChildren(...parts);
  };
  await render();
}
