"""The experts' view options over the API: window, overlap, window type, sharpening, levels and the
scalogram's bandwidth; validated (400 naming the field), quantised in the cache key, bounded in
cost before any work; and the project's defaults checked by the same rule."""

import io

import numpy as np
import pytest
from PIL import Image

from annotator import dsp
from annotator.models import Project

pytestmark = pytest.mark.django_db

from tests.annotator.test_api_media import bat  # noqa: E402,F401  (the fixture: a real bat recording)


def _url(recording, kind="spectrogram", **params) -> str:
    query = "&".join(
        f"{k}={v}"
        for k, v in {"start": 0.5, "end": 0.6, "width": 600, "height": 256, **params}.items()
    )
    return f"/api/recordings/{recording.pk}/{kind}.png?{query}"


def _pixels(response) -> np.ndarray:
    assert response.status_code == 200, response.content[:300]
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize(
    "query, field",
    [
        ({"window_s": 0}, "window_s"),
        ({"window_s": "abc"}, "window_s"),
        ({"window_s": 0.5}, "window_s"),
        ({"overlap": 0.99}, "overlap"),
        ({"window_type": "kaiser"}, "window_type"),
        ({"sharpen": "blur"}, "sharpen"),
        ({"levels": "bright"}, "levels"),
        ({"w0": 1}, "w0"),
        ({"w0": "x"}, "w0"),
    ],
)
def test_bad_view_options_get_400_naming_the_field(bat, cast, api, query, field):  # noqa: F811
    kind = "scalogram" if field == "w0" else "spectrogram"
    response = api(cast["ann1"]).get(_url(bat, kind, **query))
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}:")


def test_each_option_changes_the_image(bat, cast, api):  # noqa: F811
    client = api(cast["ann1"])
    base = _pixels(client.get(_url(bat, window_s=0.002, levels="fixed")))
    for option in (
        {"window_s": 0.0005},
        {"overlap": 0.5},
        {"window_type": "boxcar"},
        {"sharpen": "reassigned"},
        {"sharpen": "multitaper"},
        {"levels": "auto"},
    ):
        other = _pixels(
            client.get(
                _url(
                    bat,
                    window_s=option.get("window_s", 0.002),
                    levels=option.get("levels", "fixed"),
                    **{k: v for k, v in option.items() if k not in ("window_s", "levels")},
                )
            )
        )
        assert (other != base).any(axis=2).mean() > 0.02, option  # over 2 % of the pixels change


def test_auto_window_shrinks_when_zoomed_in(bat, cast, api):  # noqa: F811
    """0.1 s over 600 px: the automatic window is 4 px = 0.67 ms, not the project's 2 ms."""
    client = api(cast["ann1"])
    auto = client.get(_url(bat, window_s="auto"))
    assert auto.content == client.get(_url(bat, window_s=0.1 * 4 / 600)).content
    assert auto.content != client.get(_url(bat, window_s=0.002)).content
    # zoomed out to the clip with its context, the automatic window is the project's
    wide = {"start": 0.4, "end": 1.6, "width": 1600, "height": 512}
    assert (
        client.get(_url(bat, window_s="auto", **wide))["ETag"]
        == client.get(_url(bat, window_s=0.002, **wide))["ETag"]
    )


def test_cache_keys_are_quantised_to_what_the_page_can_ask(bat, cast, api):  # noqa: F811
    client = api(cast["ann1"])
    etags = {
        client.get(_url(bat, window_s=w, overlap=o))["ETag"]
        for w in (0.00199, 0.002, 0.00201)
        for o in (0.74, 0.75, 0.76)
    }
    assert len(etags) == 1
    # with automatic levels the dB range is not used, so it does not split the cache
    assert (
        client.get(_url(bat, levels="auto", db_min=-80))["ETag"]
        == client.get(_url(bat, levels="auto", db_min=-70))["ETag"]
    )
    assert (
        client.get(_url(bat, levels="fixed", db_min=-80))["ETag"]
        != client.get(_url(bat, levels="fixed", db_min=-70))["ETag"]
    )


