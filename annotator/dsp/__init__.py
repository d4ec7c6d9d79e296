"""Signal maths behind Echoloop's views: audio windows, spectrograms and scalograms.

Pure numpy/scipy (librosa, imported lazily, only for PCEN and mel filters); no Django.

Extent contract, shared by `spectrogram` and `scalogram`
--------------------------------------------------------
``values`` has shape ``[n_rows, n_cols]`` and row 0 is the LOWEST frequency.

Time: column ``j`` is the value at ``t_j = j * hop / samplerate`` seconds after the first
sample of the window (a spectrogram frame is centred there; a scalogram column is the
wavelet coefficient at that instant). Each column owns the interval ``t_j ± hop / 2sr``,
so the image spans exactly ``[t_start, t_end] = [-hop / 2sr, (n_cols - 1/2) * hop / sr]``.

Frequency: rows are evenly spaced on the axis named by ``scale`` -- ``'linear'`` (Hz),
``'log'`` (log Hz) or ``'mel'`` (HTK mel, ``2595 * log10(1 + f / 700)``). Row ``i`` owns the
band between its edges and ``freqs[i]`` is its centre, so the image spans exactly
``[f_low, f_high]`` (the bottom edge of row 0 and the top edge of the last row).
`Spectrogram.row_to_hz` / `col_to_time` implement the pixel mapping the page uses.

Levels: amplitudes are normalised so that a sinusoid of amplitude A reads 20*log10(A) dB
(0 dB = full scale) in both views, whatever the window length.
"""

from annotator.dsp.audio import (
    MAX_SAMPLERATE,
    MIN_SAMPLERATE,
    AudioError,
    AudioInfo,
    audio_info,
    read_window,
)
from annotator.dsp.auto import auto_levels, auto_window_s, fft_pad
from annotator.dsp.cwt import cwt, cwt_reference, nyquist_rolloff, scalogram
from annotator.dsp.display import ScalogramParams, Spectrogram, SpectrogramParams
from annotator.dsp.stft import spectrogram
from annotator.dsp.threads import in_flight, thread_budget

__all__ = [
    "MAX_SAMPLERATE",
    "MIN_SAMPLERATE",
    "AudioError",
    "AudioInfo",
    "ScalogramParams",
    "Spectrogram",
    "SpectrogramParams",
    "audio_info",
    "auto_levels",
    "auto_window_s",
    "cwt",
    "cwt_reference",
    "fft_pad",
    "in_flight",
    "nyquist_rolloff",
    "read_window",
    "scalogram",
    "spectrogram",
    "thread_budget",
]
