"""Every URL pattern × (anonymous, outsider, viewer, annotator, lead, admin), generated from the resolver.

The URLs are built by walking ``get_resolver()`` and filling each kwarg from a fixed world whose
objects all belong to one project ("the victim"); nothing is listed by hand except a small allow-list
of public URLs, so a new endpoint is in the matrix the moment it is routed, and a kwarg the world
cannot fill fails ``test_every_url_pattern_has_a_concrete_url`` until it is added here.

What must hold, per role:
- anonymous: refused (401/403/405 or a redirect to a login page), whatever the method;
- outsider (leads another project): a URL naming a victim object is 403/404 (405 for a method the
  view lacks), no response ever contains a victim's data (a sentinel string is in all of it), and
  writes change nothing;
- viewer: reads the victim's objects; every write fails and changes nothing;
- annotator: reads; writes other than the annotation loop's fail and change nothing;
- lead, admin: read everything (a positive control: the URL the matrix built really names the
  object, so the outsider's 404 is not vacuous). Their writes are tested where they are defined.
Nobody ever gets a 5xx. Non-staff users are sent to the admin's login page for every admin URL.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from rest_framework.authtoken.models import Token

SENTINEL = "Xq7zzSecret"
ROLES = ["anonymous", "outsider", "viewer", "annotator", "lead", "admin"]
WRITE_METHODS = ("post", "put", "patch", "delete")

# Public URLs (by URL name): reachable without logging in. Keep this list short.
PUBLIC = {
    "login": "the login page",
    "healthz": "load balancer and compose health check",
    "api-token": "the API's login (POST username and password; DELETE revokes your own token)",
    "admin:login": "the admin's login page",
    "admin:logout": "logging out of the admin",
}
# Writes any logged-in user may do to themselves only.
SELF_SERVICE = {"logout": "logging yourself out"}
# The annotation loop: writes an annotator (not only a lead) is meant to make.
ANNOTATOR_WRITES = {
    ("project-next-task", "post"),
    ("task-submit", "post"),
    ("task-release", "post"),
    ("task-renew", "post"),
    ("annotation-detail", "put"),
}
# The URL segment before a ``pk`` names the model it is a key of.
SEGMENT_OBJECTS = {
    "projects": "project",
    "memberships": "membership",
    "tags": "tag",
    "datasets": "dataset",
    "sites": "site",
    "recordings": "recording",
    "clips": "clip",
    "tasks": "task",
    "annotations": "annotation",
    "model-versions": "model_version",
    "training-runs": "training_run",
    "sampling-rounds": "sampling_round",
    "imports": "import_job",
    "user": "lead",
}
# Other kwarg names that are keys of a world object.
KWARG_OBJECTS = {
    "rid": "recording",
    "recording_pk": "recording",
    "project_pk": "project",
    "cid": "clip",
    "tid": "task",
    "request_id": "round_request",
}
OBJECT_KWARGS = {"pk", "id", "object_id", "content_type_id", *KWARG_OBJECTS}


# --- the URL patterns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the concatenated patterns, e.g. "api/^tasks/(?P<pk>[^/.]+)/submit/$"
    chain: tuple
    name: str  # namespaced, e.g. "admin:login"

    @property
    def pattern(self) -> URLPattern:
        return self.chain[-1]

    @property
    def callback(self):
        return self.pattern.callback


def _walk(patterns, chain=(), namespaces=()):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(
                p.url_patterns, chain + (p,), namespaces + ((p.namespace,) if p.namespace else ())
            )
        else:
            name = ":".join([*namespaces, p.name]) if p.name else ""
            yield Route("".join(str(x.pattern) for x in chain + (p,)), chain + (p,), name)


def all_routes() -> list[Route]:
    routes = {}
    for route in _walk(get_resolver().url_patterns):
        routes.setdefault(route.key, route)
    return list(routes.values())


def methods_of(route: Route) -> tuple[set[str], bool]:
    """The methods the view answers, and whether that is known (DRF and class-based views)."""
    callback = route.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return set(actions), True
    cls = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if cls is not None:
        return {m for m in ("get", *WRITE_METHODS) if hasattr(cls, m)}, True
    return {"get", "post"}, False


def is_admin(route: Route) -> bool:
    return route.key.startswith("admin/")


# --- the world: one victim project with one of everything ------------------------------------------


@dataclass
class World:
    users: dict
    objects: dict
    project_ids: list = field(default_factory=list)
    root_ids: list = field(default_factory=list)


def _write_wav(path: Path) -> None:
    rate = 96_000
    t = np.arange(int(0.6 * rate)) / rate
    sf.write(
        path, (0.3 * np.sin(2 * np.pi * 30_000 * t)).astype(np.float32), rate, subtype="PCM_16"
    )


def build_world(folder: Path) -> World:
    from annotator import ingest, queue
    from annotator.models import AnnotationTask, Role, Site
    from models_app.models import ModelVersion, Prediction, TrainingRun
    from sampling.models import SamplingPick, SamplingRound
    from tests import factories as f

    users = {
        name: f.make_user(f"matrix-{name}")
        for name in ("lead", "ann1", "annotator", "viewer", "outsider")
    }
    users["admin"] = get_user_model().objects.create_superuser("matrix-admin", password=None)
    victim = f.make_project(f"Bats {SENTINEL}", description=SENTINEL, fmin_hz=1000, fmax_hz=48_000)
    other = f.make_project("Other project")
    membership = f.add_member(victim, users["lead"], Role.LEAD)
    f.add_member(victim, users["ann1"], Role.ANNOTATOR)
    f.add_member(victim, users["annotator"], Role.ANNOTATOR)
    f.add_member(victim, users["viewer"], Role.VIEWER)
    f.add_member(other, users["outsider"], Role.LEAD)
    f.make_tag(other, "outsider's own tag")

    tag = f.make_tag(victim, f"Myotis {SENTINEL}")
    dataset = f.make_dataset(victim, f"dataset {SENTINEL}")
    site = Site.objects.create(project=victim, name=f"site {SENTINEL}")
    _write_wav(folder / f"{SENTINEL}.wav")
    root = f.make_root(folder, name=f"root {SENTINEL}")
    ingest.import_location(victim, dataset, str(folder), site=site)
    recording = victim.recordings.get()
    clip = recording.clips.first()
    queue.enqueue(victim, [clip], reasons=[f"reason {SENTINEL}"])
    task = queue.claim_next(victim, users["ann1"])
    event = queue.EventInput(0.1, 0.2, 20_000, 30_000, tag.pk, notes=SENTINEL)
    annotation = queue.submit(
        task, users["ann1"], queue.Submission(tags=[tag.pk], notes=SENTINEL, events=[event])
    )
    queue.save_annotation(
        victim, clip, users["ann1"], queue.Submission(version=1, notes=SENTINEL, events=[event])
    )
    version = ModelVersion.objects.create(
        project=victim,
        number=1,
        source="birdnet",
        is_active=True,
        class_names=[f"class {SENTINEL}"],
        metrics={"note": SENTINEL},
    )
    Prediction.objects.create(
        clip=clip,
        version=version,
        class_probs=[0.9],
        detections=[
            {
                "start_s": 0.1,
                "end_s": 0.2,
                "low_hz": 20_000,
                "high_hz": 30_000,
                "label": f"class {SENTINEL}",
                "score": 0.9,
            }
        ],
    )
    run = TrainingRun.objects.create(project=victim, status="failed", log=SENTINEL, error=SENTINEL)
    rnd = SamplingRound.objects.create(
        project=victim, number=1, strategy="random", params={"note": SENTINEL}
    )
    SamplingPick.objects.create(
        round=rnd, rank=1, clip=clip, task=task, score=0.5, reason=f"pick {SENTINEL}"
    )
    from sampling.models import RoundRequest

    round_request = RoundRequest.objects.create(
        project=victim, round=rnd, status="done", error=SENTINEL
    )
    Token.objects.create(user=users["lead"])
    group = Group.objects.create(name=f"group {SENTINEL}")
    from annotator.models import ImportJob

    import_job = ImportJob.objects.create(
        project=victim,
        dataset=dataset,
        site=site,
        location=f"{folder}/{SENTINEL}",
        report={"failed": {f"{SENTINEL}.wav": "truncated"}},
    )

    objects = {
        "project": victim,
        "membership": membership,
        "tag": tag,
        "dataset": dataset,
        "site": site,
        "recording": recording,
        "clip": clip,
        "task": AnnotationTask.objects.get(pk=task.pk),
        "annotation": annotation,
        "model_version": version,
        "training_run": run,
        "sampling_round": rnd,
        "round_request": round_request,
        "lead": users["lead"],
        "root": root,
        "group": group,
        "import_job": import_job,
    }
    return World(users, objects, [victim.pk, other.pk], [root.pk])


def destroy_world(world: World) -> None:
    from annotator.models import AudioRoot, Project, SoundEventAnnotation

    # Events first: their tags are PROTECTed, which blocks deleting the project in one go.
    SoundEventAnnotation.objects.filter(clip_annotation__project__in=world.project_ids).delete()
    Project.objects.filter(pk__in=world.project_ids).delete()
    AudioRoot.objects.filter(pk__in=world.root_ids).delete()
    Group.objects.filter(name__contains=SENTINEL).delete()
    get_user_model().objects.filter(pk__in=[u.pk for u in world.users.values()]).delete()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Created once for the module and committed; each test's own writes are rolled back."""
    media = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        built = build_world(tmp_path_factory.mktemp("matrix-audio"))
        try:
            yield built
        finally:
            destroy_world(built)


