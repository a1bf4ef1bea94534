"""Helpers for the security and reliability tests: threads that really overlap, files.

Threads: `run_at_once` starts each job in its own thread (so each has its own
database connection, closed at the end) and releases them together with a
barrier. `Meeting` and `Hold` widen a race on purpose: a service under a lock
pauses inside its critical section for a short, bounded time, so a second
writer without the lock would certainly run into it, while one that waits for
the lock costs the test only that bounded pause.

Files: spreadsheets and byte strings to upload, built in memory.
"""

from __future__ import annotations

import csv
import io
import struct
import threading
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from orgchart.models import Node

JOIN_SECONDS = 30


@dataclass
class Outcome:
    """What one thread's job returned or raised."""

    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def messages(self) -> list[str]:
        """The user-visible messages of a ValidationError (empty otherwise)."""
        return list(getattr(self.error, "messages", []) or [])


def run_at_once(jobs: dict[str, Callable[[], Any]]) -> dict[str, Outcome]:
    """Run every job in its own thread (named by its key), all released at the same moment."""
    start = threading.Barrier(len(jobs))
    outcomes: dict[str, Outcome] = {}

    def work(name: str, job: Callable[[], Any]) -> None:
        try:
            start.wait(timeout=JOIN_SECONDS)
            outcomes[name] = Outcome(value=job())
        except BaseException as exc:  # reported to the test, never lost in the thread
            outcomes[name] = Outcome(error=exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=item, name=item[0]) for item in jobs.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck (a deadlock?)"
    return outcomes


def thread_name() -> str:
    return threading.current_thread().name


class Meeting:
    """Threads wait here for each other, but never longer than `timeout` seconds.

    Placed inside a critical section: writers that share a lock cannot meet
    (the first one waits `timeout`, then the meeting is off for everyone);
    writers without the lock meet at once and go on together.
    """

    def __init__(self, parties: int, timeout: float = 0.5) -> None:
        self.barrier = threading.Barrier(parties, timeout=timeout)
        self.met = False

    def __call__(self) -> None:
        try:
            self.barrier.wait()
            self.met = True
        except threading.BrokenBarrierError:
            pass


class Hold:
    """One named thread pauses inside its critical section until another signals (bounded)."""

    def __init__(self, holder: str, timeout: float = 1.0) -> None:
        self.holder = holder
        self.timeout = timeout
        self.inside = threading.Event()
        self.released = threading.Event()

    def pause(self) -> None:
        """Called by the holder inside its critical section."""
        if thread_name() != self.holder:
            return
        self.inside.set()
        self.released.wait(self.timeout)

    def wait_until_inside(self) -> None:
        """Called by the other thread: go on once the holder is inside (or it never gets there)."""
        self.inside.wait(self.timeout)

    def release(self) -> None:
        self.released.set()


def wrap_after(monkeypatch, target, name: str, hook: Callable[[], None]) -> None:
    """Make `target.name(...)` call `hook()` after the original returns."""
    original = getattr(target, name)

    def wrapped(*args, **kwargs):
        result = original(*args, **kwargs)
        hook()
        return result

    monkeypatch.setattr(target, name, wrapped)


def wrap_before(monkeypatch, target, name: str, hook: Callable[[], None]) -> None:
    """Make `target.name(...)` call `hook()` before the original."""
    original = getattr(target, name)

    def wrapped(*args, **kwargs):
        hook()
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapped)


# The tree ------------------------------------------------------------------


def tree_rows() -> dict[str, tuple]:
    """code -> (tree_id, lft, rght, level, parent code) as stored."""
    rows = Node.objects.order_by().values_list(
        "code", "tree_id", "lft", "rght", "level", "parent__code"
    )
    return {code: tuple(values) for code, *values in rows}


def rebuilt_rows() -> dict[str, tuple]:
    """tree_rows() as `Node.objects.rebuild()` would make them; the database is left as it was."""
    with transaction.atomic():
        Node.objects.rebuild()
        rows = tree_rows()
        transaction.set_rollback(True)
    return rows


def nodes_in_a_loop() -> list[str]:
    """Codes whose chain of parents never reaches a root."""
    parent_of = dict(Node.objects.order_by().values_list("code", "parent__code"))
    looping = []
    for code in parent_of:
        seen, current = set(), code
        while current is not None and current not in seen:
            seen.add(current)
            current = parent_of.get(current)
        if current is not None:
            looping.append(code)
    return looping


def assert_tree_consistent() -> None:
    """No loop, and every node's nested-set numbers equal a full rebuild's."""
    assert nodes_in_a_loop() == []
    stored, rebuilt = tree_rows(), rebuilt_rows()
    wrong = {
        code: (stored[code], rebuilt[code]) for code in stored if stored[code] != rebuilt[code]
    }
    assert wrong == {}, f"nested sets differ from a rebuild (stored, rebuilt): {wrong}"


# Files ---------------------------------------------------------------------


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(header: Sequence[Any] | None, rows: Iterable[Sequence[Any]] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def padded_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, unpacked: int) -> bytes:
    """A valid workbook with an extra, highly compressible part of `unpacked` bytes (a zip bomb)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(header, rows)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            archive.writestr(item, source.read(item.filename))
        archive.writestr("xl/media/padding.bin", b"\0" * unpacked)
    return buffer.getvalue()


PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def lying_xlsx(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, padding: int) -> bytes:
    """A workbook whose sheet unpacks to `padding` more bytes than its zip headers declare.

    The zip-bomb check reads the declared sizes; the reader must still stop at
    them rather than unpack everything.
    """
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(header, rows)))
    target = "xl/worksheets/sheet1.xml"
    declared = 0
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == target:
                declared = len(content)
                content += b" " * padding  # trailing whitespace: still well-formed XML
            archive.writestr(item.filename, content)
    data = bytearray(buffer.getvalue())
    name = target.encode()
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = data.find(signature)
        while start != -1:
            if data[start + name_at : start + name_at + len(name)] == name:
                data[start + size_at : start + size_at + 4] = struct.pack("<I", declared)
            start = data.find(signature, start + 4)
    return bytes(data)
