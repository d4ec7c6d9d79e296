"""Scoring clips and long recordings: batching, chunk merging, uncertainty, a trained model."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
import torch

from models_app.calibration import Calibration
from models_app.detector import DetectorConfig, DetectorNet, Event
from models_app.inference import (
    ClipScore,
    Detector,
    binary_entropy,
    chunk_layout,
    clip_uncertainty,
)
from models_app.synthetic import make_dataset
from models_app.training import Example, TrainConfig, TrainResult, evaluate, train

SR = 256_000


def untrained_result(seed: int = 0) -> TrainResult:
    torch.manual_seed(seed)
    cfg = DetectorConfig(class_names=["a", "b"], channels=(8, 16, 32))
    return TrainResult(DetectorNet(cfg).state_dict(), cfg, {}, [])


def untrained_detector(**kwargs) -> Detector:
    return Detector.from_result(untrained_result(), **kwargs)


class OracleDetector(Detector):
    """Finds loud stretches of audio exactly, to test chunking apart from the network."""

    def score_clips(self, clips):
        return [self._oracle(x, sr) for x, sr in clips]

    def _oracle(self, x: np.ndarray, sr: int) -> ClipScore:
        loud = np.r_[False, np.abs(x) > 0.5, False].astype(np.int8)
        edges = np.flatnonzero(np.diff(loud))
        events = [
            Event(a / sr, b / sr, 20_000, 40_000, "a", 1.0, {"a": 1.0, "b": 0.0})
            for a, b in zip(edges[::2], edges[1::2])
        ]
        return ClipScore(
            events, np.zeros(2, np.float32), 1.0, np.zeros(4, np.float32), {}, np.zeros(1)
        )


def bursts(onsets: list[float], duration_s: float, dur: float = 0.005) -> np.ndarray:
    x = np.zeros(int(duration_s * SR), np.float32)
    for t in onsets:
        x[int(t * SR) : int((t + dur) * SR)] = 1.0
    return x


def test_chunks_have_equal_length_and_exact_overlap():
    starts, length = chunk_layout(int(3.2 * SR), SR, 1.0, 0.1)
    assert len(starts) == 4 and length == pytest.approx(0.875)  # 4 chunks of ≤ 1 s
    np.testing.assert_allclose(np.diff(starts), length - 0.1)
    assert starts[-1] + length == pytest.approx(3.2)
    starts, length = chunk_layout(int(0.5 * SR), SR, 1.0, 0.1)
    assert starts.tolist() == [0.0] and length == pytest.approx(0.5)


def test_calls_in_chunk_overlaps_are_reported_once():
    starts, length = chunk_layout(int(3.2 * SR), SR, 1.0, 0.1)
    onsets = [0.3, 3.1]
    for s in starts[1:]:  # in the middle of each overlap, cut by the chunk's start,
        onsets += [s + 0.05, s - 0.002, s + 0.1 - 0.003]  # and cut by the previous chunk's end
    onsets.sort()
    cfg = DetectorConfig(class_names=["a", "b"])
    det = OracleDetector(DetectorNet(cfg), cfg)
    result = det.score_recording(bursts(onsets, 3.2), SR, chunk_s=1.0, overlap_s=0.1)
    assert len(result.chunks) == 4
    found = [e.start_s for e in result.events]
    np.testing.assert_allclose(found, onsets, atol=1e-4)
    assert all(e.end_s - e.start_s == pytest.approx(0.005, abs=1e-4) for e in result.events)


def test_recording_from_file_matches_recording_from_array(tmp_path):
    det = untrained_detector(threshold=0.0, top_k=5)
    x = make_dataset(1, seed=0, duration_s=2.5)[0].audio
    path = tmp_path / "long.wav"
    sf.write(path, x, SR, subtype="FLOAT")
    a = det.score_recording(path, chunk_s=1.0, overlap_s=0.1)
    b = det.score_recording(x, SR, chunk_s=1.0, overlap_s=0.1)
    assert a.duration_s == pytest.approx(2.5) and a.samplerate == SR
    assert [e.start_s for e in a.events] == pytest.approx([e.start_s for e in b.events])


def test_batched_scoring_equals_one_at_a_time():
    det = untrained_detector(batch_size=4, threshold=0.0, top_k=3)
    clips = [(c.audio, c.samplerate) for c in make_dataset(3, seed=1, duration_s=0.3)]
    clips.append((clips[0][0][: SR // 5], SR))  # a shorter clip goes in its own batch
    batched = det.score_clips(clips)
    single = [det.score_clip(x, sr) for x, sr in clips]
    assert [len(s.window_uncertainties) for s in batched] == [3, 3, 3, 2]  # one per 0.1 s
    for a, b in zip(batched, single):
        np.testing.assert_allclose(a.class_probs, b.class_probs, atol=1e-5)
        np.testing.assert_allclose(a.embedding, b.embedding, atol=1e-5)
        assert np.linalg.norm(a.embedding) == pytest.approx(1.0, abs=1e-5)
        assert set(a.uncertainty) == {"entropy", "margin", "least_confidence"}


def test_calibration_rescores_events_and_the_floor_applies_to_calibrated_scores():
    x = make_dataset(1, seed=0, duration_s=0.5)[0].audio
    result = untrained_result()
    raw_events = Detector.from_result(result, threshold=0.0, top_k=40).score_clip(x, SR).events
    cal = Calibration(a=2.0, b=3.0, n=100)  # pushes the untrained ~0.02 peaks up
    expected = np.sort(cal.apply(np.array([e.score for e in raw_events])))
    floor = float(np.median(expected))
    det = Detector.from_result(result, threshold=floor, top_k=40, calibration=cal)
    events = det.score_clip(x, SR).events
    np.testing.assert_allclose(sorted(e.score for e in events), expected[expected >= floor])
    assert 0 < len(events) < len(raw_events)
    for e in events:
        assert e.score == pytest.approx(float(cal.apply(e.raw_score)))
    # Without a calibration the score is the raw one.
    assert all(e.score == e.raw_score for e in raw_events)


def test_low_floor_keeps_at_most_top_k_events_per_clip():
    det = untrained_detector(threshold=0.0, top_k=7)
    clips = [(c.audio, c.samplerate) for c in make_dataset(3, seed=2, duration_s=0.4)]
    assert all(0 < len(s.events) <= 7 for s in det.score_clips(clips))


def test_uncertainty_measures_on_known_cases():
    sure_empty = clip_uncertainty(np.array([0.0, 0.0]))
    assert sure_empty["entropy"] < 1e-3 and sure_empty["margin"] == 1.0  # two classes tied at 0
    torn = clip_uncertainty(np.array([0.5, 0.1]))
    assert torn["entropy"] == pytest.approx(1.0, abs=1e-6)  # its least certain class
    assert torn["margin"] == pytest.approx(0.6) and torn["least_confidence"] == pytest.approx(0.5)
    assert binary_entropy(0.5) == pytest.approx(1.0) and binary_entropy(1.0) < 1e-5


def test_stored_uncertainty_is_what_the_sampler_ranks_by():
    """One meaning of "entropy": the stored score of a clip equals the entropy strategy's score."""
    from sampling import strategies

    probs = np.random.default_rng(0).random((20, 3)).astype(np.float32)
    stored = np.array([clip_uncertainty(row)["entropy"] for row in probs])
    np.testing.assert_allclose(stored, strategies.entropy_scores(probs), rtol=1e-5)
    margins = np.array([clip_uncertainty(row)["margin"] for row in probs])
    np.testing.assert_allclose(margins, strategies.margin_scores(probs), rtol=1e-5)