# --- concrete URLs --------------------------------------------------------------------------------


class UnfillableKwarg(LookupError):
    pass


def admin_instance(route: Route, world: World):
    model = getattr(getattr(route.callback, "model_admin", None), "model", None)
    if model is None:
        return None
    model = model._meta.concrete_model
    for obj in world.objects.values():
        if type(obj)._meta.concrete_model is model:
            return obj.user if isinstance(obj, Token) else obj
    if model is Token:
        return world.users["lead"]  # the token admin addresses a token by its user
    found = model.objects.first()
    if found is None:
        raise UnfillableKwarg(f"the matrix world has no {model.__name__}: add one in build_world")
    return found


def kwarg_value(name: str, inner: str, before: str, route: Route, world: World) -> str:
    if name == "format":
        return "json"
    if re.fullmatch(r"[\w]+(\|[\w]+)+", inner or ""):  # a choice of literals: take the first
        return inner.split("|")[0]
    if name == "content_type_id":
        return str(ContentType.objects.get_for_model(world.objects["project"]).pk)
    if name == "object_id" and "/r/" in f"/{before}":
        return str(world.objects["project"].pk)
    if name in KWARG_OBJECTS:
        return str(world.objects[KWARG_OBJECTS[name]].pk)
    if name in OBJECT_KWARGS:
        obj = admin_instance(route, world) if is_admin(route) and name == "object_id" else None
        if obj is None:
            segment = [s for s in before.split("/") if s][-1] if before.strip("/") else ""
            key = SEGMENT_OBJECTS.get(segment)
            if key is None:
                raise UnfillableKwarg(
                    f"{route.key}: no object for {name!r} after {segment!r}; add it to SEGMENT_OBJECTS"
                )
            obj = world.objects[key]
        return str(obj.pk)
    if name == "app_label":
        return "annotator"
    if name == "url":
        return "no-such-admin-page/"
    raise UnfillableKwarg(
        f"{route.key}: the matrix cannot fill the kwarg {name!r}; teach kwarg_value"
    )


