"""The lead's settings page and the new-project page, through Django's test client."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from annotator.models import Membership, Project, Role, Tag
from annotator.models.project import PAGE_KEYS
from tests import factories as f

HOTKEYS_TS = Path(__file__).resolve().parents[2] / "frontend" / "src" / "hotkeys.ts"


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def manage_url(project, rest: str = "") -> str:
    return f"/projects/{project.pk}/manage/{rest}"


def settings_post(project, **changes) -> dict:
    """The settings form as the page sends it, with ``changes`` applied."""
    from annotator.forms import ProjectForm

    form = ProjectForm(instance=project)
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["sampling_params"] = "{}"
    return data | changes


def test_page_keys_match_the_annotation_page():
    """The keys refused as hotkeys are the annotation page's own letters and digits."""
    source = HOTKEYS_TS.read_text()
    letters = re.search(r"const LETTERS[^{]*\{(.*?)\};", source, re.S).group(1)
    named = re.search(r"const NAMED[^{]*\{(.*?)\};", source, re.S).group(1)
    digits = re.findall(r'^\s*"([0-9a-zA-Z])":', named, re.M)
    assert set(re.findall(r"^\s*(\w):", letters, re.M)) | set(digits) == set(PAGE_KEYS)


@pytest.mark.parametrize(
    "who, status", [("lead", 200), ("ann1", 403), ("viewer", 403), ("outsider", 404)]
)
def test_only_leads_open_the_settings_page(project, cast, who, status):
    assert client_of(cast[who]).get(manage_url(project)).status_code == status


def test_lead_adds_edits_and_deletes_a_tag(project, cast):
    client = client_of(cast["lead"])
    body = {
        "new-tag-key": "species",
        "new-tag-value": "Myotis daubentonii",
        "new-tag-display_name": "",
        "new-tag-hotkey": "D",
        "new-tag-color": "#3366ff",
    }
    response = client.post(manage_url(project, "tags/"), body)
    assert response.status_code == 302 and response["Location"].endswith("#tags")
    tag = Tag.objects.get(project=project, value="Myotis daubentonii")
    assert (tag.hotkey, tag.color) == ("d", "#3366ff")
    prefix = f"tag-{tag.pk}"
    edit = {
        f"{prefix}-key": "species",
        f"{prefix}-value": "Myotis daubentonii",
        f"{prefix}-display_name": "Daubenton's bat",
        f"{prefix}-hotkey": "b",
        f"{prefix}-color": "#00ff00",
    }
    assert client.post(manage_url(project, f"tags/{tag.pk}/"), edit).status_code == 302
    tag.refresh_from_db()
    assert (tag.display_name, tag.hotkey, tag.color) == ("Daubenton's bat", "b", "#00ff00")
    assert client.post(manage_url(project, f"tags/{tag.pk}/delete/")).status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_refused_tag_keeps_the_input_and_saves_nothing(project, cast):
    f.make_tag(project, "Myotis myotis", hotkey="m")
    body = {
        "new-tag-key": "species",
        "new-tag-value": "Myotis nattereri",
        "new-tag-display_name": "",
        "new-tag-hotkey": "m",
        "new-tag-color": "red;}<",
    }
    response = client_of(cast["lead"]).post(manage_url(project, "tags/"), body)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another tag of this project has this hotkey." in page
    assert "A colour is # and six hex digits" in page
    assert 'value="Myotis nattereri"' in page  # the lead's input is still in the form
    assert "red;}<" not in page  # escaped where it is shown
    assert not Tag.objects.filter(value="Myotis nattereri").exists()


def test_lead_cannot_touch_another_projects_tag(project, cast):
    other = f.make_project("Other bats")
    tag = f.make_tag(other, "Not yours")
    client = client_of(cast["lead"])
    assert client.post(manage_url(project, f"tags/{tag.pk}/delete/")).status_code == 404
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_settings_refused_together_and_nothing_saved(project, cast):
    body = settings_post(project, name="Renamed", clip_length_s="1", clip_overlap_s="1")
    response = client_of(cast["lead"]).post(manage_url(project), body)
    assert response.status_code == 400
    assert "Must be shorter than the clip length." in response.content.decode()
    project.refresh_from_db()
    assert (project.name, project.clip_overlap_s) == ("Bats", 0.0)


