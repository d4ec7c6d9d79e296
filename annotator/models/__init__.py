from .annotations import AnnotationRevision, ClipAnnotation, SoundEventAnnotation
from .audio import AudioRoot, Clip, Dataset, Recording, SamplingRole, Site
from .cache import RenderedViewEntry, RenderLease
from .consensus import Consensus
from .imports import ImportJob
from .project import Membership, Project, Role, Tag
from .tasks import AnnotationTask, SkipReason, TaskSkip, TaskStatus

__all__ = [
    "AnnotationRevision",
    "AnnotationTask",
    "AudioRoot",
    "Clip",
    "ClipAnnotation",
    "Consensus",
    "Dataset",
    "ImportJob",
    "Membership",
    "Project",
    "Recording",
    "RenderedViewEntry",
    "RenderLease",
    "Role",
    "SamplingRole",
    "Site",
    "SkipReason",
    "SoundEventAnnotation",
    "Tag",
    "TaskSkip",
    "TaskStatus",
]