def _fill_route(pattern: RoutePattern, before: str, route: Route, world: World) -> str:
    def repl(match: re.Match) -> str:
        name = match.group("name")
        converter = pattern.converters[name]
        value = kwarg_value(name, "", before + str(pattern)[: match.start()], route, world)
        if name == "format":
            return converter.to_url(value)
        return str(converter.to_url(converter.to_python(value)))

    return re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>\w+)>", repl, str(pattern))


def _fill_regex(regex: str, before: str, route: Route, world: World) -> str:
    regex = regex.removeprefix("^").removesuffix("$")
    out, i = "", 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            end_name = regex.index(">", i)
            name = regex[i + 4 : end_name]
            depth, j = 1, end_name + 1
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
                j += 1
            inner = regex[end_name + 1 : j - 1]
            out += kwarg_value(name, inner, before + out, route, world)
            i = j
        else:
            out += regex[i]
            i += 1
    return out.replace("/?", "").replace("\\", "")


def build_url(route: Route, world: World) -> str:
    url = ""
    for piece in route.chain:
        pattern = piece.pattern
        if isinstance(pattern, RoutePattern):
            url += _fill_route(pattern, url, route, world)
        elif isinstance(pattern, RegexPattern):
            url += _fill_regex(pattern.regex.pattern, url, route, world)
        else:
            raise UnfillableKwarg(f"{route.key}: unknown pattern type {type(pattern).__name__}")
    match = resolve("/" + url)
    if match.func is not route.callback:
        raise UnfillableKwarg(f"{route.key}: the built URL /{url} resolves to {match.view_name}")
    return "/" + url


