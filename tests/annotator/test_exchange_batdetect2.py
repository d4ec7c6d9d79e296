"""BatDetect2 export through the project: each call's 'class' is its box's tag and its 'event'
the call type (Echolocation unless the file or the tag said otherwise); BatDetect2's own example
annotations come back call for call."""

from __future__ import annotations

import json

from annotator import exchange, ingest, queue
from tests import factories as f
from tests.conftest import DATA

FOLDER = DATA / "batdetect2"


def test_each_call_is_exported_with_its_own_tag_as_class(project, cast):
    recording = f.make_recording(project, duration_s=1.0, name="night.wav")
    ingest.cut_clips(recording)
    myotis, pip = f.make_tag(project, "Myotis daubentonii"), f.make_tag(project, "Pipistrellus")
    events = [
        queue.EventInput(0.10, 0.11, 30_000, 60_000, myotis.pk),
        queue.EventInput(0.30, 0.31, 40_000, 70_000, pip.pk),
        queue.EventInput(0.50, 0.51, 35_000, 65_000, pip.pk),
    ]
    clip = recording.clips.get()
    queue.save_annotation(project, clip, cast["ann1"], queue.Submission(events=events))
    written = json.loads(exchange.export_annotations(project, "batdetect2").data)
    calls = written["annotation"]
    assert [c["class"] for c in calls] == ["Myotis daubentonii", "Pipistrellus", "Pipistrellus"]
    assert {c["event"] for c in calls} == {"Echolocation"}
    assert written["class_name"] == "Pipistrellus"  # the file's commonest species
    assert written["annotated"] is True and written["issues"] is False


def test_batdetect2_examples_round_trip_call_for_call(project):
    """The three example files: imported, then exported: the same calls (class, event,
    individual, scores kept in the notes), the same file class and notes."""
    f.make_root(FOLDER)
    ingest.import_location(project, f.make_dataset(project), str(FOLDER / "audio"))
    sources = sorted((FOLDER / "anns").glob("*.json"))
    past_the_end = []
    for path in sources:
        report = exchange.import_annotations(
            project, exchange.Upload(path.name, path.read_bytes()), create_tags=True
        )
        past_the_end += report.past_the_end
    # One example call runs past its 0.5-s file (0.4975–0.5503 s): named, not imported.
    assert len(past_the_end) == 1 and "0.497–0.550 s" in past_the_end[0]
    written = json.loads(exchange.export_annotations(project, "batdetect2").data)
    by_id = {doc["id"]: doc for doc in written}
    for path in sources:
        source = json.loads(path.read_text())
        back = by_id[source["id"]]
        assert back["class_name"] == source["class_name"]
        assert back["notes"] == source["notes"]

        def calls(doc):
            duration = doc["duration"]
            return sorted(
                (
                    c["start_time"],
                    c["class"],
                    c["event"],
                    str(c["individual"]),
                    float(c["det_prob"]),
                    float(c["class_prob"]),
                )
                for c in doc["annotation"]
                if c["end_time"] <= duration
            )

        assert calls(back) == calls(source)
        assert len({c["class"] for c in source["annotation"]}) >= 1
    # The EPTSER file mixes species: each call keeps its own class, not the file's.
    mixed = by_id["20180530_213516-EPTSER-LR_0_0.5.wav"]
    assert {"Eptesicus serotinus", "Pipistrellus pipistrellus"} <= {
        c["class"] for c in mixed["annotation"]
    }
