// The review page's controls: filters, the list of answers awaiting review, the answers on the
// clip (legend), their disagreement, the verdict buttons, the rejection note and the status line.

import { tagColor, tagName } from "./canvas";
import { button, h, setValue, showConflict, type NoticeAction } from "./dom";
import { tagKeyLabel } from "./hotkeys";
import { annotatorColor, comparisonSummary, consensusPair, isDouble, type ClipReview, type Filters, type ReviewItem } from "./reviewdata";
import { REVIEW_HELP, type ReviewMode } from "./reviewkeys";
import type { Project } from "./types";
import type { StatusLevel } from "./ui";

export interface ReviewHandlers {
  filters(f: Filters): void;
  open(index: number): void;
  accept(): void;
  reject(): void;
  edit(): void;
  save(): void;
  leave(): void;
  consensus(rule: "first" | "second" | "union"): void;
  layout(): void;
  tag(tagId: number): void;
}

export interface Person {
  id: number;
  username: string;
}

/** The verdict at the start of a list row, so it shows however narrow the list is. */
const DONE: Record<ReviewItem["review_status"], string> = { pending: "·", accepted: "✓", rejected: "✗", settled: "≡" };

export class ReviewUi {
  readonly main: HTMLElement;
  readonly panels = h("div", { class: "el-review-panels" });
  readonly note = h("textarea", { class: "el-notes el-review-note", rows: 3, placeholder: "Why is it rejected? (required; Enter sends, Shift+Enter new line, Escape cancels)" });
  private readonly position = h("span", { class: "el-task" });
  private readonly list = h("ol", { class: "el-review-list" });
  private readonly legend = h("div", { class: "el-review-legend" });
  private readonly summary = h("div", { class: "el-review-summary" });
  private readonly status = h("span", { class: "el-status", role: "status", "aria-live": "polite" });
  private readonly conflict = h("div", { class: "el-conflict", hidden: true });
  private readonly noteBox: HTMLElement;
  private readonly verdicts: HTMLElement;
  private readonly consensusRow: HTMLElement;
  private readonly editRow: HTMLElement;
  private readonly tagRow = h("div", { class: "el-tag-list" });
  private readonly helpDialog: HTMLDialogElement;
  private readonly statusSelect = h("select", { name: "status", title: "Review status" }, ...["pending", "accepted", "rejected", "all"].map((s) => h("option", { value: s }, s === "pending" ? "awaiting review" : s)));
  private readonly annotatorSelect: HTMLSelectElement;
  private readonly datasetSelect: HTMLSelectElement;