@pytest.fixture(scope="module")
def trained() -> Detector:
    """A detector trained briefly on loud synthetic calls of two species."""
    clips = make_dataset(96, seed=11, n_species=2, snr_db_range=(20, 30), empty_fraction=0.2)
    examples = [Example(c.events, c.audio, c.samplerate, is_empty=c.is_empty) for c in clips]
    cfg = TrainConfig(
        detector=DetectorConfig(class_names=clips[0].species),
        epochs=10,
        batch_size=4,
        crop_s=0.3,
        lr=5e-3,
        num_threads=2,
    )
    return Detector.from_result(train(cfg, examples), threshold=0.3)


@pytest.mark.slow
def test_briefly_trained_model_finds_obvious_calls(trained):
    clips = [c for c in make_dataset(12, seed=99, n_species=2, snr_db_range=(25, 30))]
    scores = trained.score_clips([(c.audio, c.samplerate) for c in clips])
    m = evaluate([s.events for s in scores], [c.events for c in clips], threshold=0.3)
    assert m["recall"] > 0.8 and m["precision"] > 0.8
    assert m["f1_iou"] > 0.6  # the boxes' extents are right too, not only their onsets
    hit = next(e for s in scores for e in s.events)
    true = min((t for c in clips for t in c.events), key=lambda t: abs(t.start_s - hit.start_s))
    assert true.low_hz - 10_000 < (hit.low_hz + hit.high_hz) / 2 < true.high_hz + 10_000


@pytest.mark.slow
def test_chunked_scoring_of_a_long_recording_has_no_border_duplicates(trained):
    clips = make_dataset(4, seed=7, n_species=2, snr_db_range=(25, 30), empty_fraction=0.0)
    audio = np.concatenate([c.audio for c in clips])
    calls = [(e.start_s + i, e.low_hz, e.high_hz) for i, c in enumerate(clips) for e in c.events]
    truth = [t for t, _low, _high in calls]
    # 0.7 s chunks with 0.1 s overlap: many calls fall into overlaps or are cut by an edge.
    result = trained.score_recording(audio, SR, chunk_s=0.7, overlap_s=0.1)
    onsets = np.array([e.start_s for e in result.events])
    # A detection is this call's if it starts within 5 ms and shares its band (two species'
    # calls can start 3 ms apart in different bands: those are two calls, not a duplicate).
    per_call = [
        sum(
            abs(e.start_s - t) < 0.005 and e.low_hz < high and e.high_hz > low
            for e in result.events
        )
        for t, low, high in calls
    ]
    assert max(per_call) == 1  # no call reported twice
    found = [bool(np.any(np.abs(onsets - t) <= 0.01)) for t in truth]
    assert np.mean(found) > 0.7  # and most are found (10 ms onset tolerance)


def test_an_unfinalised_streaming_wav_is_read_whole(tmp_path):
    """A WAV whose writer never set its data size (0): the detector reads the samples present,
    as ingest and the views do, not an empty file."""
    import struct

    from models_app.inference import _AudioSource

    rate = 24_000
    audio = (0.1 * np.random.default_rng(3).standard_normal(rate)).astype(np.float32)
    sf.write(tmp_path / "s.wav", audio, rate, subtype="PCM_16")
    data = bytearray((tmp_path / "s.wav").read_bytes())
    at = data.index(b"data")
    data[4:8] = data[at + 4 : at + 8] = struct.pack("<I", 0)
    (tmp_path / "s.wav").write_bytes(bytes(data))
    with _AudioSource(tmp_path / "s.wav", None) as source:
        assert (source.frames, source.samplerate) == (rate, rate)
        assert np.allclose(source.read(0.5, rate // 2), audio[rate // 2 :], atol=1 / 2**14)
