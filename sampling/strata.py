"""Strata for the stratified strategy: joint codes over several keys, and quotas.

Pure numpy, no Django.
"""

from __future__ import annotations

import numpy as np


def joint_codes(
    strata: dict[str, np.ndarray],
    keys: tuple[str, ...] | None,
    labelled_strata: dict[str, np.ndarray] | None,
) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Dense joint stratum code per clip, a readable name per code, labelled count per code.

    Codes may be any integers (each key is densified first). Labelled clips count toward
    the joint stratum they fall in; those in strata absent from the pool are ignored.
    """
    keys = tuple(strata) if keys is None else tuple(keys)
    if not keys:
        raise ValueError("stratification needs at least one stratum")
    lab = labelled_strata or {}
    n_lab = len(lab[keys[0]]) if all(key in lab for key in keys) else 0
    mixed = np.zeros(len(strata[keys[0]]), np.int64)
    lab_mixed = np.zeros(n_lab, np.int64)
    lab_known = np.ones(n_lab, bool)
    for key in keys:
        values, dense = np.unique(np.asarray(strata[key]), return_inverse=True)
        mixed = mixed * len(values) + dense.ravel()
        if n_lab:
            lv = np.asarray(lab[key])
            pos = np.minimum(np.searchsorted(values, lv), len(values) - 1)
            lab_known &= values[pos] == lv
            lab_mixed = lab_mixed * len(values) + pos
    uniq, codes = np.unique(mixed, return_inverse=True)
    first = np.unique(codes, return_index=True)[1]
    names = [" ".join(f"{key}={strata[key][i]}" for key in keys) for i in first]
    return codes.astype(np.int64), names, _counts_in(uniq, lab_mixed[lab_known])


def _counts_in(uniq: np.ndarray, values: np.ndarray) -> np.ndarray:
    """How many of ``values`` equal each entry of the sorted ``uniq``."""
    pos = np.minimum(np.searchsorted(uniq, values), len(uniq) - 1)
    hit = uniq[pos] == values
    return np.bincount(pos[hit], minlength=len(uniq)).astype(np.float64)


def allocate(
    sizes: np.ndarray, weights: np.ndarray, k: int, min_per: int, rng: np.random.Generator
) -> np.ndarray:
    """Per-stratum quotas summing to min(k, total size), never above a stratum's size.

    First up to ``min_per`` each (heaviest strata first if k is too small for all), then
    the remainder in proportion to ``weights`` among strata with room (largest remainder,
    random ties), repeated until nothing is left to place.
    """
    sizes = np.asarray(sizes, np.int64)
    k = min(k, int(sizes.sum()))
    weights = np.broadcast_to(np.asarray(weights, np.float64), sizes.shape)
    priority = np.lexsort((rng.random(len(sizes)), -weights))
    quotas = np.zeros(len(sizes), np.int64)
    floor = np.minimum(min_per, sizes)
    for level in range(1, int(floor.max(initial=0)) + 1):
        # One more pick for every stratum still below its minimum, by priority, while k lasts.
        due = priority[floor[priority] >= level][: k - int(quotas.sum())]
        quotas[due] += 1
    while quotas.sum() < k:
        room = sizes - quotas
        w = np.where(room > 0, weights, 0.0)
        w = w if w.sum() > 0 else (room > 0).astype(np.float64)
        left = k - int(quotas.sum())
        share = left * w / w.sum()
        add = np.minimum(np.floor(share).astype(np.int64), room)
        if add.sum() == 0:  # fewer picks left than strata: largest remainders win
            order = np.lexsort((rng.random(len(sizes)), -(share - np.floor(share))))
            add[order[(room[order] > 0)][:left]] = 1
        quotas += add
    return quotas
