"""What benchmarks/loop.py prints: a text report per dataset and a markdown table for BENCHMARKS.md."""

from __future__ import annotations

NA = "n/a"


def _f(value, fmt: str = ".1f") -> str:
    if value is None or value == NA:
        return NA
    if isinstance(value, int | float):
        return format(value, fmt)
    return str(value)


def _metric(block, key: str) -> str:
    return _f(block.get(key), ".3f") if isinstance(block, dict) else NA


def text(r: dict) -> str:
    w, s, c = r["waiting"], r["submissions"], r["chain"]
    lines = [
        f"== {r['dataset']}: {r['pool_clips']} pool clips, {r['annotators']} annotator(s), "
        f"{r['label_s']:.2f} s per clip; labelling {r['labelling_s'] / 60:.1f} min "
        f"(all labelled at {_f(r['all_labelled_at_s'] and r['all_labelled_at_s'] / 60)} min), "
        f"drain {r['drain_s']:.0f} s{'' if r['drained'] else ' (still busy at the bound)'}",
        f"  settings: PATCH {r['settings']['status']}, not applied: "
        f"{', '.join(r['settings']['not_applied']) or 'none'}; cold start by "
        f"{r['cold_start'].get('by')}; beat: {'yes' if r['beat'] else NA}",
        f"  held-out as evaluation set: {'yes' if r['held_out_import']['imported'] else 'no'}"
        f" ({r['held_out_import'].get('note', r['held_out_import'].get('annotations'))})",
        f"  queue empty with unlabelled clips left: {w['minutes']:.2f} annotator-min "
        f"({100 * w['fraction']:.1f} % of the labelling time), {w['episodes']} episode(s), "
        f"longest {w['longest_s']:.0f} s",
        f"  submissions: {s['ok']} ok of {s['sent']} {s['statuses']}; pool labelled "
        f"{s['labelled_pool_clips']}/{s['pool_clips']}, other clips {s['labelled_other_clips']}; "
        f"lost: {len(s['lost'])}",
        f"  trainings: {c['trainings']} {c['by_status']}; rescore jobs {c['rescore_jobs']}; "
        f"rounds {c['rounds']} {c['rounds_by_trigger']}",
        "   run status     labels (pool) attempt  queued   train  label→active (seen)  →next batch  "
        "rescores  phases",
    ]
    for t in r["trainings"]:
        lines.append(
            f"  {t['id']:>4} {t['status']:<10}{t['n_labels']:>6} ({t['pool_labels_at_trigger']:>3})"
            f" {_f(t['attempt'], 'd'):>7}"
            f"{_f(t['queued_s']):>8}{_f(t['train_s']):>8}{_f(t['label_to_active_s']):>10}"
            f" ({_f(t['label_to_active_seen_s'])}){_f(t['label_to_next_batch_s']):>11}"
            f"{t['rescore_jobs']:>9}  {t['phases']}"
            + (f"  error: {t['error']}" if t["error"] else "")
        )
    lines.append(
        "  version labels active  held-out detAP   F1  F1(IoU) | dashboard detAP  F1 "
        " F1(IoU) | server val"
    )
    for v in r["versions"]:
        h, d = v["held_out"], v["dashboard"]
        lines.append(
            f"  v{v['version']:<6}{v['n_labels']:>6}  {'yes' if v['active'] else 'no ':<6}"
            f"{_metric(h, 'det_ap'):>14}{_metric(h, 'f1'):>6}{_metric(h, 'f1_iou'):>8} |"
            f"{_metric(d, 'det_ap'):>16}{_metric(d, 'f1'):>6}{_metric(d, 'f1_iou'):>8} | "
            f"{v['server_validation']} {_f(v['server_det_ap'], '.3f')} | held-out in CI "
            f"(detAP, F1): {_inside(v.get('held_out_in_dashboard_ci'))}"
        )
    if r["versions"] and isinstance(r["versions"][0]["held_out"], dict):
        h = r["versions"][0]["held_out"]
        lines.append(
            f"  (held out: {h['n_clips']} clips, {h['n_calls']} calls; dashboard curve "
            f"{r['dashboard']['curve'] or {}}, point keys {r['dashboard']['point_keys']})"
        )
    if "kill" in r:
        k = r["kill"]
        lines.append(
            f"  kill: {'run ' + str(k.get('run')) + ' at ' + _f(k.get('after_s')) + ' s' if k.get('killed') else k.get('note')}"
            f"; killed run ended {k.get('killed_run_final_status')}; marked failed after "
            f"{_f(k.get('marked_failed_after_s'))} s; retry runs {k.get('retry_runs')}; redone "
            f"(a later run finished) after {_f(k.get('redone_after_s'))} s; same run finished "
            f"after {_f(k.get('same_run_finished_after_s'))} s; no label lost: "
            f"{k.get('no_label_lost')}; one rescore per finished training: "
            f"{k.get('one_rescore_per_finished_training')}"
        )
    for who, errors in r["errors"].items():
        lines += [f"  {who} error: {e}" for e in errors[:5]]
    return "\n".join(lines) + "\n"


