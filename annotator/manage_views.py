"""A lead's settings page (project settings, tags and hotkeys, members and roles) and the page
that creates a project. Server-rendered forms: every rule is the model's (``full_clean``), a
refused form comes back with the lead's input and the reason beside it (400), nothing is saved."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from annotator import ingest, projects, tasks
from annotator.access import LEAD_ROLES, check_role, project_for
from annotator.forms import AddMemberForm, NewProjectForm, ProjectForm, RoleForm, TagForm
from annotator.models import Membership, Project, Role, Tag


def led_project(request: HttpRequest, pk: int) -> Project:
    """The project if the user leads it; 404 for outsiders, 403 for its other members."""
    project = project_for(request.user, pk)
    check_role(project, request.user, LEAD_ROLES, "Only the project's leads manage it.")
    return project


@login_required
def new_project(request: HttpRequest) -> HttpResponse:
    if not projects.may_create_projects(request.user):
        raise PermissionDenied("Ask an admin for the right to create projects.")
    form = NewProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = projects.create_project(request.user, form.save(commit=False))
        messages.success(request, f"Created {project.name}; you are its lead.")
        return redirect("project-manage", pk=project.pk)
    status = 400 if form.is_bound else 200
    return render(request, "annotator/manage_new.html", {"form": form}, status=status)


@login_required
def manage_project(request: HttpRequest, pk: int) -> HttpResponse:
    """The settings page; POST saves the project's name, description and settings together."""
    project = led_project(request, pk)
    if request.method != "POST":
        return settings_page(request, project)
    cut = tuple(getattr(project, name) for name in ingest.CUT_SETTINGS)
    form = ProjectForm(request.POST, instance=project)
    if not form.is_valid():
        return settings_page(request, project, settings_form=form)
    form.save()
    if tasks.recut_if_changed(project, cut):
        messages.success(
            request, "Settings saved; the clips are being re-cut (labelled clips are kept)."
        )
    else:
        messages.success(request, "Settings saved.")
    return redirect("project-manage", pk=project.pk)


@login_required
@require_POST
def add_tag(request: HttpRequest, pk: int) -> HttpResponse:
    project = led_project(request, pk)
    form = TagForm(request.POST, instance=Tag(project=project), prefix="new-tag")
    if not form.is_valid():
        return settings_page(request, project, new_tag_form=form)
    tag = form.save()
    messages.success(request, f"Added {tag.label}.")
    return back_to(project, "tags")


@login_required
@require_POST
def edit_tag(request: HttpRequest, pk: int, id: int) -> HttpResponse:
    project = led_project(request, pk)
    tag = get_object_or_404(Tag, pk=id, project=project)
    form = TagForm(request.POST, instance=tag, prefix=f"tag-{tag.pk}")
    if not form.is_valid():
        return settings_page(request, project, tag_forms={tag.pk: form})
    form.save()
    messages.success(request, f"Saved {tag.label}.")
    return back_to(project, "tags")


@login_required
@require_POST
def delete_tag(request: HttpRequest, pk: int, id: int) -> HttpResponse:
    project = led_project(request, pk)
    tag = get_object_or_404(Tag, pk=id, project=project)
    return act(request, project, "tags", projects.delete_tag, tag, done=f"Deleted {tag.label}.")


@login_required
@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    project = led_project(request, pk)
    form = AddMemberForm(request.POST, prefix="new-member")
    if form.is_valid():
        try:
            member = projects.add_member(
                project, form.cleaned_data["account"], form.cleaned_data["role"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {member.user.get_username()} as {member.role}.")
            return back_to(project, "members")
    return settings_page(request, project, member_form=form)


@login_required
@require_POST
def change_role(request: HttpRequest, pk: int, id: int) -> HttpResponse:
    project = led_project(request, pk)
    membership = get_object_or_404(Membership, pk=id, project=project)
    form = RoleForm(request.POST, prefix=f"member-{id}")
    if not form.is_valid():
        return settings_page(request, project, role_forms={id: form})
    role = form.cleaned_data["role"]
    done = f"{membership.user.get_username()} is now {role}."
    return act(request, project, "members", projects.change_role, membership, role, done=done)


@login_required
@require_POST
def remove_member(request: HttpRequest, pk: int, id: int) -> HttpResponse:
    project = led_project(request, pk)
    membership = get_object_or_404(Membership, pk=id, project=project)
    done = f"Removed {membership.user.get_username()}; their annotations stay."
    return act(request, project, "members", projects.remove_member, membership, done=done)


def act(request, project: Project, section: str, function, *args, done: str) -> HttpResponse:
    """Run one domain change; a refusal comes back as the page with its reason (400)."""
    try:
        function(*args)
    except ValidationError as exc:
        return settings_page(request, project, refusal=(section, exc.messages))
    messages.success(request, done)
    return back_to(project, section)


def back_to(project: Project, section: str) -> HttpResponse:
    return redirect(f"{reverse('project-manage', args=[project.pk])}#{section}")


def settings_page(request, project: Project, *, refusal=None, **bound) -> HttpResponse:
    """The page, with any bound (refused) form in place of its fresh one, answered 400 then."""
    tags = project.tags.order_by("key", "value")
    members = project.memberships.select_related("user").order_by("user__username")
    tag_forms = bound.get("tag_forms", {})
    role_forms = bound.get("role_forms", {})
    context = {
        "project": project,
        "role": Role.LEAD,
        "settings_form": bound.get("settings_form") or ProjectForm(instance=project),
        "tag_rows": [
            (t, tag_forms.get(t.pk) or TagForm(instance=t, prefix=f"tag-{t.pk}")) for t in tags
        ],
        "new_tag_form": bound.get("new_tag_form") or TagForm(prefix="new-tag"),
        "member_rows": [
            (m, role_forms.get(m.pk) or RoleForm(initial={"role": m.role}, prefix=f"member-{m.pk}"))
            for m in members
        ],
        "member_form": bound.get("member_form") or AddMemberForm(prefix="new-member"),
        "refusal": refusal,
    }
    status = 400 if bound or refusal else 200
    return render(request, "annotator/manage.html", context, status=status)