def has_object(route: Route) -> bool:
    return any(set(p.pattern.regex.groupindex) & OBJECT_KWARGS for p in route.chain)


# --- database snapshots ---------------------------------------------------------------------------


def _models():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed and m is not Session
    ]


def snapshot() -> dict[str, str]:
    """A digest of every table but sessions: any insert, update or delete changes it."""
    if connection.vendor == "postgresql":
        tables = [m._meta.db_table for m in _models()]
        sql = " UNION ALL ".join(
            f"SELECT '{t}', md5(coalesce(string_agg(r::text, '|' ORDER BY r::text), '')) FROM \"{t}\" r"
            for t in tables
        )
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return dict(cursor.fetchall())
    state = {}
    for model in _models():
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model._base_manager.order_by("pk").values_list()
        ]
        state[model._meta.db_table] = hashlib.md5(repr(rows).encode()).hexdigest()
    return state


def changed(before: dict, after: dict) -> list[str]:
    return sorted(t for t in before if before[t] != after.get(t))


# --- the checks -----------------------------------------------------------------------------------


def login_redirect(response, admin: bool) -> bool:
    if response.status_code not in (301, 302):
        return False
    target = response.get("Location", "")
    return "/admin/login/" in target if admin else ("/login/" in target)


def refused_anonymous(response, route: Route) -> bool:
    return response.status_code in (401, 403, 405) or login_redirect(response, is_admin(route))


def client_for(role: str, world: World) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users["annotator" if role == "annotator" else role])
    return client


def write_body(world: World) -> str:
    o, u = world.objects, world.users
    return json.dumps(
        {
            "project": o["project"].pk,
            "name": "matrix write",
            "value": "matrix write",
            "key": "species",
            "user": u["outsider"].pk,
            "role": "lead",
            "description": "matrix",
            "settings": {"batch_size": 3},
            "version": None,
            "tags": [o["tag"].pk],
            "events": [],
            "no_calls": True,
            "notes": "matrix",
            "force": True,
            "status": "accepted",
            "review_status": "accepted",
            "strategy": "random",
            "batch_size": 1,
            "dataset": o["dataset"].pk,
            "recording": o["recording"].pk,
        }
    )


