"""Render time-frequency arrays to PNG with Pillow (no matplotlib, no Django).

Row 0 of the values is the lowest frequency and is drawn at the BOTTOM of the image, so
the image's top edge is ``f_high`` and its left edge ``t_start`` of the `dsp.Spectrogram`.
"""

from __future__ import annotations

import io
from typing import Literal

import numpy as np
from PIL import Image

Reduce = Literal["max", "mean"]

# 256 RGB entries of matplotlib's perceptually uniform maps (CC0, van der Walt & Smith),
# rounded to uint8 and stored as hex so the module needs no matplotlib.
_VIRIDIS_HEX = (
    "44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769"
    "48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a"
    "472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85"
    "4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b"
    "3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d"
    "33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e"
    "2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e"
    "26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d"
    "21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88"
    "1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81"
    "28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74"
    "3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863"
    "5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d"
    "84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32"
    "addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a"
    "d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725"
)

_MAGMA_HEX = (
    "00000401000501010601010802010902020b02020d03030f03031204041405041606051806051a07061c08071e090720"
    "0a08220b09240c09260d0a290e0b2b100b2d110c2f120d31130d34140e36150e38160f3b180f3d19103f1a10421c1044"
    "1d11471e114920114b21114e22115024125325125527125829115a2a115c2c115f2d11612f1163311165331067341069"
    "36106b38106c390f6e3b0f703d0f713f0f72400f74420f75440f764510774710784910784a10794c117a4e117b4f127b"
    "51127c52137c54137d56147d57157e59157e5a167e5c167f5d177f5f187f601880621980641a80651a80671b80681c81"
    "6a1c816b1d816d1d816e1e81701f81721f817320817521817621817822817922827b23827c23827e2482802582812581"
    "8326818426818627818827818928818b29818c29818e2a81902a81912b81932b80942c80962c80982d80992d809b2e7f"
    "9c2e7f9e2f7fa02f7fa1307ea3307ea5317ea6317da8327daa337dab337cad347cae347bb0357bb2357bb3367ab5367a"
    "b73779b83779ba3878bc3978bd3977bf3a77c03a76c23b75c43c75c53c74c73d73c83e73ca3e72cc3f71cd4071cf4070"
    "d0416fd2426fd3436ed5446dd6456cd8456cd9466bdb476adc4869de4968df4a68e04c67e24d66e34e65e44f64e55064"
    "e75263e85362e95462ea5661eb5760ec5860ed5a5fee5b5eef5d5ef05f5ef1605df2625df2645cf3655cf4675cf4695c"
    "f56b5cf66c5cf66e5cf7705cf7725cf8745cf8765cf9785df9795df97b5dfa7d5efa7f5efa815ffb835ffb8560fb8761"
    "fc8961fc8a62fc8c63fc8e64fc9065fd9266fd9467fd9668fd9869fd9a6afd9b6bfe9d6cfe9f6dfea16efea36ffea571"
    "fea772fea973feaa74feac76feae77feb078feb27afeb47bfeb67cfeb77efeb97ffebb81febd82febf84fec185fec287"
    "fec488fec68afec88cfeca8dfecc8ffecd90fecf92fed194fed395fed597fed799fed89afdda9cfddc9efddea0fde0a1"
    "fde2a3fde3a5fde5a7fde7a9fde9aafdebacfcecaefceeb0fcf0b2fcf2b4fcf4b6fcf6b8fcf7b9fcf9bbfcfbbdfcfdbf"
)

_INFERNO_HEX = (
    "00000401000501010601010802010a02020c02020e03021004031204031405041706041907051b08051d09061f0a0722"
    "0b07240c08260d08290e092b10092d110a30120a32140b34150b37160b39180c3c190c3e1b0c411c0c431e0c451f0c48"
    "210c4a230c4c240c4f260c51280b53290b552b0b572d0b592f0a5b310a5c320a5e340a5f3609613809623909633b0964"
    "3d09653e0966400a67420a68440a68450a69470b6a490b6a4a0c6b4c0c6b4d0d6c4f0d6c510e6c520e6d540f6d550f6d"
    "57106e59106e5a116e5c126e5d126e5f136e61136e62146e64156e65156e67166e69166e6a176e6c186e6d186e6f196e"
    "71196e721a6e741a6e751b6e771c6d781c6d7a1d6d7c1d6d7d1e6d7f1e6c801f6c82206c84206b85216b87216b88226a"
    "8a226a8c23698d23698f24699025689225689326679526679727669827669a28659b29649d29649f2a63a02a63a22b62"
    "a32c61a52c60a62d60a82e5fa92e5eab2f5ead305dae305cb0315bb1325ab3325ab43359b63458b73557b93556ba3655"
    "bc3754bd3853bf3952c03a51c13a50c33b4fc43c4ec63d4dc73e4cc83f4bca404acb4149cc4248ce4347cf4446d04545"
    "d24644d34743d44842d54a41d74b3fd84c3ed94d3dda4e3cdb503bdd513ade5238df5337e05536e15635e25734e35933"
    "e45a31e55c30e65d2fe75e2ee8602de9612bea632aeb6429eb6628ec6726ed6925ee6a24ef6c23ef6e21f06f20f1711f"
    "f1731df2741cf3761bf37819f47918f57b17f57d15f67e14f68013f78212f78410f8850ff8870ef8890cf98b0bf98c0a"
    "f98e09fa9008fa9207fa9407fb9606fb9706fb9906fb9b06fb9d07fc9f07fca108fca309fca50afca60cfca80dfcaa0f"
    "fcac11fcae12fcb014fcb216fcb418fbb61afbb81dfbba1ffbbc21fbbe23fac026fac228fac42afac62df9c72ff9c932"
    "f9cb35f8cd37f8cf3af7d13df7d340f6d543f6d746f5d949f5db4cf4dd4ff4df53f4e156f3e35af3e55df2e661f2e865"
    "f2ea69f1ec6df1ed71f1ef75f1f179f2f27df2f482f3f586f3f68af4f88ef5f992f6fa96f8fb9af9fc9dfafda1fcffa4"
)


