"""Request bodies bounded while they stream in: no upload is held whole before its size is known.

Django keeps a file of up to ``FILE_UPLOAD_MAX_MEMORY_SIZE`` in memory and writes a bigger one to
a temporary file, and only then could a form look at its size: a 50 MB "bank" was received in
full to be refused for being over 2 MB. :class:`BoundedUploadHandler` comes first in
``FILE_UPLOAD_HANDLERS`` and counts the bytes of every uploaded file as they arrive; past
``UPLOAD_MAX_BYTES`` (all files of the request together) the file is skipped — the rest of its
part is read and thrown away in 64 KB chunks, so the browser still gets an answer instead of a
reset connection — and the request remembers which field was refused, for the form to say so
(:func:`too_large_fields`). The other fields (the CSRF token among them) are parsed as usual.

Bodies that are not files (JSON for the API, ordinary forms) are bounded by Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE``; the API refuses a bigger ``Content-Length`` before reading
anything (:func:`body_too_large`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

DEFAULT_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
_REFUSED = "_too_large_upload_fields"


def upload_max_bytes() -> int:
    """The most bytes of uploaded files one request may carry."""
    return getattr(settings, "UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


class BoundedUploadHandler(FileUploadHandler):
    """Skips any uploaded file once the request's files pass :func:`upload_max_bytes`."""

    def __init__(self, request=None):
        super().__init__(request)
        self.limit = upload_max_bytes()
        self.received = 0  # bytes of earlier files of this request

    def new_file(
        self,
        field_name,
        file_name,
        content_type,
        content_length,
        charset=None,
        content_type_extra=None,
    ):
        super().new_file(
            field_name, file_name, content_type, content_length, charset, content_type_extra
        )
        if content_length is not None and self.received + content_length > self.limit:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if self.received + start + len(raw_data) > self.limit:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        self.received += file_size
        return None  # the next handler builds the file object

    def _refuse(self):
        if self.request is not None:
            refused = getattr(self.request, _REFUSED, None)
            if refused is None:
                refused = set()
                setattr(self.request, _REFUSED, refused)
            refused.add(self.field_name)
        raise SkipFile()


def too_large_fields(request) -> frozenset[str]:
    """Names of the file fields of ``request`` skipped for being over the limit."""
    return frozenset(getattr(request, _REFUSED, ()))


def body_too_large(request) -> int | None:
    """The limit a declared body goes over (checked before reading it), else None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None  # Django treats a malformed length as an empty body
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is None:
        return None
    if request.META.get("CONTENT_TYPE", "").startswith("multipart/form-data"):
        limit += upload_max_bytes()
    return limit if length > limit else None
