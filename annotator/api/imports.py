"""Import jobs over the API: staff start them, members of the project follow their progress."""

from __future__ import annotations

from django.core.exceptions import SuspiciousFileOperation
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from annotator import import_jobs, ingest
from annotator.api.permissions import ProjectScoped
from annotator.models import ImportJob, Project, SamplingRole


class ImportJobSerializer(serializers.ModelSerializer):
    dataset_name = serializers.CharField(source="dataset.name", read_only=True, default=None)
    site_name = serializers.CharField(source="site.name", read_only=True, default=None)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "project",
            "location",
            "dataset_name",
            "site_name",
            "copy",
            "role",
            "status",
            "error",
            "total",
            "done",
            "imported",
            "clips",
            "report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class StartImportSerializer(serializers.Serializer):
    project = serializers.PrimaryKeyRelatedField(queryset=Project.objects.all())
    location = serializers.CharField(max_length=2000)
    dataset = serializers.CharField(max_length=200)
    site = serializers.CharField(max_length=200, required=False, allow_blank=True)
    copy = serializers.BooleanField(default=False)
    role = serializers.ChoiceField(choices=SamplingRole.choices, default=SamplingRole.POOL)


class ImportJobViewSet(
    ProjectScoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """``GET /api/imports/?project=`` lists imports with their progress (members of the project);
    ``POST`` starts one on the workers (staff: admins curate the data)."""

    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer

    def get_queryset(self):
        jobs = super().get_queryset()
        project = self.request.query_params.get("project")
        if project and project.isdigit():
            jobs = jobs.filter(project_id=int(project))
        return jobs.select_related("dataset", "site")

    def create(self, request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only admins import recordings.")
        body = StartImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            job = import_jobs.start(
                data["project"],
                data["location"],
                dataset=data["dataset"],
                site=data.get("site") or None,
                copy=data["copy"],
                role=data["role"],
                user=request.user,
            )
        except (SuspiciousFileOperation, ingest.IngestError) as exc:
            return Response({"location": [str(exc)]}, status=status.HTTP_400_BAD_REQUEST)
        from annotator.tasks import start_import

        try:
            start_import.delay(job.pk)
        except Exception as exc:  # kombu raises OperationalError and friends: say so, leave nothing
            import_jobs.fail(job, f"could not reach the workers: {exc}")
            return Response({"detail": "The task queue is unreachable; try again."}, status=503)
        job.refresh_from_db()
        return Response(ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)