def _lut(hex_rgb: str) -> np.ndarray:
    lut = np.frombuffer(bytes.fromhex(hex_rgb), dtype=np.uint8).reshape(256, 3)
    lut.flags.writeable = False
    return lut


def _gray() -> np.ndarray:
    return np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1)


COLORMAPS: dict[str, np.ndarray] = {
    "viridis": _lut("".join(_VIRIDIS_HEX)),
    "magma": _lut("".join(_MAGMA_HEX)),
    "inferno": _lut("".join(_INFERNO_HEX)),
    "gray": _gray(),
    "gray_r": _gray()[::-1].copy(),
}


def _pool(values: np.ndarray, size: int, axis: int, reduce: Reduce) -> np.ndarray:
    """Shrink one axis to `size` cells, cell k covering source items [k*n/size, (k+1)*n/size).

    Max pooling is the default because a mean would fade short calls (a 2 ms bat pulse
    in a 5 ms pixel) into the background.
    """
    n = values.shape[axis]
    starts = (np.arange(size) * n) // size
    if reduce == "max":
        return np.maximum.reduceat(values, starts, axis=axis)
    sums = np.add.reduceat(values, starts, axis=axis)
    counts = np.diff(np.append(starts, n)).astype(np.float32)
    shape = [1, 1]
    shape[axis] = size
    return sums / counts.reshape(shape)


def shrink(values: np.ndarray, width: int, height: int, reduce: Reduce = "max") -> np.ndarray:
    """Pool the axes that shrink (in float, so pooling sees the real values)."""
    rows, cols = values.shape
    if height < rows:
        values = _pool(values, height, 0, reduce)
    if width < cols:
        values = _pool(values, width, 1, reduce)
    return values


def _indices(values: np.ndarray, vmin: float, vmax: float) -> np.ndarray:
    scaled = (values - np.float32(vmin)) * np.float32(255.0 / (vmax - vmin))
    np.fmax(scaled, 0.0, out=scaled)  # fmax, unlike clip, also turns NaN into 0
    np.fmin(scaled, 255.0, out=scaled)
    return scaled.astype(np.uint8)


def render_png(
    values: np.ndarray,
    *,
    vmin: float,
    vmax: float,
    colormap: str = "viridis",
    width: int | None = None,
    height: int | None = None,
    reduce: Reduce = "max",
    compress_level: int = 1,
) -> bytes:
    """Colour-map a [n_rows, n_cols] array (row 0 = lowest frequency) to palette PNG bytes.

    Values at or below vmin get the first colour, at or above vmax the last. The image
    is n_cols x n_rows pixels unless width/height are given: shrinking pools blocks of
    cells (`reduce`), growing interpolates bilinearly; either way the image still spans
    exactly the array's extent. Row 0 ends up as the bottom row of the image.
    """
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 2 or 0 in values.shape:
        raise ValueError(f"expected a non-empty 2-D array, got shape {values.shape}")
    if not vmin < vmax:
        raise ValueError(f"vmin {vmin} must be below vmax {vmax}")
    if colormap not in COLORMAPS:
        raise ValueError(f"unknown colormap {colormap!r}; choose from {sorted(COLORMAPS)}")
    width, height = width or values.shape[1], height or values.shape[0]
    if width < 1 or height < 1:
        raise ValueError(f"width and height must be positive, not {width}x{height}")
    shrunk = shrink(values, width, height, reduce)
    # A palette PNG (8-bit indices + the LUT as palette) encodes ~4x faster and is ~2x
    # smaller than the same image expanded to RGB; decoders show identical pixels.
    image = Image.fromarray(_indices(shrunk[::-1], vmin, vmax))  # mode L
    if image.size != (width, height):
        # Growing axes are stretched on the 8-bit indices (Pillow's fast path; the indices are
        # linear in the value, so this is bilinear interpolation to within one colour step).
        # Pillow maps pixel centres to pixel centres, which keeps the extent exact.
        image = image.resize((width, height), Image.Resampling.BILINEAR)
    image.putpalette(COLORMAPS[colormap].tobytes())  # -> mode P
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=compress_level)
    return buffer.getvalue()