def check_read(route: Route, role: str, url: str, client: Client) -> list[str]:
    response = client.get(url)
    status, problems = response.status_code, []
    if status >= 500:
        return [f"GET {url} as {role}: {status}"]
    body = b"" if response.streaming else response.content
    admin = is_admin(route)
    public = route.name in PUBLIC
    if role == "anonymous" and not public and not refused_anonymous(response, route):
        problems.append(f"GET {url} as anonymous: {status}, expected 401/403 or a login redirect")
    elif role == "outsider":
        if SENTINEL.encode() in body:
            problems.append(
                f"GET {url} as outsider: the response contains the other project's data"
            )
        if admin and not public and not login_redirect(response, admin=True):
            problems.append(f"GET {url} as outsider: {status}, expected the admin login redirect")
        elif not admin and has_object(route) and status not in (403, 404, 405):
            problems.append(f"GET {url} as outsider: {status}, expected 403/404")
    elif role in ("viewer", "annotator", "lead") and admin and not public:
        if not login_redirect(response, admin=True):
            problems.append(
                f"GET {url} as {role} (not staff): {status}, expected the admin login redirect"
            )
    elif route.name == "admin:view_on_site":
        pass  # 404 by design: no model has get_absolute_url, so there is no site page to go to
    elif role in ("viewer", "annotator", "lead", "admin") and has_object(route) and status == 404:
        problems.append(f"GET {url} as {role}: 404 — the matrix built a URL that names nothing")
    elif role == "lead" and not admin and has_object(route) and status == 403:
        problems.append(f"GET {url} as lead: 403 for their own project")
    return problems


def check_write(
    route: Route, role: str, url: str, method: str, client: Client, world: World, known: bool
) -> list[str]:
    if route.name in PUBLIC or route.name in SELF_SERVICE:
        return []
    if role in ("lead", "admin") or (
        role == "annotator" and (route.name, method) in ANNOTATOR_WRITES
    ):
        return []
    before = snapshot()
    response = client.generic(
        method.upper(), url, write_body(world), content_type="application/json"
    )
    after = snapshot()
    status, problems = response.status_code, []
    if status >= 500:
        problems.append(f"{method.upper()} {url} as {role}: {status}")
    refused = status >= 400 or login_redirect(response, is_admin(route))
    # A plain function view that ignores the method (a page answering POST like GET) is harmless
    # as long as nothing changed; views that declare their methods must refuse.
    if known and not refused:
        problems.append(f"{method.upper()} {url} as {role}: {status}, expected a refusal")
    if changed(before, after):
        problems.append(f"{method.upper()} {url} as {role} changed {changed(before, after)}")
    if role == "outsider" and SENTINEL.encode() in response.content:
        problems.append(
            f"{method.upper()} {url} as outsider: the response contains the other project's data"
        )
    return problems


ROUTES = all_routes()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r.key for r in ROUTES])
def test_permission_matrix(world, route, role):
    url = build_url(route, world)
    methods, known = methods_of(route)
    client = client_for(role, world)
    problems = check_read(route, role, url, client) if "get" in methods else []
    for method in sorted(methods & set(WRITE_METHODS)):
        problems += check_write(route, role, url, method, client, world, known)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_every_url_pattern_has_a_concrete_url(world):
    """Every routed URL is in the matrix: its kwargs can be filled and the URL resolves back to it."""
    failures = []
    for route in ROUTES:
        try:
            build_url(route, world)
        except (UnfillableKwarg, LookupError) as exc:
            failures.append(str(exc))
    assert not failures, "\n".join(failures)
    assert len(ROUTES) > 60, "the resolver walk found suspiciously few URL patterns"


def test_public_allow_list_is_small_and_current():
    names = {route.name for route in ROUTES}
    assert set(PUBLIC) <= names, f"stale public entries: {set(PUBLIC) - names}"
    assert set(SELF_SERVICE) <= names
    assert {name for name, _ in ANNOTATOR_WRITES} <= names
    assert len(PUBLIC) <= 6


@pytest.mark.django_db
def test_media_of_another_project_is_404(world):
    """Spelled out for audio and images: an outsider gets 404, a viewer the bytes."""
    recording = world.objects["recording"]
    outsider, viewer = client_for("outsider", world), client_for("viewer", world)
    for kind in ("spectrogram.png", "scalogram.png", "audio.wav"):
        url = f"/api/recordings/{recording.pk}/{kind}?start=0&end=0.5"
        assert outsider.get(url).status_code == 404
        assert outsider.get(url, HTTP_RANGE="bytes=0-10").status_code == 404
        response = viewer.get(url)
        assert response.status_code == 200 and len(response.content) > 100
