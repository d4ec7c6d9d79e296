"""Leads running their project: creating one, and who belongs to it in which role.

Who may create a project: staff, and any user holding Django's ``annotator.add_project``
permission (given to a user or a group in the admin). Creating a project makes its creator a
lead who can then add any account by name, so it is a right an admin hands out, not something
every annotator has; the standard model permission needs no new flag and is the same right that
lets a user add projects in the admin. The creator becomes the project's first lead.

Members are added by username or e-mail address, never by numeric id, so a lead cannot list the
accounts of the site by probing ids. A project always keeps at least one lead.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from annotator.models import Membership, Project, Role, Tag

CREATE_PERMISSION = "annotator.add_project"
NO_ACCOUNT = "No single account has this username or e-mail address."
ALREADY_A_MEMBER = {"account": "Already a member of this project."}


def may_create_projects(user) -> bool:
    """Staff, and users granted ``annotator.add_project`` (superusers hold every permission)."""
    return bool(user.is_authenticated and (user.is_staff or user.has_perm(CREATE_PERMISSION)))


def create_project(creator, project: Project) -> Project:
    """Save the (validated, unsaved) ``project`` with ``creator`` as its lead, both or neither."""
    with transaction.atomic():
        project.full_clean()
        project.save()
        Membership.objects.create(project=project, user=creator, role=Role.LEAD)
    return project


def find_account(who: str):
    """The active account whose username is ``who``, else the one whose e-mail it is, else None.

    An e-mail address two accounts share names neither of them.
    """
    who = who.strip()
    if not who:
        return None
    users = get_user_model().objects.filter(is_active=True)
    by_name = users.filter(username=who).first()
    if by_name is not None:
        return by_name
    by_email = list(users.filter(email__iexact=who)[:2]) if "@" in who else []
    return by_email[0] if len(by_email) == 1 else None


def add_member(project: Project, who: str, role: str | None = None) -> Membership:
    """Add the account named ``who`` (username or e-mail) in ``role`` (default: the model's);
    ValidationError if there is no such account or it is already a member."""
    user = find_account(who)
    if user is None:
        raise ValidationError({"account": NO_ACCOUNT})
    membership = Membership(project=project, user=user, **({"role": role} if role else {}))
    try:
        membership.full_clean()
        with transaction.atomic():
            membership.save()
    except ValidationError as exc:
        if NON_FIELD_ERRORS in exc.message_dict:  # the one-membership-per-project constraint
            raise ValidationError(ALREADY_A_MEMBER) from exc
        raise
    except IntegrityError as exc:  # Race: another lead added the same account just now.
        raise ValidationError(ALREADY_A_MEMBER) from exc
    return membership


def change_role(membership: Membership, role: str) -> Membership:
    """Give a member another role; the project's last lead stays a lead."""
    with transaction.atomic():
        _lock_leads(membership.project_id)
        if membership.role == Role.LEAD and role != Role.LEAD:
            _keep_a_lead(membership)
        membership.role = role
        membership.full_clean()
        membership.save(update_fields=["role"])
    return membership


def remove_member(membership: Membership) -> None:
    """Take a member out of the project (their annotations stay); the last lead stays."""
    with transaction.atomic():
        _lock_leads(membership.project_id)
        if membership.role == Role.LEAD:
            _keep_a_lead(membership)
        membership.delete()


def _lock_leads(project_id: int) -> None:
    # Two leads demoting each other at once would each see the other still a lead: lock the
    # project's lead rows first so the second change sees the first.
    list(Membership.objects.select_for_update().filter(project_id=project_id, role=Role.LEAD))


def _keep_a_lead(membership: Membership) -> None:
    others = Membership.objects.filter(project_id=membership.project_id, role=Role.LEAD).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError({"role": "A project needs at least one lead; make another first."})


def delete_tag(tag: Tag) -> None:
    """Delete a tag nobody has used; a used one is refused (deleting it would drop annotators'
    labels from their clips), so rename it instead."""
    boxes = tag.events.count()
    clips = tag.clip_annotations.count()
    if boxes or clips:
        raise ValidationError(
            f"{tag.label} labels {boxes} boxes and {clips} clips; rename it instead of deleting."
        )
    tag.delete()
