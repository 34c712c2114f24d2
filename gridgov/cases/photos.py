"""Photos of a case: checked by what they are, not by their name, and stripped of metadata.

A phone photo carries EXIF: the camera, the time and, often, the GPS position of the person who
took it — personal data the town does not need. Every upload is decoded by Pillow (so a renamed
script or a broken file is refused), then encoded again from its pixels alone, which drops EXIF,
XMP and ICC comments with it. The orientation tag is applied first so the picture stays upright.
Very large pictures are scaled down: a case needs a clear photo, not 50 megapixels.
"""

import io
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.core.errors import Refusal

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Decoding more than this is refused before it starts (a decompression bomb).
MAX_PIXELS = 40_000_000
# The long side of a stored photo.
MAX_SIDE = 2560


def max_bytes() -> int:
    return getattr(settings, "GRIDGOV_PHOTO_MAX_BYTES", 10 * 1024 * 1024)


def max_per_report() -> int:
    return getattr(settings, "GRIDGOV_PHOTOS_PER_REPORT", 9)


def clean_photo(upload, field: str = "photos") -> ContentFile:
    """A re-encoded copy of an uploaded photo (a Django File or an object with read()), ready
    for an ImageField; Refusal when it is not a JPEG, PNG or WebP picture within limits."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise Refusal("photo_too_large",
                     f"照片不能超过 {max_bytes() // (1024 * 1024)} MB", field)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(max_bytes() + 1)
    if len(data) > max_bytes():
        raise Refusal("photo_too_large",
                     f"照片不能超过 {max_bytes() // (1024 * 1024)} MB", field)
    if not data:
        raise Refusal("photo_empty", "照片文件是空的", field)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            width, height = probe.size
        if kind not in ALLOWED_FORMATS:
            raise Refusal("photo_type", "只能上传 JPEG、PNG 或 WebP 格式的照片", field)
        if width * height > MAX_PIXELS:
            raise Refusal("photo_too_large", "照片像素过大，请压缩后再上传", field)
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            clean = _reencode(image, kind)
    except Refusal:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise Refusal("photo_type", "文件不是可识别的图片（只接受 JPEG、PNG 或 WebP）", field) from None
    photo = ContentFile(clean, name=f"{uuid.uuid4().hex}.{ALLOWED_FORMATS[kind]}")
    # A cleaned photo passed on again (a form cleaned it, the action receives it) is not decoded
    # twice.
    photo.gridgov_clean = True
    return photo


def _reencode(image: Image.Image, kind: str) -> bytes:
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        plain = image.mode in ("1", "L", "LA", "P", "RGB", "RGBA")
        keep = image if plain else image.convert("RGBA")
        keep.save(out, "PNG", optimize=True)
    else:
        keep = image if image.mode in ("RGB", "RGBA") else image.convert("RGBA")
        keep.save(out, "WEBP", quality=85)
    return out.getvalue()


def clean_photos(uploads, field: str = "photos") -> list[ContentFile]:
    """Every photo of one report or one step, at most max_per_report() of them."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > max_per_report():
        raise Refusal("too_many_photos", f"最多上传 {max_per_report()} 张照片", field)
    return [u if getattr(u, "gridgov_clean", False) else clean_photo(u, field) for u in uploads]
