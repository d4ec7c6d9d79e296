"""The annotator's REST API. Views validate input, call one domain function, return the result."""

from __future__ import annotations

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from annotator import projects, queue
from annotator.access import check_role, project_for, projects_of
from annotator.api import serializers as s
from annotator.api.permissions import ProjectRole
from annotator.models import (
    AnnotationTask,
    Clip,
    ClipAnnotation,
    Dataset,
    Membership,
    Project,
    Recording,
    Role,
    Site,
    Tag,
)
from annotator.stats import project_counts


class ProjectScopedViewSet(viewsets.ModelViewSet):
    """Rows of projects the user belongs to; writes by ``write_roles`` (leads by default)."""

    permission_classes = [ProjectRole]
    write_roles: tuple[str, ...] = (Role.LEAD,)

    def get_queryset(self):
        return self.queryset.filter(project__in=projects_of(self.request.user))

    def perform_create(self, serializer):
        project = serializer.validated_data.get("project")
        check_role(project, self.request.user, self.write_roles)
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
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects the user is a member of. Leads change them; staff and users granted
    ``annotator.add_project`` create them and become their lead (see ``annotator.projects``)."""

    serializer_class = s.ProjectSerializer
    permission_classes = [ProjectRole]

    def get_queryset(self):
        return projects_of(self.request.user).distinct().prefetch_related("tags")

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
        """Skipped clips, newest first: who skipped them and why (leads only)."""
        project = project_for(request.user, pk, roles=(Role.LEAD,))
        paginator = PageNumberPagination()
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
        check_role(data["project"], self.request.user, self.write_roles)
        serializer.instance = projects.add_member(data["project"], data["account"], data.get("role"))

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


class RecordingViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Recordings are made by ingest; a lead may change only their ``role``."""

    queryset = Recording.objects.all()
    serializer_class = s.RecordingSerializer
    permission_classes = [ProjectRole]
    filterset_fields = ["project", "dataset", "site", "role"]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return self.queryset.filter(project__in=projects_of(self.request.user))

    def perform_update(self, serializer):
        check_role(serializer.instance.project, self.request.user, (Role.LEAD,))
        serializer.save()


class ClipViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Clip.objects.select_related("recording")
    serializer_class = s.ClipSerializer
    permission_classes = [ProjectRole]
    filterset_fields = ["project", "recording"]

    def get_queryset(self):
        return self.queryset.filter(project__in=projects_of(self.request.user))


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = AnnotationTask.objects.select_related("clip__recording", "project")
    serializer_class = s.TaskSerializer
    permission_classes = [ProjectRole]
    write_roles = (Role.LEAD, Role.ANNOTATOR)
    filterset_fields = ["project", "status", "source", "is_audit", "round_number"]

    def get_queryset(self):
        return self.queryset.filter(project__in=projects_of(self.request.user))

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
        check_role(task.project, request.user, (Role.LEAD, Role.ANNOTATOR))
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
        check_role(task.project, request.user, (Role.LEAD, Role.ANNOTATOR))
        serializer = s.SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        annotation = queue.submit(task, request.user, serializer.to_submission())
        return Response(s.ClipAnnotationSerializer(annotation).data)


class ClipAnnotationViewSet(viewsets.ReadOnlyModelViewSet):
    """Submitted annotations. The author edits their own with PUT (409 on a stale version)."""

    queryset = ClipAnnotation.objects.select_related("annotator").prefetch_related("events", "tags")
    serializer_class = s.ClipAnnotationSerializer
    permission_classes = [ProjectRole]
    write_roles = (Role.LEAD, Role.ANNOTATOR)
    filterset_fields = ["project", "clip", "annotator", "review_status"]

    def get_queryset(self):
        return self.queryset.filter(project__in=projects_of(self.request.user))

    @extend_schema(request=s.SubmissionSerializer, responses={200: s.ClipAnnotationSerializer})
    def update(self, request, pk=None):
        annotation = self.get_object()
        if annotation.annotator_id != request.user.pk:
            raise PermissionDenied("Only the author edits an annotation; leads use review.")
        check_role(annotation.project, request.user, (Role.LEAD, Role.ANNOTATOR))
        serializer = s.SubmissionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.to_submission()
        queue.validate_submission(annotation.project, annotation.clip, data)
        with transaction.atomic():
            updated = queue.save_annotation(annotation.project, annotation.clip, request.user, data)
        return Response(s.ClipAnnotationSerializer(updated).data)
