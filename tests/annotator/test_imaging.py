"""annotator.imaging: colour maps, orientation, resizing and PNG encoding."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from annotator import dsp, imaging


def decode(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.mode == "P"  # palette = the colour map
    return np.asarray(image.convert("RGB"))


def gradient(rows: int = 50, cols: int = 80) -> np.ndarray:
    """Row i holds the value i: low rows (low frequencies) dark, high rows bright."""
    return np.repeat(np.arange(rows, dtype=np.float32)[:, None], cols, axis=1)


def test_png_has_native_size_by_default_and_requested_size_otherwise() -> None:
    values = gradient(50, 80)
    assert decode(imaging.render_png(values, vmin=0, vmax=49)).shape == (50, 80, 3)
    for width, height in [(200, 120), (20, 10), (200, 10), (20, 120)]:
        png = imaging.render_png(values, vmin=0, vmax=49, width=width, height=height)
        assert decode(png).shape == (height, width, 3)


@pytest.mark.parametrize("size", [None, (300, 150), (40, 25)])
def test_top_of_image_is_the_highest_frequency_row(size: tuple[int, int] | None) -> None:
    width, height = size or (None, None)
    lut = imaging.COLORMAPS["viridis"]
    values = np.zeros((50, 80), dtype=np.float32)
    values[40:] = 1.0  # the highest frequencies are loud
    rgb = decode(imaging.render_png(values, vmin=0, vmax=1, width=width, height=height))
    assert tuple(rgb[0, 0]) == tuple(lut[255])  # top row = last row of values = vmax
    assert tuple(rgb[-1, 0]) == tuple(lut[0])  # bottom row = row 0 = vmin


def test_values_outside_the_range_saturate_and_nan_is_background() -> None:
    values = np.array([[-1e9, 0.0, 5.0, 10.0, 1e9, np.nan]], dtype=np.float32)
    rgb = decode(imaging.render_png(values, vmin=0, vmax=10, colormap="gray"))[0]
    np.testing.assert_array_equal(rgb[:, 0], [0, 0, 127, 255, 255, 0])


def test_colormaps_are_256_colour_luts_with_published_endpoints() -> None:
    for lut in imaging.COLORMAPS.values():
        assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert tuple(imaging.COLORMAPS["viridis"][0]) == (68, 1, 84)
    assert tuple(imaging.COLORMAPS["viridis"][255]) == (253, 231, 37)
    assert tuple(imaging.COLORMAPS["magma"][255]) == (252, 253, 191)
    assert tuple(imaging.COLORMAPS["inferno"][255]) == (252, 255, 164)
    np.testing.assert_array_equal(imaging.COLORMAPS["gray_r"], imaging.COLORMAPS["gray"][::-1])


@pytest.mark.parametrize("name", ["viridis", "magma", "inferno", "gray"])
def test_sequential_colormaps_get_brighter(name: str) -> None:
    lut = imaging.COLORMAPS[name].astype(float)
    luminance = lut @ np.array([0.2126, 0.7152, 0.0722])
    assert np.all(np.diff(luminance) > -1.0)  # monotonic up to uint8 rounding
    assert luminance[-1] - luminance[0] > 150


def test_shrinking_with_max_keeps_a_one_column_click_visible() -> None:
    values = np.zeros((20, 1000), dtype=np.float32)
    values[:, 537] = 1.0
    loud = decode(imaging.render_png(values, vmin=0, vmax=1, colormap="gray", width=100))
    faded = decode(
        imaging.render_png(values, vmin=0, vmax=1, colormap="gray", width=100, reduce="mean")
    )
    assert loud[:, 53, 0].min() == 255 and np.count_nonzero(loud[0, :, 0]) == 1
    assert faded[:, 53, 0].max() < 40


def test_pooling_keeps_pixels_aligned_with_the_extent() -> None:
    values = np.zeros((10, 1000), dtype=np.float32)
    values[:, 900:] = 1.0  # the last 10 % of the time axis
    rgb = decode(imaging.render_png(values, vmin=0, vmax=1, colormap="gray", width=200))
    lit = np.flatnonzero(rgb[0, :, 0])
    assert (lit.min(), lit.max()) == (180, 199)


def test_spectrogram_tone_lands_at_its_frequency_in_the_image() -> None:
    sr = 384_000
    t = np.arange(sr // 10) / sr
    x = (0.5 * np.sin(2 * np.pi * 150_000 * t)).astype(np.float32)
    spec = dsp.spectrogram(x, sr, dsp.SpectrogramParams())
    height = 300
    png = imaging.render_png(
        spec.values, vmin=spec.vmin, vmax=spec.vmax, colormap="gray", width=400, height=height
    )
    brightest_y = int(np.argmax(decode(png)[:, 200, 0]))
    expected_y = height - spec.hz_to_row(150_000) * height / spec.n_rows  # y grows downward
    assert abs(brightest_y + 0.5 - expected_y) <= 1.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"colormap": "jet"}, "unknown colormap"),
        ({"vmin": 1.0, "vmax": 1.0}, "vmin"),
        ({"width": -5}, "positive"),
    ],
)
def test_bad_render_arguments_raise(kwargs: dict, message: str) -> None:
    arguments = {"vmin": 0.0, "vmax": 1.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        imaging.render_png(gradient(), **arguments)


def test_non_2d_values_are_refused() -> None:
    with pytest.raises(ValueError, match="2-D"):
        imaging.render_png(np.zeros(10), vmin=0, vmax=1)


def test_view_key_does_not_depend_on_how_a_setting_was_typed(db):
    """A project saved with fmin_hz=10000 (an int) and the same row read back (a float) must ask
    for the same cached image: the pre-rendered view is otherwise never found."""
    from annotator import rendering
    from annotator.models import Project
    from tests import factories as f

    typed = f.make_project("typed", fmin_hz=10_000, fmax_hz=120_000, db_min=-90, db_max=-20)
    recording = f.make_recording(typed, samplerate=256_000)
    params = {"start": 0.4, "end": 1.1}
    as_typed = rendering.parse_spec("spectrogram", params, recording, typed)
    read_back = rendering.parse_spec(
        "spectrogram", params, recording, Project.objects.get(pk=typed.pk)
    )
    assert repr(as_typed) == repr(read_back)
    assert as_typed.key(recording) == read_back.key(recording)
