"""soundevent's Acoustic Objects Exchange Format (AOEF): the JSON Whombat imports and exports.

Written with `json` only; the schema follows `soundevent.io.aoef` 2.x (version "1.1.0"):
a document `{"version", "created_on", "data"}` whose `data.collection_type` says what it
holds. Objects refer to each other by UUID (sound events to recordings, annotations to
sound events, clip annotations to clips) and to tags by integer id; tags are key/value.

Reading understands annotation projects and sets (boxes from `sound_event_annotations`),
prediction sets (boxes from `sound_event_predictions`, score as confidence) and datasets
or recording sets (recordings only). The box label is the value of the first tag whose key
is in `LABEL_KEYS`; other tags land in `Box.extra`. Geometries other than BoundingBox and
TimeInterval are reduced to their time-frequency bounds. Sequences are ignored.
"""

from annotator.formats.aoef.reading import read
from annotator.formats.aoef.schema import AOEF_VERSION, LABEL_KEYS, NAME
from annotator.formats.aoef.writing import recording_uuid, write

__all__ = ["AOEF_VERSION", "LABEL_KEYS", "NAME", "read", "recording_uuid", "write"]
