"""Review, agreement, and annotation import/export endpoints (included under /api/)."""

from django.urls import path

from annotator.api import exchange, review

urlpatterns = [
    path(
        "projects/<int:pk>/annotations/import/",
        exchange.import_annotations,
        name="annotations-import",
    ),
    path(
        "projects/<int:pk>/annotations/export/",
        exchange.export_annotations,
        name="annotations-export",
    ),
    path(
        "projects/<int:pk>/annotations/export/options/",
        exchange.export_options,
        name="annotations-export-options",
    ),
    path("projects/<int:pk>/agreement/", review.project_agreement, name="project-agreement"),
    path(
        "projects/<int:pk>/disagreements/",
        review.project_disagreements,
        name="project-disagreements",
    ),
    path("projects/<int:pk>/review/", review.project_review_list, name="project-review-list"),
    path("annotations/<int:pk>/review/", review.review_annotation, name="annotation-review"),
    path(
        "annotations/<int:pk>/comparison/",
        review.annotation_comparison,
        name="annotation-comparison",
    ),
    path(
        "annotations/<int:pk>/consensus/",
        review.annotation_consensus,
        name="annotation-consensus",
    ),
    path(
        "annotations/<int:pk>/revisions/",
        review.annotation_revisions,
        name="annotation-revisions",
    ),
]