def markdown(results: list[dict]) -> str:
    rows = [
        "| dataset | pool clips | s/clip | queue empty, clips left (min, %) | trainings | "
        "label→active s (median, max) | rescores per finished training | held-out detAP / F1 "
        "of the last version | dashboard detAP / F1 of it | lost labels |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: |",
    ]
    for r in results:
        lat = sorted(
            t["label_to_active_s"] for t in r["trainings"] if t["label_to_active_s"] is not None
        )
        finished = [
            t["rescore_jobs"] for t in r["trainings"] if t["status"] in ("succeeded", "kept_old")
        ]
        last = r["versions"][-1] if r["versions"] else {}
        h, d = last.get("held_out", NA), last.get("dashboard", NA)
        rows.append(
            f"| {r['dataset']} | {r['pool_clips']} | {r['label_s']:.2f} | "
            f"{r['waiting']['minutes']:.2f} ({100 * r['waiting']['fraction']:.0f} %) | "
            f"{len(r['trainings'])} | "
            f"{_f(lat[len(lat) // 2]) if lat else NA}, {_f(lat[-1]) if lat else NA} | "
            f"{finished or NA} | {_metric(h, 'det_ap')} / {_metric(h, 'f1')} | "
            f"{_metric(d, 'det_ap')} / {_metric(d, 'f1')} | {len(r['submissions']['lost'])} |"
        )
    rows += [
        "",
        "| dataset | version | labels (incl. evaluation) | active | held-out detAP | held-out F1 "
        "| dashboard detAP (95 % CI) | dashboard F1 (95 % CI) | held-out in CI (detAP, F1) |",
        "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in results:
        for v in r["versions"]:
            h, d = v["held_out"], v["dashboard"]
            rows.append(
                f"| {r['dataset']} | v{v['version']} | {v['n_labels']} | "
                f"{'yes' if v['active'] else 'no'} | {_metric(h, 'det_ap')} | {_metric(h, 'f1')} | "
                f"{_metric(d, 'det_ap')}{_ci(d, 'det_ap')} | {_metric(d, 'f1')}{_ci(d, 'f1')} | "
                f"{_inside(v.get('held_out_in_dashboard_ci'))} |"
            )
    return "\n".join(rows) + "\n"


def _inside(flags) -> str:
    if not isinstance(flags, dict):
        return NA
    return ", ".join(
        "yes" if flags.get(k) else ("no" if k in flags else NA) for k in ("det_ap", "f1")
    )


def _ci(point, key: str) -> str:
    ci = point.get("ci", {}).get(key) if isinstance(point, dict) else None
    if not ci or None in ci:
        return ""
    return f" ({ci[0]:.2f}–{ci[1]:.2f})"
