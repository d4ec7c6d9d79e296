"""POST /api/projects/{id}/annotations/import/ and GET /api/projects/{id}/annotations/export/."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotator import ingest, queue
from annotator.models import ClipAnnotation, Recording, Tag
from tests import factories as f

CSV = "file,start_s,end_s,low_freq_hz,high_freq_hz,label\n"


def recordings(project, n=2):
    made = [f.make_recording(project, name=f"site{i}.wav", path=f"site{i}.wav") for i in range(n)]
    for recording in made:
        ingest.cut_clips(recording)
    return made


def post(client, project, text, name="boxes.csv", **fields):
    upload = SimpleUploadedFile(name, text.encode())
    return client.post(
        f"/api/projects/{project.pk}/annotations/import/",
        {"file": upload, **fields},
        format="multipart",
    )


def test_lead_imports_a_file(project, cast, api):
    f.make_tag(project)
    recordings(project)
    text = (
        CSV
        + "site0.wav,0.1,0.11,20000,30000,Myotis myotis\nsite1.wav,1.5,1.52,20000,30000,Noctule\n"
    )
    response = post(api(cast["lead"]), project, text, create_tags="true", annotator="ann2")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["format"], body["boxes"], body["created"], body["annotator"]) == (
        "csv",
        2,
        2,
        "ann2",
    )
    assert body["tags_created"] == ["Noctule"]
    assert set(ClipAnnotation.objects.values_list("annotator__username", flat=True)) == {"ann2"}


@pytest.mark.parametrize("who, status", [("ann1", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_import(project, cast, api, who, status):
    f.make_tag(project)
    recordings(project)
    text = CSV + "site0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
    assert post(api(cast[who]), project, text).status_code == status
    assert not ClipAnnotation.objects.exists()


def test_bad_file_is_400_naming_the_line_and_imports_nothing(project, cast, api):
    f.make_tag(project)
    recordings(project)
    text = (
        CSV
        + "site0.wav,0.1,0.11,20000,30000,Myotis myotis\nsite0.wav,0.2,oops,20000,30000,Myotis myotis\n"
    )
    response = post(api(cast["lead"]), project, text)
    assert response.status_code == 400
    body = response.json()
    assert (body["line"], body["field"]) == (3, "end_s")
    assert body["detail"].startswith("line 3, field 'end_s': not a number")
    assert not ClipAnnotation.objects.exists()


def test_unknown_labels_are_400(project, cast, api):
    recordings(project)
    response = post(api(cast["lead"]), project, CSV + "site0.wav,0.1,0.11,20000,30000,Myotis\n")
    assert response.status_code == 400 and "Myotis" in response.json()["detail"]
    assert not Tag.objects.exists()


def test_raven_table_for_a_given_recording(project, cast, api):
    f.make_tag(project)
    _, second = recordings(project)
    table = (
        "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\tSpecies\n"
        "1\tSpectrogram 1\t1\t2.5\t2.52\t20000\t40000\tMyotis myotis\n"
    )
    response = post(api(cast["lead"]), project, table, name="x.txt", recording=second.pk)
    assert response.status_code == 201, response.content
    assert ClipAnnotation.objects.get().clip.recording == second
    other = f.make_recording(f.make_project("Else"))
    response = post(api(cast["lead"]), project, table, name="x.txt", recording=other.pk)
    assert response.status_code == 400 and "recording" in response.json()


def test_annotator_must_annotate_in_the_project(project, cast, api):
    recordings(project)
    text = CSV + "site0.wav,0.1,0.11,20000,30000,Myotis myotis\n"
    response = post(api(cast["lead"]), project, text, annotator="viewer", create_tags="true")
    assert response.status_code == 400 and "annotator" in response.json()


def labelled(project, user):
    tag = f.make_tag(project)
    for recording in recordings(project):
        clip = recording.clips.get(start_s=1)
        event = queue.EventInput(1.25, 1.26, 30_000, 45_000, tag.pk)
        queue.save_annotation(project, clip, user, queue.Submission(events=[event]))


def export(client, project, query):
    return client.get(f"/api/projects/{project.pk}/annotations/export/?{query}")


def test_export_aoef_as_an_attachment(project, cast, api):
    labelled(project, cast["ann1"])
    response = export(api(cast["viewer"]), project, "format=aoef")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="bats.aoef.json"'
    document = json.loads(response.content)
    assert document["version"] == "1.1.0"
    assert len(document["data"]["sound_event_annotations"]) == 2
    assert {r["hash"] for r in document["data"]["recordings"]} == set(
        Recording.objects.values_list("sha256", flat=True)
    )


def test_export_raven_zip_and_one_recording(project, cast, api):
    labelled(project, cast["ann1"])
    client = api(cast["lead"])
    response = export(client, project, "format=raven")
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].endswith('.raven.zip"')
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [
            "site0.Table.1.selections.txt",
            "site1.Table.1.selections.txt",
        ]
    first = Recording.objects.get(name="site0.wav")
    one = export(client, project, f"format=audacity&recording={first.pk}")
    assert one["Content-Disposition"] == 'attachment; filename="site0.txt"'
    assert one.content.decode().startswith("1.25\t1.26\tMyotis myotis\n\\\t30000\t45000")


def test_export_filters_and_errors(project, cast, api):
    labelled(project, cast["ann1"])
    client = api(cast["lead"])
    csv_text = export(client, project, f"format=csv&annotator={cast['ann1'].pk}").content.decode()
    assert csv_text.count("\n") == 3 and "sha256" in csv_text.split("\n")[0]
    assert export(client, project, f"format=csv&annotator={cast['ann2'].pk}").status_code == 400
    assert export(client, project, "format=praat").status_code == 400
    other = f.make_project("Else")
    dataset = f.make_dataset(other)
    assert export(client, project, f"format=csv&dataset={dataset.pk}").status_code == 400
    assert export(api(cast["outsider"]), project, "format=csv").status_code == 404


def test_batdetect2_export_refuses_intervals(project, cast, api):
    project.annotation_mode = "interval"
    project.save()
    (recording,) = recordings(project, 1)
    event = queue.EventInput(0.2, 0.3)
    queue.save_annotation(
        project, recording.clips.first(), cast["ann1"], queue.Submission(events=[event])
    )
    response = export(api(cast["lead"]), project, "format=batdetect2")
    assert response.status_code == 400 and "frequency band" in response.json()["detail"]
