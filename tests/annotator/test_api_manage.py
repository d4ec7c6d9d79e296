"""Leads managing their project through the API: creating projects, tags, members, settings."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotator import queue
from annotator.models import Membership, Project, Role, Tag
from tests import factories as f

BAD_COLOURS = ["red;}<", "red", "#ffcc0", "#ffcc00;", "#ggcc00", "#ffcc00 x", ""]


def grant_create(user) -> None:
    user.user_permissions.add(Permission.objects.get(codename="add_project"))


# --- creating projects ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["lead", "ann1", "viewer", "outsider"])
def test_members_without_the_right_cannot_create_projects(cast, api, who):
    response = api(cast[who]).post("/api/projects/", {"name": "Mine"}, format="json")
    assert response.status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


def test_refusal_comes_before_validation(cast, api, project):
    """A user without the right learns nothing from the body: not even that a name is taken."""
    response = api(cast["ann1"]).post("/api/projects/", {"name": project.name}, format="json")
    assert response.status_code == 403


@pytest.mark.parametrize("how", ["permission", "staff"])
def test_granted_user_creates_a_project_and_becomes_its_lead(cast, api, how):
    user = cast["ann1"]
    if how == "permission":
        grant_create(user)
    else:
        user.is_staff = True
        user.save()
    body = {"name": "Pond bats", "description": "d", "settings": {"clip_length_s": 2.0}}
    response = api(user).post("/api/projects/", body, format="json")
    assert response.status_code == 201, response.json()
    created = Project.objects.get(name="Pond bats")
    assert created.clip_length_s == 2.0
    assert response.json()["settings"]["clip_length_s"] == 2.0
    assert created.role_of(user) == Role.LEAD
    assert list(created.memberships.values_list("user__username", flat=True)) == ["ann1"]


def test_invalid_new_project_creates_nothing(cast, api):
    grant_create(cast["ann1"])
    body = {"name": "Bad", "settings": {"clip_length_s": 1, "clip_overlap_s": 1}}
    response = api(cast["ann1"]).post("/api/projects/", body, format="json")
    assert response.status_code == 400
    assert "clip_overlap_s" in response.json()["settings"]
    assert not Project.objects.filter(name="Bad").exists()
    assert not Membership.objects.filter(user=cast["ann1"], role=Role.LEAD).exists()


# --- settings ----------------------------------------------------------------------------------------


def patch(api, user, project, body):
    return api(user).patch(f"/api/projects/{project.pk}/", body, format="json")


def test_clip_overlap_equal_to_length_is_refused(project, cast, api):
    response = patch(
        api, cast["lead"], project, {"settings": {"clip_length_s": 1, "clip_overlap_s": 1}}
    )
    assert response.status_code == 400
    assert "clip_overlap_s" in response.json()["settings"]
    project.refresh_from_db()
    assert (project.clip_length_s, project.clip_overlap_s) == (1.0, 0.0)


def test_overlap_checked_against_the_stored_length(project, cast, api):
    """A PATCH naming only the overlap is checked against the length already saved."""
    response = patch(api, cast["lead"], project, {"settings": {"clip_overlap_s": 1.5}})
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.clip_overlap_s == 0.0


def test_name_is_not_saved_with_refused_settings(project, cast, api):
    body = {"name": "Renamed", "settings": {"fmin_hz": 10, "fmax_hz": 5}}
    response = patch(api, cast["lead"], project, body)
    assert response.status_code == 400
    project.refresh_from_db()
    assert project.name == "Bats" and project.fmax_hz == 150_000


def test_name_and_settings_saved_together(project, cast, api):
    body = {"name": "Renamed", "settings": {"clip_length_s": 2, "clip_overlap_s": 0.5}}
    response = patch(api, cast["lead"], project, body)
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert (project.name, project.clip_length_s, project.clip_overlap_s) == ("Renamed", 2.0, 0.5)


def test_unknown_setting_is_refused(project, cast, api):
    response = patch(api, cast["lead"], project, {"name": "X", "settings": {"batch_sise": 3}})
    assert response.status_code == 400 and "batch_sise" in response.json()["settings"]
    project.refresh_from_db()
    assert project.name == "Bats"


def test_clip_bounds_refuses_a_step_that_does_not_move(project):
    recording = f.make_recording(project, duration_s=3.0)
    for length, overlap in [(1.0, 1.0), (1.0, 1.5), (0.0, 0.0), (float("nan"), 0.0)]:
        with pytest.raises(ValueError, match="overlap"):
            recording.clip_bounds(length, overlap)


# --- tags --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", BAD_COLOURS)
def test_bad_colour_is_refused_by_the_api(project, cast, api, colour):
    body = {"project": project.pk, "value": "Myotis", "color": colour}
    response = api(cast["lead"]).post("/api/tags/", body, format="json")
    assert response.status_code == 400 and "color" in response.json()
    assert not Tag.objects.filter(value="Myotis").exists()


@pytest.mark.parametrize("colour", [*BAD_COLOURS, "#ffcc00\n"])  # the API trims whitespace first
def test_bad_colour_is_refused_by_the_model(project, colour):
    with pytest.raises(ValidationError) as caught:
        Tag(project=project, value="Myotis", color=colour).full_clean()
    assert "color" in caught.value.message_dict


def test_bad_colour_is_refused_by_the_database(project):
    """Commands and imports write tags without full_clean; the database still refuses."""
    with pytest.raises(IntegrityError), transaction.atomic():
        Tag.objects.create(project=project, value="Myotis", color="red;}<")
    assert not Tag.objects.filter(value="Myotis").exists()


def test_bad_colour_cannot_be_patched_in(project, cast, api):
    tag = f.make_tag(project)
    response = api(cast["lead"]).patch(f"/api/tags/{tag.pk}/", {"color": "red;}<"}, format="json")
    assert response.status_code == 400
    tag.refresh_from_db()
    assert tag.color == "#ffcc00"


def test_good_colour_and_hotkey_are_saved_in_one_spelling(project, cast, api):
    body = {"project": project.pk, "value": "Myotis", "color": "#12AbEf", "hotkey": "M"}
    response = api(cast["lead"]).post("/api/tags/", body, format="json")
    assert response.status_code == 201, response.json()
    tag = Tag.objects.get(value="Myotis")
    assert (tag.color, tag.hotkey) == ("#12AbEf", "m")


def test_hotkey_is_unique_per_project_whatever_its_case(project, cast, api):
    f.make_tag(project, "Myotis myotis", hotkey="m")
    body = {"project": project.pk, "value": "Myotis nattereri", "hotkey": "M"}
    response = api(cast["lead"]).post("/api/tags/", body, format="json")
    assert response.status_code == 400
    assert "hotkey" in str(response.json())
    assert not Tag.objects.filter(value="Myotis nattereri").exists()


@pytest.mark.parametrize("hotkey", ["k", "S", "?", "é", "mm"])
def test_page_keys_and_symbols_are_not_hotkeys(project, cast, api, hotkey):
    body = {"project": project.pk, "value": "Myotis", "hotkey": hotkey}
    response = api(cast["lead"]).post("/api/tags/", body, format="json")
    assert response.status_code == 400 and "hotkey" in response.json()
    assert not Tag.objects.filter(value="Myotis").exists()


def test_a_used_tag_is_not_deleted(project, cast, api):
    tag = f.make_tag(project)
    clip = f.make_clip(project)
    queue.save_annotation(project, clip, cast["ann1"], queue.Submission(tags=[tag.pk]))
    response = api(cast["lead"]).delete(f"/api/tags/{tag.pk}/")
    assert response.status_code == 400 and "rename" in str(response.json())
    assert Tag.objects.filter(pk=tag.pk).exists()
    assert (
        api(cast["lead"]).delete(f"/api/tags/{f.make_tag(project, 'unused').pk}/").status_code
        == 204
    )


@pytest.mark.parametrize("who, status", [("ann1", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_change_or_delete_tags(project, cast, api, who, status):
    tag = f.make_tag(project)
    client = api(cast[who])
    assert client.patch(f"/api/tags/{tag.pk}/", {"value": "x"}, format="json").status_code == status
    assert client.delete(f"/api/tags/{tag.pk}/").status_code == status
    tag.refresh_from_db()
    assert tag.value == "Myotis myotis"


# --- members -----------------------------------------------------------------------------------------


def add(api, by, project, **body):
    return api(by).post("/api/memberships/", {"project": project.pk, **body}, format="json")


def test_lead_adds_a_member_by_username(project, cast, api):
    newcomer = f.make_user("newcomer")
    response = add(api, cast["lead"], project, account="newcomer", role="viewer")
    assert response.status_code == 201, response.json()
    assert response.json()["username"] == "newcomer"
    assert project.role_of(newcomer) == Role.VIEWER


def test_a_new_member_is_an_annotator_unless_told(project, cast, api):
    newcomer = f.make_user("newcomer")
    assert add(api, cast["lead"], project, account="newcomer").status_code == 201
    assert project.role_of(newcomer) == Role.ANNOTATOR


def test_lead_adds_a_member_by_email(project, cast, api):
    newcomer = f.make_user("newcomer", email="Bat.Person@example.org")
    response = add(api, cast["lead"], project, account="bat.person@example.org", role="annotator")
    assert response.status_code == 201
    assert project.role_of(newcomer) == Role.ANNOTATOR


def test_shared_email_names_nobody(project, cast, api):
    f.make_user("twin1", email="shared@example.org")
    f.make_user("twin2", email="shared@example.org")
    response = add(api, cast["lead"], project, account="shared@example.org", role="annotator")
    assert response.status_code == 400
    assert not project.memberships.filter(user__username__startswith="twin").exists()


def test_ids_are_not_accepted_and_probe_nothing(project, cast, api):
    """An id of a real account and an id of none get the same answer, and nobody is added."""
    real = f.make_user("real-account")
    missing = real.pk + 1000
    before = Membership.objects.count()
    answers = [
        add(api, cast["lead"], project, user=pk, role="annotator") for pk in (real.pk, missing)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()
    # Typed into the account field, an id is a username like any other: no such account.
    by_text = [
        add(api, cast["lead"], project, account=str(pk), role="annotator")
        for pk in (real.pk, missing)
    ]
    assert [a.status_code for a in by_text] == [400, 400]
    assert by_text[0].json() == by_text[1].json()
    assert Membership.objects.count() == before


def test_unknown_username_and_inactive_account_answer_alike(project, cast, api):
    f.make_user("gone", is_active=False)
    answers = [
        add(api, cast["lead"], project, account=name, role="annotator")
        for name in ("nobody", "gone")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[0].json() == answers[1].json()


def test_adding_a_member_twice_is_refused(project, cast, api):
    response = add(api, cast["lead"], project, account="ann1", role="viewer")
    assert response.status_code == 400 and "Already" in str(response.json())
    assert project.role_of(cast["ann1"]) == Role.ANNOTATOR


@pytest.mark.parametrize("who, status", [("ann1", 403), ("viewer", 403), ("outsider", 400)])
def test_only_leads_add_members(project, cast, api, who, status):
    f.make_user("newcomer")
    response = add(api, cast[who], project, account="newcomer", role="lead")
    assert response.status_code == status
    assert not project.memberships.filter(user__username="newcomer").exists()


def test_lead_changes_a_role_and_removes_a_member(project, cast, api):
    client = api(cast["lead"])
    membership = project.memberships.get(user=cast["ann1"])
    response = client.patch(f"/api/memberships/{membership.pk}/", {"role": "viewer"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "viewer"
    assert client.delete(f"/api/memberships/{membership.pk}/").status_code == 204
    assert project.role_of(cast["ann1"]) is None


def test_members_cannot_be_moved_to_another_account(project, cast, api):
    membership = project.memberships.get(user=cast["ann1"])
    response = api(cast["lead"]).patch(
        f"/api/memberships/{membership.pk}/", {"account": "ann2"}, format="json"
    )
    assert response.status_code == 400
    membership.refresh_from_db()
    assert membership.user == cast["ann1"]


@pytest.mark.parametrize("who, status", [("ann1", 403), ("viewer", 403), ("outsider", 404)])
def test_only_leads_change_roles(project, cast, api, who, status):
    membership = project.memberships.get(user=cast["ann2"])
    client = api(cast[who])
    assert (
        client.patch(
            f"/api/memberships/{membership.pk}/", {"role": "lead"}, format="json"
        ).status_code
        == status
    )
    assert client.delete(f"/api/memberships/{membership.pk}/").status_code == status
    assert project.role_of(cast["ann2"]) == Role.ANNOTATOR


def test_the_last_lead_stays(project, cast, api):
    client = api(cast["lead"])
    mine = project.memberships.get(user=cast["lead"])
    assert (
        client.patch(
            f"/api/memberships/{mine.pk}/", {"role": "annotator"}, format="json"
        ).status_code
        == 400
    )
    assert client.delete(f"/api/memberships/{mine.pk}/").status_code == 400
    assert Project.objects.get(pk=project.pk).role_of(cast["lead"]) == Role.LEAD
    # with a second lead, the first may step down
    other = project.memberships.get(user=cast["ann1"])
    assert (
        client.patch(f"/api/memberships/{other.pk}/", {"role": "lead"}, format="json").status_code
        == 200
    )
    assert (
        client.patch(
            f"/api/memberships/{mine.pk}/", {"role": "annotator"}, format="json"
        ).status_code
        == 200
    )


def test_a_member_added_twice_at_once_is_refused_not_500(project, cast, api, monkeypatch):
    """Two leads adding one account together: the second's check passed before the first saved."""
    monkeypatch.setattr(Membership, "full_clean", lambda self, *a, **k: None)  # the check raced
    response = add(api, cast["lead"], project, account="ann1", role="viewer")
    assert response.status_code == 400 and "Already" in str(response.json())
    assert project.role_of(cast["ann1"]) == Role.ANNOTATOR
