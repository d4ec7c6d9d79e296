"""Annotation files in and out of a project: AOEF, Raven, Audacity, BatDetect2 and CSV.

Import: `annotator.formats` reads the file (format sniffed by content); its recordings are matched
to the project's by sha256, then path relative to the root, then file name (paths in the file
are only compared, never opened); labels are mapped to the project's tags; each box goes to the
clip that contains its start and is checked with the rules of `queue.validate_submission`. Then
the boxes are saved as ClipAnnotations of one annotator, in one transaction: any bad box refuses
the whole file with a FormatError naming its line or JSON field. An annotation the annotator
already has on a clip gets a new version (the old one kept as a revision), never overwritten.

Export: the project's (or a dataset's) annotations, rejected ones left out, as one file, or a zip
with one table per recording for the one-recording-per-file formats (Raven, Audacity).
"""

from annotator.exchange.exporting import ExportFile, annotation_set, export_annotations
from annotator.exchange.importing import ImportReport, home_clip, import_annotations
from annotator.exchange.reading import (
    FORMATS,
    HASH_COLUMN,
    Upload,
    box_places,
    match_recordings,
    read_upload,
    resolve_tags,
    unpack,
)

__all__ = [
    "FORMATS",
    "HASH_COLUMN",
    "ExportFile",
    "ImportReport",
    "Upload",
    "annotation_set",
    "box_places",
    "export_annotations",
    "home_clip",
    "import_annotations",
    "match_recordings",
    "read_upload",
    "resolve_tags",
    "unpack",
]