def test_settings_saved(project, cast):
    body = settings_post(
        project, name="Renamed", clip_length_s="2", clip_overlap_s="0.5", batch_size="7"
    )
    response = client_of(cast["lead"]).post(manage_url(project), body)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.clip_length_s, project.clip_overlap_s, project.batch_size) == (
        "Renamed",
        2.0,
        0.5,
        7,
    )


def test_members_by_username_and_never_by_id(project, cast):
    newcomer = f.make_user("newcomer", email="new@example.org")
    client = client_of(cast["lead"])
    response = client.post(
        manage_url(project, "memberships/"),
        {"new-member-account": "new@example.org", "new-member-role": "viewer"},
    )
    assert response.status_code == 302
    assert project.role_of(newcomer) == Role.VIEWER
    answers = [
        client.post(
            manage_url(project, "memberships/"),
            {"new-member-account": who, "new-member-role": "lead"},
        )
        for who in (str(cast["outsider"].pk), "no-such-person")
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert all(
        "No single account has this username or e-mail address." in a.content.decode()
        for a in answers
    )
    assert project.role_of(cast["outsider"]) is None


def test_role_change_and_the_last_lead(project, cast):
    client = client_of(cast["lead"])
    ann1 = project.memberships.get(user=cast["ann1"])
    response = client.post(
        manage_url(project, f"memberships/{ann1.pk}/"), {f"member-{ann1.pk}-role": "viewer"}
    )
    assert response.status_code == 302
    mine = project.memberships.get(user=cast["lead"])
    refused = client.post(manage_url(project, f"memberships/{mine.pk}/delete/"))
    assert refused.status_code == 400 and "at least one lead" in refused.content.decode()
    assert Membership.objects.filter(pk=mine.pk).exists()
    assert client.post(manage_url(project, f"memberships/{ann1.pk}/delete/")).status_code == 302
    assert Project.objects.get(pk=project.pk).role_of(cast["ann1"]) is None


@pytest.mark.parametrize("who", ["ann1", "viewer"])
def test_other_members_cannot_post_changes(project, cast, who):
    ann2 = project.memberships.get(user=cast["ann2"])
    client = client_of(cast[who])
    assert (
        client.post(
            manage_url(project, f"memberships/{ann2.pk}/"), {f"member-{ann2.pk}-role": "lead"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            manage_url(project, "tags/"),
            {"new-tag-value": "x", "new-tag-key": "species", "new-tag-color": "#000000"},
        ).status_code
        == 403
    )
    assert (
        project.role_of(cast["ann2"]) == Role.ANNOTATOR
        and not Tag.objects.filter(value="x").exists()
    )


def test_new_project_page(cast):
    user = cast["ann1"]
    client = client_of(user)
    assert client.get("/projects/new/").status_code == 403
    assert "New project" not in client.get("/").content.decode()
    user.user_permissions.add(Permission.objects.get(codename="add_project"))
    assert 'id="new-project-link"' in client.get("/").content.decode()
    body = {
        "name": "Cave bats",
        "description": "",
        "annotation_mode": "box",
        "clip_length_s": "1",
        "clip_overlap_s": "1",
        "time_expansion": "10",
    }
    refused = client.post("/projects/new/", body)
    assert refused.status_code == 400 and not Project.objects.filter(name="Cave bats").exists()
    response = client.post("/projects/new/", body | {"clip_overlap_s": "0.25"})
    created = Project.objects.get(name="Cave bats")
    assert response.status_code == 302 and response["Location"] == f"/projects/{created.pk}/manage/"
    assert created.role_of(user) == Role.LEAD and created.clip_overlap_s == 0.25


def test_admin_refuses_a_bad_colour_and_a_page_key(project):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="pw-for-tests-only")
    body = {
        "project": project.pk,
        "key": "species",
        "value": "Myotis",
        "display_name": "",
        "hotkey": "",
        "color": "red;}<",
    }
    client = client_of(admin)
    response = client.post("/admin/annotator/tag/add/", body)
    assert (
        response.status_code == 200
        and "A colour is # and six hex digits" in response.content.decode()
    )
    response = client.post("/admin/annotator/tag/add/", body | {"color": "#123456", "hotkey": "k"})
    assert response.status_code == 200 and "page&#x27;s own keys" in response.content.decode()
    assert not Tag.objects.filter(value="Myotis").exists()
    assert (
        client.post(
            "/admin/annotator/tag/add/", body | {"color": "#123456", "hotkey": "q"}
        ).status_code
        == 302
    )
    assert Tag.objects.get(value="Myotis").hotkey == "q"
