"""Where the shared real recordings live, and helpers the format tests share."""

from __future__ import annotations

from pathlib import Path

from annotator.formats.base import AnnotationSet, Box

# /work/main/tests/annotator -> /work/shared/data; CI clones shared/ beside the repo too.
SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
WHOMBAT = SHARED / "bats" / "whombat-example"
BATDETECT2 = SHARED / "bats" / "batdetect2-example" / "anns"
CHRONISTER = SHARED / "birds" / "chronister-2021-snippet"
RAVEN_TABLE = CHRONISTER / "Recording_1_Segment_07.Table.1.selections.txt"
SPINETAIL = SHARED / "birds" / "spinetail-maad" / "spinetail.txt"
FINCH = SHARED / "birds" / "bengalese-finch-gy6or6" / "annotations_simple.csv"


# BirdNET-Analyzer outputs, written after its documented formats.
# `--rtype csv`, one file per recording (older versions have no File column).
BIRDNET_CSV = (
    "Start (s),End (s),Scientific name,Common name,Confidence\n"
    "0.0,3.0,Turdus migratorius,American Robin,0.8123\n"
    "3.0,6.0,Cardinalis cardinalis,Northern Cardinal,0.5012\n"
)
# `--rtype csv` combined over a folder: the File column names each recording.
BIRDNET_CSV_WITH_FILE = (
    "Start (s),End (s),Scientific name,Common name,Confidence,File\n"
    "44.0,47.0,Catharus ustulatus,Swainson's Thrush,0.8123,/data/night1/a.wav\n"
    "50.0,53.0,Porzana carolina,Sora,0.7000,/data/night1/b.wav\n"
)
# `--rtype table`: a Raven selection table; 'nocall' rows are placeholders for empty files.
BIRDNET_TABLE = (
    "Selection\tView\tChannel\tBegin Time (s)\tEnd Time (s)\tLow Freq (Hz)\tHigh Freq (Hz)\t"
    "Common Name\tSpecies Code\tConfidence\tBegin Path\tFile Offset (s)\n"
    "1\tSpectrogram 1\t1\t0\t3.0\t0\t15000\tAmerican Robin\tamerob\t0.9042\t/data/a.wav\t0\n"
    "2\tSpectrogram 1\t1\t63.0\t66.0\t0\t15000\tSora\tsora\t0.4100\t/data/b.wav\t3.0\n"
    "3\tSpectrogram 1\t1\t120\t123\t0\t15000\tnocall\tnocall\t1.0\t/data/c.wav\t0\n"
)
# `--rtype r`
BIRDNET_R_TABLE = (
    "filepath,start,end,scientific_name,common_name,confidence,lat,lon,week,overlap,sensitivity,min_conf,species_list,model\n"
    "/data/a.wav,0.0,3.0,Strix varia,Barred Owl,0.4200,42.1,-71.9,24,0.0,1.0,0.1,,BirdNET_GLOBAL_6K_V2.4_Model_FP32\n"
)


def geometry(box: Box) -> tuple[object, ...]:
    """What two formats must agree on for a box: where it is and what it is."""
    return (box.recording, box.start_s, box.end_s, box.low_hz, box.high_hz, box.label)


def geometries(annset: AnnotationSet) -> list[tuple[object, ...]]:
    return sorted((geometry(box) for box in annset.boxes), key=repr)
