"""Names and constants of the AOEF schema shared by the reader and the writer."""

from __future__ import annotations

import uuid

NAME = "aoef"
AOEF_VERSION = "1.1.0"  # soundevent.io.load refuses any other version

# Keys that carry the species, in order of preference. soundevent 2.x saves a tag
# created with key "species" under its term name "dwc:scientificName".
LABEL_KEYS = (
    "species",
    "dwc:scientificName",
    "scientific_name",
    "scientificName",
    "taxon",
    "label",
)
ANNOTATION_TYPES = ("annotation_project", "annotation_set")
PREDICTION_TYPE = "prediction_set"
# Whombat's own collections: a model run is a prediction set with the model's name and version,
# an evaluation set an annotation set whose clips are held out to measure models on.
MODEL_RUN_TYPE = "model_run"
EVALUATION_TYPE = "evaluation_set"
READ_PREDICTION_TYPES = (PREDICTION_TYPE, MODEL_RUN_TYPE)
READ_ANNOTATION_TYPES = (*ANNOTATION_TYPES, EVALUATION_TYPE)
RECORDING_TYPES = ("dataset", "recording_set")
DONE_STATES = ("completed", "verified")

# Namespace for UUIDs derived from a recording's hash or path, so that exporting the same
# recording twice gives it the same UUID and Whombat recognises it.
RECORDING_NAMESPACE = uuid.UUID("5b0bb2a4-4f8e-4ad5-8a57-0d8d8c4b1e6f")