def test_automatic_levels_are_reported(bat, cast, api):  # noqa: F811
    response = api(cast["ann1"]).get(_url(bat, levels="auto"))
    low, high = map(float, response["X-Levels"].split())
    assert high - low >= 20 and low > -150
    fixed = api(cast["ann1"]).get(_url(bat, levels="fixed", db_min=-77, db_max=-11))
    assert fixed["X-Levels"] == "-77.0 -11.0"


def test_cost_bound_refuses_before_reading_audio(bat, cast, api, monkeypatch):  # noqa: F811
    def read_window(*args, **kwargs):
        raise AssertionError("audio was read for a view that should have been refused")

    monkeypatch.setattr(dsp, "read_window", read_window)
    query = {
        "start": 0,
        "end": 2.2,
        "width": 4096,
        "height": 4096,
        "window_s": 0.0002,
        "overlap": 0.95,
        "sharpen": "reassigned",
    }
    # 2.2 s reassigned with a 64-sample window every 3 samples: ~1e10, over the bound
    response = api(cast["ann1"]).get(_url(bat, **query))
    assert response.status_code == 400 and "operations" in response.json()["detail"]
    # The same view unsharpened is within the bound: it is rendered (the audio is read by a render
    # process, where this test's patch does not reach).
    query["sharpen"] = "none"
    assert api(cast["ann1"]).get(_url(bat, **query)).status_code == 200


def test_project_view_defaults_are_validated_together_by_the_same_rule(project, cast, api):
    response = api(cast["lead"]).patch(
        f"/api/projects/{project.pk}/",
        {
            "settings": {
                "window_s": 0.5,
                "overlap": 0.99,
                "window_type": "kaiser",
                "sharpen": "blur",
                "wavelet_w0": 1,
            }
        },
        format="json",
    )
    assert response.status_code == 400  # every field's error at once, where the body put it
    assert {"window_s", "overlap", "window_type", "sharpen", "wavelet_w0"} <= set(
        response.json()["settings"]
    )
    project.refresh_from_db()
    assert (project.window_s, project.overlap, project.sharpen) == (0.002, 0.75, "none")


def test_project_view_defaults_drive_the_views(bat, cast, api):  # noqa: F811
    client = api(cast["lead"])
    before = client.get(_url(bat))
    response = client.patch(
        f"/api/projects/{bat.project_id}/",
        {
            "settings": {
                "sharpen": "reassigned",
                "window_type": "blackman",
                "wavelet_w0": 60,
                "auto_levels": False,
            }
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    settings = client.get(f"/api/projects/{bat.project_id}/").json()["settings"]
    assert (
        settings["sharpen"],
        settings["window_type"],
        settings["wavelet_w0"],
        settings["auto_levels"],
    ) == ("reassigned", "blackman", 60.0, False)
    after = client.get(_url(bat))
    assert after["ETag"] != before["ETag"]
    assert (
        after.content
        == client.get(
            _url(bat, sharpen="reassigned", window_type="blackman", levels="fixed")
        ).content
    )


def test_model_clean_uses_the_view_rule(project):
    project.overlap = 0.99
    with pytest.raises(Exception, match="overlap"):
        project.full_clean()
    assert Project.view_settings_errors(vars(project)) == {"overlap": "0.99 is outside 0.0..0.95"}


def test_the_pages_first_request_with_every_option_spelled_out_hits_the_prerendered_view(
    bat,  # noqa: F811
    cast,
    api,
):
    from annotator import rendering
    from annotator.models import Clip

    clip = Clip.objects.filter(recording=bat).order_by("start_s").first()
    rendering.prerender(clip)
    start, end = rendering.default_window(bat.project, clip)
    p = bat.project
    page = (
        f"start={start}&end={end}&fmin={p.fmin_hz}&fmax={p.fmax_hz}&width=1600&height=512&cmap=viridis"
        f"&db_min={p.db_min}&db_max={p.db_max}&levels=auto"
    )
    spectrogram = (
        f"{page}&scale=linear&norm=db&window_s=auto&overlap=0.75&window_type=hann&sharpen=none"
    )
    for kind, query in (("spectrogram", spectrogram), ("scalogram", f"{page}&w0=6")):
        response = api(cast["ann1"]).get(f"/api/recordings/{bat.pk}/{kind}.png?{query}")
        assert response.status_code == 200 and response["X-Cache"] == "hit", kind