  constructor(
    readonly root: HTMLElement,
    project: Project,
    private readonly annotators: readonly Person[],
    datasets: readonly { id: number; name: string }[],
    private readonly handlers: ReviewHandlers,
  ) {
    this.annotatorSelect = h("select", { name: "annotator", title: "Annotator" }, h("option", { value: "" }, "every annotator"), ...annotators.map((a) => h("option", { value: a.id }, a.username)));
    this.datasetSelect = h("select", { name: "dataset", title: "Dataset" }, h("option", { value: "" }, "every dataset"), ...datasets.map((d) => h("option", { value: d.id }, d.name)));
    for (const s of [this.statusSelect, this.annotatorSelect, this.datasetSelect]) s.addEventListener("change", () => (this.handlers.filters(this.filters()), s.blur()));
    this.noteBox = h("div", { class: "el-review-notebox", hidden: true }, this.note, h("div", { class: "el-row" }, button("Reject ⏎", "Reject with this note (Enter)", () => handlers.reject(), "el-primary"), button("Cancel", "Cancel (Escape)", () => handlers.leave())));
    this.verdicts = h(
      "div",
      { class: "el-row el-review-verdicts" },
      button("Accept (a)", "Accept the answer (a)", () => handlers.accept(), "el-primary"),
      button("Reject (r)", "Reject with a note (r)", () => handlers.reject()),
      button("Correct (e)", "Edit the boxes and save a corrected version (e)", () => handlers.edit()),
    );
    this.consensusRow = h(
      "div",
      { class: "el-row el-review-consensus" },
      button("Take A (1)", "Consensus: the first answer as it is (1)", () => handlers.consensus("first")),
      button("Take B (2)", "Consensus: the second answer as it is (2)", () => handlers.consensus("second")),
      button("Union (u)", "Consensus: matched boxes merged, every other box kept (u)", () => handlers.consensus("union")),
      button("Side by side (v)", "Side by side / overlaid (v)", () => handlers.layout()),
    );
    this.editRow = h("div", { class: "el-review-edit", hidden: true }, h("p", { class: "el-muted" }, "Correcting: drag to draw, drag a box to move it, its handles to resize; Delete removes the selected box."), this.tagRow, h("div", { class: "el-row" }, button("Save correction ⏎", "Save the corrected version (Enter)", () => handlers.save(), "el-primary"), button("Cancel", "Leave without saving (Escape)", () => handlers.leave())));
    project.tags.forEach((t, i) => {
      const b = button("", tagName(project.tags, t.id), () => handlers.tag(t.id), "el-tag");
      b.dataset.tag = String(t.id);
      b.append(h("span", { class: "el-swatch", style: `background:${tagColor(project.tags, t.id)}` }), h("kbd", {}, tagKeyLabel(project.tags, i) || "·"), ` ${tagName(project.tags, t.id)}`);
      this.tagRow.append(b);
    });
    this.helpDialog = h("dialog", { class: "el-help" }, h("h2", {}, "Review keys"), h("table", {}, ...REVIEW_HELP.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, v)))), h("form", { method: "dialog" }, h("button", {}, "Close")));
    this.main = h(
      "div",
      { class: "el-app el-review" },
      h("header", { class: "el-header" }, h("strong", {}, `Review · ${project.name}`), this.position, button("?", "Keyboard shortcuts (?)", () => this.toggleHelp(), "el-help-button")),
      h("div", { class: "el-toolbar" }, h("label", { class: "el-group" }, "Show ", this.statusSelect), h("label", { class: "el-group" }, this.annotatorSelect), h("label", { class: "el-group" }, this.datasetSelect)),
      this.conflict,
      h(
        "div",
        { class: "el-body" },
        h("div", { class: "el-viewer" }, this.panels),
        h(
          "aside",
          { class: "el-side" },
          h(
            "section",
            {},
            h("h2", {}, "Answers on this clip"),
            this.legend,
            this.summary,
            h("p", { class: "el-muted el-review-key" }, h("span", { class: "el-review-halo-red" }, "red halo"), ": only one annotator drew it · ", h("span", { class: "el-review-halo-yellow" }, "yellow"), ": same place, another label · dashed: the model's predictions"),
          ),
          h("section", {}, h("h2", {}, "Verdict"), this.verdicts, this.consensusRow, this.noteBox, this.editRow),
          h("section", {}, h("h2", {}, "Awaiting review"), this.list),
        ),
      ),
      h("footer", { class: "el-footer" }, this.status),
      this.helpDialog,
    );
    root.replaceChildren(this.main);
  }

  filters(): Filters {
    const num = (s: HTMLSelectElement) => (s.value === "" ? null : Number(s.value));
    return { status: this.statusSelect.value as Filters["status"], annotator: num(this.annotatorSelect), dataset: num(this.datasetSelect) };
  }

  setFilters(f: Filters): void {
    setValue(this.statusSelect, f.status);
    setValue(this.annotatorSelect, f.annotator === null ? "" : String(f.annotator));
    setValue(this.datasetSelect, f.dataset === null ? "" : String(f.dataset));
  }

  toggleHelp(): void {
    if (this.helpDialog.open) this.helpDialog.close();
    else this.helpDialog.showModal();
  }

  setList(items: readonly ReviewItem[], index: number, count: number): void {
    this.position.textContent = items.length ? ` · ${index + 1} of ${items.length} listed · ${count} match the filters now` : " · nothing to review";
    this.list.replaceChildren(
      ...items.map((it, i) => {
        const c = it.clip;
        const li = h(
          "li",
          { class: i === index ? "el-active" : "", "data-annotation": it.id, "data-status": it.review_status },
          h("span", { class: "el-review-done", title: it.review_status }, DONE[it.review_status]),
          h("span", { class: "el-swatch", style: `background:${annotatorColor(this.annotators, it.annotator)}` }),
          ` ${it.annotator_name}`,
          it.answers > 1 ? h("span", { class: "el-review-badge", title: `${it.answers} annotators answered this clip` }, `×${it.answers}`) : null,
          ` · ${c.recording.name} ${c.start_s.toFixed(2)}–${c.end_s.toFixed(2)} s`,
        );
        li.addEventListener("click", () => this.handlers.open(i));
        return li;
      }),
    );
    this.list.querySelector(".el-active")?.scrollIntoView({ block: "nearest" });
  }

  setClip(r: ClipReview | null, mode: ReviewMode, layout: "split" | "overlay"): void {
    this.root.dataset.mode = mode;
    this.legend.replaceChildren();
    this.summary.replaceChildren();
    if (r) this.fillLegend(r);
    const double = isDouble(r);
    this.verdicts.hidden = mode !== "view" || !r;
    this.consensusRow.hidden = mode !== "view" || !double;
    (this.consensusRow.lastElementChild as HTMLElement).textContent = layout === "split" ? "Overlay (v)" : "Side by side (v)";
    this.noteBox.hidden = mode !== "note";
    this.editRow.hidden = mode !== "edit";
  }

  private fillLegend(r: ClipReview): void {
    const pair = consensusPair(r);
    const letter = (id: number) => (pair ? (pair[0].id === id ? "A " : pair[1].id === id ? "B " : "") : "");
    for (const a of r.answers) {
      const what = a.no_calls ? "no calls" : `${a.events.length} box${a.events.length === 1 ? "" : "es"}`;
      this.legend.append(
        h(
          "div",
          { class: "el-review-answer", "data-answer": a.id },
          h("span", { class: "el-swatch", style: `background:${annotatorColor(this.annotators, a.annotator)}` }),
          h("strong", {}, ` ${letter(a.id)}${a.consensus ? `consensus (${a.consensus.rule}) by ${a.annotator_name}` : a.annotator_name}`),
          ` v${a.version} · ${a.review_status} · ${what}`,
          a.notes ? h("div", { class: "el-muted" }, `“${a.notes}”`) : null,
        ),
      );
    }
    const name = (id: number) => r.answers.find((a) => a.id === id)?.annotator_name ?? `#${id}`;
    for (const c of r.comparisons) this.summary.append(h("p", { class: c.agrees ? "el-muted" : "el-review-disagree" }, comparisonSummary(c, name)));
  }

  setPendingTag(tagId: number | null): void {
    for (const b of this.tagRow.querySelectorAll<HTMLButtonElement>("button")) b.classList.toggle("el-active", Number(b.dataset.tag) === tagId);
  }

  setStatus(text: string, level: StatusLevel = "info"): void {
    this.status.textContent = text;
    this.status.dataset.level = level;
  }

  showConflict(text: string, details: string[], actions: NoticeAction[]): void {
    showConflict(this.conflict, text, details, actions);
  }

  hideConflict(): void {
    this.conflict.hidden = true;
  }
}
