"""The annotator's REST API. Views validate input, call one domain function, return the result."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from annotator import ingest, long_events, projects, queue, tasks
from annotator.access import LEAD_ROLES, WRITE_ROLES, project_for, projects_of
from annotator.api import serializers as s
from annotator.api.pagination import KeyPagination, NewestFirstKeyPagination
from annotator.api.permissions import ProjectScoped
from annotator.models import (
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Dataset,
    Membership,
    Project,
    Recording,
    Site,
    Tag,
)
from annotator.stats import project_counts


class ProjectScopedViewSet(ProjectScoped, viewsets.ModelViewSet):
    """Rows of projects the user belongs to, created and changed by ``write_roles``."""

    def perform_create(self, serializer):
        self.check_write(serializer.validated_data.get("project"))
        serializer.save()

    def perform_update(self, serializer):
        refuse_move(serializer)
        serializer.save()

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        field = getattr(serializer, "fields", {}).get("project")
        if field is not None and hasattr(field, "queryset"):
            # Only projects the user can see are valid targets (others read as "does not exist").
            field.queryset = projects_of(self.request.user)
        return serializer


def refuse_move(serializer) -> None:
    new_project = serializer.validated_data.get("project")
    if new_project is not None and new_project != serializer.instance.project:
        raise ValidationError({"project": "Rows cannot move between projects."})


class ProjectViewSet(
    ProjectScoped,
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects the user is a member of. Leads change them; staff and users granted
    ``annotator.add_project`` create them and become their lead (see ``annotator.projects``)."""

    queryset = Project.objects.prefetch_related("tags")
    serializer_class = s.ProjectSerializer
    project_field = "pk"

    def perform_update(self, serializer):
        cut = tuple(getattr(serializer.instance, name) for name in ingest.CUT_SETTINGS)
        project = serializer.save()
        tasks.recut_if_changed(project, cut)

    def create(self, request, *args, **kwargs):
        # Refused before the body is read: no validation answer tells an outsider anything.
        if not projects.may_create_projects(request.user):
            raise PermissionDenied("Ask an admin for the right to create projects.")
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        row = Project(**serializer.validated_data)
        serializer.instance = projects.create_project(self.request.user, row)

    @extend_schema(
        request=None,
        responses={200: s.TaskSerializer, 204: OpenApiResponse(description="Queue empty")},
    )
    @action(detail=True, methods=["post"], url_path="tasks/next")
    def next_task(self, request, pk=None):
        """Lease the next task of this project's queue (or the one you already hold)."""
        project = project_for(request.user, pk)
        task = queue.claim_next(project, request.user)
        if task is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(s.TaskSerializer(task, context={"request": request}).data)

    @extend_schema(responses={200: s.SkippedTaskSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def skips(self, request, pk=None):
        """Skipped clips, newest first, paged by key: who skipped them and why (leads only)."""
        project = project_for(request.user, pk, roles=LEAD_ROLES)
        paginator = NewestFirstKeyPagination()
        page = paginator.paginate_queryset(queue.skipped_tasks(project), request, view=self)
        return paginator.get_paginated_response(s.SkippedTaskSerializer(page, many=True).data)

    @action(detail=True, methods=["get"])
    def stats(self, request, pk=None):
        """Counts of recordings, clips, annotations and tasks by status."""
        return Response(project_counts(project_for(request.user, pk)))


class MembershipViewSet(ProjectScopedViewSet):
    queryset = Membership.objects.select_related("user")
    serializer_class = s.MembershipSerializer
    filterset_fields = ["project", "role"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        self.check_write(data["project"])
        serializer.instance = projects.add_member(
            data["project"], data["account"], data.get("role")
        )

    def perform_update(self, serializer):
        refuse_move(serializer)
        role = serializer.validated_data.get("role", serializer.instance.role)
        projects.change_role(serializer.instance, role)

    def perform_destroy(self, instance):
        projects.remove_member(instance)


class TagViewSet(ProjectScopedViewSet):
    queryset = Tag.objects.all()
    serializer_class = s.TagSerializer
    filterset_fields = ["project", "key"]

    def perform_destroy(self, instance):
        projects.delete_tag(instance)


class DatasetViewSet(ProjectScopedViewSet):
    queryset = Dataset.objects.all()
    serializer_class = s.DatasetSerializer
    filterset_fields = ["project"]


class SiteViewSet(ProjectScopedViewSet):
    queryset = Site.objects.all()
    serializer_class = s.SiteSerializer
    filterset_fields = ["project"]


class RecordingViewSet(ProjectScoped, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recordings are made by ingest; a lead may change only their ``role``."""

    queryset = Recording.objects.all()
    serializer_class = s.RecordingSerializer
    filterset_fields = ["project", "dataset", "site", "role"]
    pagination_class = KeyPagination
    http_method_names = ["get", "patch", "head", "options"]


class ClipViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Clips in id order, paged by key (``next`` holds a cursor): pools run to millions of clips."""

    queryset = Clip.objects.select_related("recording")
    serializer_class = s.ClipSerializer
    filterset_fields = ["project", "recording"]
    pagination_class = KeyPagination


class TaskViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Tasks in id order, paged by key; their actions (``get_object``: ProjectRole) are for
    annotators and leads."""

    queryset = AnnotationTask.objects.select_related("clip__recording", "project")
    serializer_class = s.TaskSerializer
    pagination_class = KeyPagination
    write_roles = WRITE_ROLES
    filterset_fields = ["project", "status", "source", "is_audit", "round_number"]

    @extend_schema(
        request=s.SkipSerializer,
        responses={
            204: None,
            400: OpenApiResponse(description="Unknown reason, or 'other' without a note"),
            409: OpenApiResponse(description="You do not hold this task"),
        },
    )
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Skip the task, saying why; it comes back to you only after every other open task."""
        task = self.get_object()
        body = s.SkipSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        skipped = queue.skip(task, request.user, **body.validated_data)
        if skipped is None:
            return Response(
                {"detail": "You do not hold this task."}, status=status.HTTP_409_CONFLICT
            )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={
            200: s.TaskSerializer,
            409: OpenApiResponse(description="You no longer hold this task"),
        },
    )
    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        """Extend your lease on the task (the page does this while you work on the clip)."""
        task = self.get_object()
        if queue.renew(task, request.user) is None:
            return Response(
                {"detail": "Your lease ran out or was released; submitting still saves your work."},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(s.TaskSerializer(task, context={"request": request}).data)

    @extend_schema(request=s.SubmissionSerializer, responses={200: s.ClipAnnotationSerializer})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Save your annotation of the task's clip and complete the task (409 on a stale version)."""
        task = self.get_object()
        serializer = s.SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = queue.submit(task, request.user, serializer.to_submission())
        return Response(s.ClipAnnotationSerializer(annotation).data)


class ClipAnnotationViewSet(ProjectScoped, viewsets.ReadOnlyModelViewSet):
    """Submitted annotations in id order, paged by key. The author edits their own with PUT
    (409 on a stale version)."""

    queryset = ClipAnnotation.objects.select_related("annotator").prefetch_related("events", "tags")
    serializer_class = s.ClipAnnotationSerializer
    pagination_class = KeyPagination
    write_roles = WRITE_ROLES
    filterset_fields = ["project", "clip", "annotator", "review_status"]

    @extend_schema(request=s.SubmissionSerializer, responses={200: s.ClipAnnotationSerializer})
    def update(self, request, pk=None):
        annotation = self.get_object()
        if annotation.annotator_id != request.user.pk:
            raise PermissionDenied("Only the author edits an annotation; leads use review.")
        serializer = s.SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_submission()
        queue.validate_submission(annotation.project, annotation.clip, data)
        long_events.refuse_duplicates(annotation.clip, request.user, data.events)
        with transaction.atomic():
            updated = queue.save_annotation(annotation.project, annotation.clip, request.user, data)
        return Response(s.ClipAnnotationSerializer(updated).data)
