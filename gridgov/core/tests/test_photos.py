"""The photo pipeline (gridgov.core.photos): no metadata of any kind survives (issue 9, finding
9), a picture past the pixel cap is refused from its header before any decoding (finding 5),
files are stored and deleted through the storage API and served only through a view."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from gridgov.core import photos
from gridgov.core.errors import Refusal

MARK = "TRACE-7f3a"  # written into every kind of metadata; must not be found in a stored photo
XMP = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
       f'22-rdf-syntax-ns#"><rdf:Description>{MARK}-xmp</rdf:Description></rdf:RDF></x:xmpmeta>')


def _exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = f"{MARK}-make"  # Make
    exif[0x0112] = 1  # Orientation
    exif[0x8825] = {1: "N", 2: (31.0, 12.0, 30.0), 3: "E", 4: (121.0, 22.0, 10.0),
                    27: f"ASCII\0\0\0{MARK}-gps"}  # GPSProcessingMethod
    return exif


def _icc() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _upload(kind: str, image: Image.Image | None = None) -> SimpleUploadedFile:
    image = image or Image.new("RGB", (64, 48), (200, 80, 40))
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", exif=_exif(), icc_profile=_icc(), xmp=XMP.encode(),
                   comment=f"{MARK}-comment")
    elif kind == "PNG":
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", f"{MARK}-text")
        text.add_text("Description", f"{MARK}-ztxt", zip=True)
        text.add_itxt("XML:com.adobe.xmp", XMP)
        image.save(out, "PNG", pnginfo=text, exif=_exif(), icc_profile=_icc())
    else:
        image.save(out, "WEBP", exif=_exif(), icc_profile=_icc(), xmp=XMP.encode())
    return SimpleUploadedFile("upload", out.getvalue())


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_the_upload_carries_every_kind_of_metadata(kind):
    """The fixture is what a phone (or a curious resident) sends: otherwise the test below
    would prove nothing."""
    data = _upload(kind).read()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.getexif()[0x010F] == f"{MARK}-make"
        assert image.info.get("icc_profile")
        assert MARK.encode() in data
        if kind == "JPEG":
            assert image.info["comment"] == f"{MARK}-comment".encode()
        if kind == "PNG":
            assert image.info["Comment"] == f"{MARK}-text"


@pytest.mark.parametrize("kind", ["JPEG", "PNG", "WEBP"])
def test_no_metadata_of_any_kind_survives(kind):
    cleaned = photos.clean_photo(_upload(kind)).read()
    assert MARK.encode() not in cleaned  # EXIF, GPS, XMP, comments, PNG text: nowhere
    assert b"acsp" not in cleaned  # the signature of an ICC profile
    with Image.open(io.BytesIO(cleaned)) as image:
        image.load()
        assert image.format == kind
        assert not dict(image.getexif())
        assert not {"exif", "xmp", "icc_profile", "comment", "Comment", "Description",
                    "XML:com.adobe.xmp"} & set(image.info)


def test_a_transparent_palette_keeps_its_transparency():
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    image.info["transparency"] = 1
    out = io.BytesIO()
    image.save(out, "PNG", transparency=1)
    cleaned = photos.clean_photo(SimpleUploadedFile("p.png", out.getvalue())).read()
    with Image.open(io.BytesIO(cleaned)) as copy:
        assert copy.convert("RGBA").getpixel((0, 0))[3] == 0


def test_past_the_pixel_cap_a_picture_is_refused_from_its_header(settings, monkeypatch):
    settings.GRIDGOV_PHOTO_MAX_PIXELS = 100 * 100
    out = io.BytesIO()
    Image.new("1", (101, 100)).save(out, "PNG")

    def decoded(self):
        raise AssertionError("decoded before the size was checked")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decoded)
    with pytest.raises(Refusal) as refused:
        photos.clean_photo(SimpleUploadedFile("big.png", out.getvalue()))
    assert refused.value.code == "photo_too_large"


def test_a_photo_at_the_cap_passes(settings):
    settings.GRIDGOV_PHOTO_MAX_PIXELS = 100 * 100
    out = io.BytesIO()
    Image.new("RGB", (100, 100)).save(out, "JPEG")
    assert photos.clean_photo(SimpleUploadedFile("ok.jpg", out.getvalue())).size > 0


def test_store_and_delete_go_through_the_fields_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    field = models.ImageField(upload_to="things/%Y/")
    stored: list[str] = []
    names = photos.store_photos(field, photos.clean_photos([_upload("JPEG")]), stored)
    assert names == stored and names[0].startswith("things/") and names[0].endswith(".jpg")
    assert field.storage.exists(names[0])
    photos.delete_photos(field, names)
    assert not field.storage.exists(names[0])


def test_photos_are_decoded_one_at_a_time_per_process(settings, monkeypatch):
    """Eight uploads at once: never more than GRIDGOV_PHOTO_DECODES decode together, and one
    that waits too long for its turn is refused (429), not held."""
    import threading
    import time

    settings.GRIDGOV_PHOTO_DECODES = 2
    photos.reset_decode_slots()
    running, most = [0], [0]
    lock = threading.Lock()
    real = photos._reencode

    def slow(image, kind):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        return real(image, kind)

    monkeypatch.setattr(photos, "_reencode", slow)
    data = _upload("PNG").read()
    threads = [threading.Thread(target=photos.clean_photo, args=(io.BytesIO(data),))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2

    settings.GRIDGOV_PHOTO_DECODE_WAIT = 0
    slots = photos.decode_slots()
    slots.acquire()
    slots.acquire()
    try:
        with pytest.raises(Refusal) as refused:
            photos.clean_photo(io.BytesIO(data))
        assert refused.value.status == 429
    finally:
        slots.release()
        slots.release()
        photos.reset_decode_slots()
