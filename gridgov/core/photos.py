"""Photos, for every app that takes them (cases now; visits, volunteers, projects next): checked
by what they are, not by their name, stripped of every kind of metadata, kept through Django's
storage API and served only by a view that has checked who asks.

A phone photo carries EXIF: the camera, the time and, often, the GPS position of the person who
took it, besides XMP, an ICC profile and comments — data the town does not need. An upload is
refused from its header alone when it is not a JPEG, PNG or WebP picture or has more pixels than
a phone photo (GRIDGOV_PHOTO_MAX_PIXELS): nothing is decoded before that. Then it is decoded
(a JPEG at a reduced scale when that still covers MAX_SIDE) and encoded again from its pixels
alone, with no metadata, not even what Pillow would copy over from the original by itself (a
JPEG's comment and XMP, a PNG's ICC profile). The orientation tag is applied first so the picture
stays upright.

Writing comes before the database transaction that names the files (a slow disk or object store
never holds the write lock); when that transaction is refused, the files just written are deleted
again (store_photos() / delete_photos()). Files no row names are swept by the owning app's command.
"""

import io
import mimetypes
import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404
from PIL import Image, ImageOps, UnidentifiedImageError

from gridgov.core.errors import Refusal

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# The long side of a stored photo: a case needs a clear photo, not 50 megapixels.
MAX_SIDE = 2560


def max_bytes() -> int:
    return settings.GRIDGOV_PHOTO_MAX_BYTES


def max_pixels() -> int:
    return settings.GRIDGOV_PHOTO_MAX_PIXELS


def max_per_report() -> int:
    return settings.GRIDGOV_PHOTOS_PER_REPORT


# Decoding and encoding a photo is the one thing a request does that takes the CPU for hundreds of
# milliseconds (and up to MAX_PIXELS x 4 bytes): at most GRIDGOV_PHOTO_DECODES of them run at once
# in a process, whatever the number of threads, so that eight large uploads queue behind each
# other instead of starving every other request of the worker (bench/uploads.py). A request that
# waits longer than GRIDGOV_PHOTO_DECODE_WAIT seconds for its turn is refused (429), not held.
# The work itself runs on threads of a small pool at a lower CPU priority (Linux gives each
# thread its own nice value), so that the pages being served meanwhile go first.
DECODE_NICENESS = 10
_decode_slots: threading.BoundedSemaphore | None = None
_decoder = None
_slots_lock = threading.Lock()


def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), DECODE_NICENESS)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at the usual priority
        pass


def decode_slots() -> threading.BoundedSemaphore:
    global _decode_slots, _decoder
    with _slots_lock:
        if _decode_slots is None:
            slots = max(1, settings.GRIDGOV_PHOTO_DECODES)
            _decode_slots = threading.BoundedSemaphore(slots)
            _decoder = ThreadPoolExecutor(slots, thread_name_prefix="photo-decode",
                                          initializer=_lower_priority)
        return _decode_slots


def reset_decode_slots() -> None:
    """Forget the semaphore and its pool (tests change the setting)."""
    global _decode_slots, _decoder
    with _slots_lock:
        if _decoder is not None:
            _decoder.shutdown(wait=True)
        _decode_slots = _decoder = None


def _decode_and_reencode(image: Image.Image, kind: str) -> bytes:
    image.load()
    return _reencode(image, kind)


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
        # Image.open reads the header only: the format and the size are known before any pixel
        # is decoded.
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            if kind not in ALLOWED_FORMATS:
                raise Refusal("photo_type", "只能上传 JPEG、PNG 或 WebP 格式的照片", field)
            width, height = image.size
            if width * height > max_pixels():
                raise Refusal("photo_too_large", "照片像素过大，请压缩后再上传", field)
            if kind == "JPEG":
                # libjpeg decodes at 1/2, 1/4 or 1/8 scale as long as MAX_SIDE stays covered.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            slots = decode_slots()
            if not slots.acquire(timeout=settings.GRIDGOV_PHOTO_DECODE_WAIT):
                raise Refusal("throttled", "服务器正忙于处理照片，请稍后再提交", field,
                              headers={"Retry-After": "10"})
            try:
                clean = _decoder.submit(_decode_and_reencode, image, kind).result()
            finally:
                slots.release()
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
    if "transparency" in image.info:
        # A palette's or a grey image's transparent colour is kept in the pixels, so that
        # nothing of the original's info is needed to draw the copy.
        image = image.convert("RGBA")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG":
        image = image.convert("RGB")
    elif image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        image = image.convert("RGBA")
    # Pillow's encoders write some of the original's metadata back from info by themselves
    # (a JPEG's comment and XMP, a PNG's ICC profile): the copy has none to give.
    image.info = {}
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=85, optimize=True)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85)
    return out.getvalue()


def clean_photos(uploads, field: str = "photos") -> list[ContentFile]:
    """Every photo of one report or one step, at most max_per_report() of them."""
    uploads = [u for u in uploads or () if u]
    if len(uploads) > max_per_report():
        raise Refusal("too_many_photos", f"最多上传 {max_per_report()} 张照片", field)
    return [u if getattr(u, "gridgov_clean", False) else clean_photo(u, field) for u in uploads]


def store_photos(image_field, photos, stored: list[str]) -> list[str]:
    """Write cleaned photos through an ImageField's storage, named by its upload_to; the names,
    each also appended to `stored` as soon as it is written, so that the caller can
    delete_photos() them when what they belong to is refused."""
    names = []
    for photo in photos:
        name = image_field.storage.save(image_field.generate_filename(None, photo.name), photo)
        stored.append(name)
        names.append(name)
    return names


def delete_photos(image_field, names) -> None:
    for name in names:
        image_field.storage.delete(name)


def photo_response(image) -> FileResponse:
    """A stored photo (an ImageField's file) streamed to a caller the view has already checked.

    Streamed by the application rather than answered with a redirect to the object store's signed
    URL: the scoped view stays the only way in (a signed URL works for whoever holds it until it
    expires, and leaks through browser history, referrers and forwarded links), the store may sit
    on a private network the residents' phones cannot reach, and a photo is at most a few hundred
    kilobytes (MAX_SIDE)."""
    try:
        handle = image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    served = FileResponse(handle, content_type=mimetypes.guess_type(image.name)[0])
    served["Cache-Control"] = "private, max-age=3600"
    served["X-Content-Type-Options"] = "nosniff"
    return served
