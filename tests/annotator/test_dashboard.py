"""The labelling figures of the dashboard against a project with known numbers (tests/dashboard_data.py)."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from annotator import dashboard
from tests.dashboard_data import EXPECTED, SCRIPT_TAG, labelling_world

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(project, cast):
    return labelling_world(project, cast)


def labels_url(project, suffix=""):
    return f"/api/projects/{project.pk}/dashboard/labels/{suffix}"


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_totals_count_clips_annotations_events_and_annotators(world, project):
    assert dashboard.labels_dashboard(project)["totals"] == EXPECTED["totals"]


def test_labels_per_day_fill_empty_days_and_keep_a_running_total(world, project):
    over_time = dashboard.labels_over_time(project)
    assert over_time["annotators"] == ["ann1", "ann2", "lead"]
    assert [(d["date"], d["total"], d["cumulative"]) for d in over_time["days"]] == EXPECTED["days"]
    by_day = {d["date"]: d["by_annotator"] for d in over_time["days"]}
    for day, counts in EXPECTED["per_day_annotator"].items():
        assert by_day[day] == counts


def test_throughput_counts_gaps_within_sessions_and_skips_imported_labels(world, project):
    pace = dashboard.throughput(project)
    assert pace["idle_gap_seconds"] == 900
    got = [
        (
            p["annotator"],
            p["clips"],
            p["timed_clips"],
            p["sessions"],
            p["clips_per_hour"],
            p["median_seconds_per_clip"],
        )
        for p in pace["annotators"]
    ]
    assert got == EXPECTED["throughput"]
    ann1 = pace["annotators"][0]
    assert ann1["active_hours"] == pytest.approx(120 / 3600, abs=1e-4)


def test_species_sorted_by_events_without_rejected_annotations(world, project):
    species = dashboard.species_counts(project)
    assert [(r["label"], r["events"], r["clips"]) for r in species["tags"]] == EXPECTED["species"]
    assert species["unseen"] == EXPECTED["unseen"]


def test_species_of_other_keys_are_named_with_their_key(project, cast):
    from tests import factories as f
    from tests.dashboard_data import _annotation

    tag = f.make_tag(project, "feeding buzz")
    tag.key = "call type"
    tag.save()
    _annotation(project, f.make_clip(project), cast["ann1"], None, None, [tag], "pending")
    assert dashboard.species_counts(project)["tags"][0]["label"] == "call type: feeding buzz"


def test_queue_counts_every_status_expired_leases_and_audit(world, project):
    assert dashboard.queue_counts(project) == EXPECTED["queue"]


def test_empty_project_gives_empty_figures_and_charts(project, cast, api):
    data = api(cast["viewer"]).get(labels_url(project)).json()
    assert data["labels_over_time"]["days"] == [] and data["throughput"]["annotators"] == []
    assert data["species"]["tags"] == [] and data["totals"]["events"] == 0
    for name in dashboard.CHARTS:
        response = api(cast["viewer"]).get(
            f"/api/projects/{project.pk}/dashboard/charts/{name}.svg"
        )
        assert response.status_code == 200
        ET.fromstring(response.content)


# --- the endpoints --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "ann1", "viewer"])
def test_members_read_the_figures(world, project, cast, api, who):
    response = api(cast[who]).get(labels_url(project))
    assert response.status_code == 200
    assert response.json()["totals"] == EXPECTED["totals"]


def test_outsiders_get_404_everywhere(world, project, cast, api):
    client = api(cast["outsider"])
    assert client.get(labels_url(project)).status_code == 404
    assert client.get(labels_url(project, "?format=csv")).status_code == 404
    for name in dashboard.CHARTS:
        assert (
            client.get(f"/api/projects/{project.pk}/dashboard/charts/{name}.svg").status_code == 404
        )


def test_anonymous_is_refused(world, project, api):
    assert api().get(labels_url(project)).status_code in (401, 403)


def test_unknown_chart_is_404(world, project, cast, api):
    assert (
        api(cast["lead"])
        .get(f"/api/projects/{project.pk}/dashboard/charts/passwords.svg")
        .status_code
        == 404
    )


def test_csv_tables_match_the_json(world, project, cast, api):
    client = api(cast["viewer"])
    data = client.get(labels_url(project)).json()

    species = client.get(labels_url(project, "?format=csv&table=species"))
    assert species.status_code == 200 and species["Content-Type"].startswith("text/csv")
    assert "attachment" in species["Content-Disposition"]
    rows = read_csv(species)
    assert [(r["label"], int(r["events"]), int(r["clips"])) for r in rows] == [
        (t["label"], t["events"], t["clips"]) for t in data["species"]["tags"]
    ]

    days = read_csv(client.get(labels_url(project, "?format=csv&table=labels_over_time")))
    assert [(r["date"], int(r["ann1"]), int(r["total"]), int(r["cumulative"])) for r in days] == [
        (d["date"], d["by_annotator"]["ann1"], d["total"], d["cumulative"])
        for d in data["labels_over_time"]["days"]
    ]

    pace = read_csv(client.get(labels_url(project, "?format=csv&table=throughput")))
    for row, person in zip(pace, data["throughput"]["annotators"], strict=True):
        assert row["annotator"] == person["annotator"] and int(row["clips"]) == person["clips"]
        expected = person["clips_per_hour"]
        assert (float(row["clips_per_hour"]) if row["clips_per_hour"] else None) == expected

    queue_rows = read_csv(client.get(labels_url(project, "?format=csv&table=queue")))
    assert {r["queue"]: int(r["tasks"]) for r in queue_rows} == data["queue"]


def test_csv_without_a_table_has_every_cell_in_long_form(world, project, cast, api):
    rows = read_csv(api(cast["lead"]).get(labels_url(project, "?format=csv")))
    assert {r["table"] for r in rows} == {"labels_over_time", "throughput", "species", "queue"}
    cell = {(r["table"], r["row"], r["column"]): r["value"] for r in rows}
    assert cell[("queue", "submitted", "tasks")] == "7"
    assert cell[("species", "Myotis myotis", "events")] == "6"
    assert cell[("throughput", "ann2", "median_seconds_per_clip")] == "45.0"


def test_csv_of_an_unknown_table_is_400(world, project, cast, api):
    response = api(cast["lead"]).get(labels_url(project, "?format=csv&table=nope"))
    assert response.status_code == 400 and b"species" in response.content


def test_csv_cells_that_look_like_formulas_are_defused(project, cast, api):
    from tests import factories as f
    from tests.dashboard_data import _annotation

    tag = f.make_tag(project, '=HYPERLINK("http://evil")')
    _annotation(project, f.make_clip(project), cast["ann1"], None, None, [tag], "pending")
    rows = read_csv(api(cast["lead"]).get(labels_url(project, "?format=csv&table=species")))
    assert rows[0]["label"] == '\'=HYPERLINK("http://evil")'


def test_charts_are_svg_with_one_mark_per_figure(world, project, cast, api):
    client = api(cast["ann2"])
    expected_marks = {
        "labels_over_time": 5,  # non-zero (day, annotator) cells: 06-02 ann1, ann2; 06-03 ann2, lead; 06-05 ann2
        "throughput": 2,  # the lead has no timed clip: no bar
        "species": 4,
        "queue": 4,
    }
    for name, n in expected_marks.items():
        response = client.get(f"/api/projects/{project.pk}/dashboard/charts/{name}.svg")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("image/svg+xml")
        assert "default-src 'none'" in response["Content-Security-Policy"]
        root = ET.fromstring(response.content)
        marks = [el for el in root.iter() if el.get("class") == "mark"]
        assert len(marks) == n, name
        assert all(m.find(f"{SVG}title") is not None for m in marks)


def test_species_chart_escapes_tag_names(world, project, cast, api):
    body = (
        api(cast["lead"])
        .get(f"/api/projects/{project.pk}/dashboard/charts/species.svg")
        .content.decode()
    )
    assert "<script>" not in body and "&lt;script&gt;" in body
    titles = [t.text for t in ET.fromstring(body).iter(f"{SVG}title")]
    assert any(SCRIPT_TAG in (t or "") for t in titles)


# --- the page ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "ann1", "viewer"])
def test_every_member_sees_the_page_and_the_nav_link(world, project, cast, client, who):
    client.force_login(cast[who])
    response = client.get(f"/projects/{project.pk}/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="/projects/{project.pk}/dashboard/"' in html
    assert html.count("<svg") == 4
    assert f"/api/projects/{project.pk}/dashboard/charts/learning_curve.svg" in html
    assert f"/api/projects/{project.pk}/dashboard/charts/rounds.svg" in html
    assert "annotator/dashboard.js" in html
    assert '<span class="n" data-total="events">12</span>' in html
    assert (
        "<script>alert" not in html
    )  # the tag name is escaped inside the inline chart and the table


def test_project_page_links_to_the_dashboard(world, project, cast, client):
    client.force_login(cast["viewer"])
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/dashboard/"' in html


def test_outsider_gets_404_for_the_page(world, project, cast, client):
    client.force_login(cast["outsider"])
    assert client.get(f"/projects/{project.pk}/dashboard/").status_code == 404


def test_anonymous_is_sent_to_login(project, client):
    response = client.get(f"/projects/{project.pk}/dashboard/")
    assert response.status_code == 302 and "/login/" in response["Location"]
