"""A Moodle course backup (``.mbz``) as an archive: the two members we read, within limits.

A backup is a gzip'd tar (older ones: a zip) of the whole course; only ``questions.xml`` and
``moodle_backup.xml`` at its root are read, in memory, never extracted to a path; the archive's
size, member count, unpacked bytes and compression ratio are bounded while it is read, whatever
its headers claim (:mod:`question_bank.formats.moodle.backup` reads what is inside).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
import zlib

from django.utils.translation import gettext as _

from question_bank.formats.moodle.reader import MAX_BYTES

__all__ = [
    "DESCRIPTION",
    "MAX_ARCHIVE_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "QUESTIONS",
    "ArchiveRefusal",
    "read_archive",
]

MAX_ARCHIVE_BYTES = 50 * 1024 * 1024  # the .mbz itself (the browser's upload limit is smaller)
MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # what a tar.gz may unpack to while it is searched
MAX_MEMBERS = 100_000  # files in the archive (a course's files are members too)
MAX_RATIO = 100  # unpacked / packed bytes: more is an archive bomb (XML packs 10–20 times)
_CHUNK = 1024 * 1024

QUESTIONS = "questions.xml"
DESCRIPTION = "moodle_backup.xml"


class ArchiveRefusal(Exception):
    """The archive is refused: ``message`` in Russian, ``code`` for machines."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def read_archive(data: bytes) -> dict[str, bytes]:
    """``questions.xml`` and ``moodle_backup.xml`` of a backup, those of them it has."""
    if data[:2] == b"\x1f\x8b":
        return _read_tar(data)
    if data[:4] == b"PK\x03\x04":
        return _read_zip(data)
    raise ArchiveRefusal(
        _(
            "файл .mbz не является архивом (tar.gz или zip), а резервная копия курса Moodle — "
            "архив. Загрузите копию как есть или экспортируйте банк вопросов: Банк вопросов → "
            "Экспорт → Moodle XML"
        ),
        "mbz_corrupt",
    )


def _damaged() -> ArchiveRefusal:
    return ArchiveRefusal(
        _("архив резервной копии повреждён или обрезан: его не удалось прочитать"),
        "mbz_corrupt",
    )


def _root_name(name: str) -> str | None:
    """The member's name when it lies at the archive's root (``./x`` is ``x``), else None."""
    while name.startswith("./"):
        name = name[2:]
    return name if name in (QUESTIONS, DESCRIPTION) else None


def _too_many_members() -> ArchiveRefusal:
    return ArchiveRefusal(
        _("в архиве больше %(max)s файлов") % {"max": MAX_MEMBERS}, "mbz_too_many_files"
    )


def _member_too_large(name: str, size: int) -> ArchiveRefusal:
    return ArchiveRefusal(
        _("файл %(name)s в архиве больше %(max)s МБ (%(size)s байт)")
        % {"name": name, "max": MAX_BYTES // (1024 * 1024), "size": size},
        "too_large",
    )


def _bomb(ratio: int) -> ArchiveRefusal:
    return ArchiveRefusal(
        _(
            "архив сжат подозрительно сильно (в %(ratio)s раз, допускается не больше %(max)s): "
            "файл похож на архивную бомбу"
        )
        % {"ratio": ratio, "max": MAX_RATIO},
        "mbz_ratio",
    )


class _BoundedStream(io.RawIOBase):
    """The gzip stream of a tar, refusing to unpack more than the limits allow."""

    def __init__(self, source, packed: int):
        self.source, self.packed, self.unpacked = source, max(packed, 1), 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self.source.read(min(len(buffer), _CHUNK))
        self.unpacked += len(chunk)
        if self.unpacked > MAX_UNPACKED_BYTES:
            raise ArchiveRefusal(
                _("архив распаковывается больше чем в %(max)s МБ")
                % {"max": MAX_UNPACKED_BYTES // (1024 * 1024)},
                "mbz_too_large",
            )
        if self.unpacked > MAX_RATIO * self.packed and self.unpacked > _CHUNK:
            raise _bomb(self.unpacked // self.packed)
        buffer[: len(chunk)] = chunk
        return len(chunk)


def _read_tar(data: bytes) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    stream = _BoundedStream(gzip.GzipFile(fileobj=io.BytesIO(data)), len(data))
    try:
        # "r|": a stream read front to back; members are never written anywhere.
        with tarfile.open(fileobj=io.BufferedReader(stream, _CHUNK), mode="r|") as archive:
            for count, member in enumerate(archive, start=1):
                if count > MAX_MEMBERS:
                    raise _too_many_members()
                name = _root_name(member.name)
                if name is None or name in found or not member.isfile():
                    continue
                if member.size > MAX_BYTES:
                    if name == DESCRIPTION:
                        continue  # only the course's name is wanted from it
                    raise _member_too_large(name, member.size)
                source = archive.extractfile(member)
                found[name] = source.read(MAX_BYTES + 1) if source is not None else b""
                if len(found) == 2:
                    break
    except ArchiveRefusal:
        raise
    except (tarfile.TarError, EOFError, OSError, zlib.error, ValueError):
        raise _damaged() from None
    return found


def _read_zip(data: bytes) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _damaged() from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise _too_many_members()
        total = sum(info.file_size for info in infos)
        if total > MAX_UNPACKED_BYTES:
            raise ArchiveRefusal(
                _("архив распаковывается больше чем в %(max)s МБ (%(size)s байт)")
                % {"max": MAX_UNPACKED_BYTES // (1024 * 1024), "size": total},
                "mbz_too_large",
            )
        # The same bound as a tar.gz's, though only two members are ever unpacked here.
        if total > MAX_RATIO * max(len(data), 1) and total > _CHUNK:
            raise _bomb(total // max(len(data), 1))
        for info in infos:
            name = _root_name(info.filename)
            if name is None or name in found or info.is_dir():
                continue
            if info.file_size > MAX_BYTES:
                if name == DESCRIPTION:
                    continue
                raise _member_too_large(name, info.file_size)
            if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > _CHUNK:
                raise _bomb(info.file_size // max(info.compress_size, 1))
            try:
                with archive.open(info) as source:
                    # Never more than the limit, whatever the header claims.
                    found[name] = source.read(MAX_BYTES + 1)
            except (zipfile.BadZipFile, OSError, zlib.error, EOFError, ValueError):
                raise _damaged() from None
            if len(found[name]) > MAX_BYTES:
                raise _member_too_large(name, len(found[name]))
    return found
