"""Unpack one submission archive (zip or tar, as an LMS exports them) safely.

Every member is checked before anything is written: only regular files and
directories; no absolute name, no "..", no NUL or control character; at
most MAX_MEMBERS members, MAX_DEPTH levels, MAX_FILE bytes a file and
MAX_TOTAL in all. Links, devices and FIFOs are refused. A refused archive
exits 1 with one line saying why; what it wrote (nothing, when the check
refused it) is removed by grade-all.sh. An archive whose
files all sit in one top directory (alice.zip: alice/main.c) is unpacked
from inside it. grade-all.sh runs this in the sandbox.

usage: python3 unpack.py ARCHIVE OUTDIR
"""

import os
import stat
import sys
import tarfile
import zipfile

MAX_MEMBERS = 256
MAX_DEPTH = 4
MAX_FILE = 1 << 20
MAX_TOTAL = 64 << 20


class Refused(Exception):
    pass


def check_name(name):
    """The member's path as a list of parts, or Refused."""
    if not name or "\0" in name or any(ord(c) < 0x20 or ord(c) == 0x7f for c in name):
        raise Refused("a member's name is empty or holds control characters")
    if name.startswith("/") or name.startswith("\\") or (len(name) > 1 and name[1] == ":"):
        raise Refused("a member has an absolute name")
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Refused("a member's name climbs with ..")
    if len(parts) > MAX_DEPTH:
        raise Refused("a member lies more than %d directories deep" % MAX_DEPTH)
    return parts


def members_zip(path):
    """(parts, is_dir, size, read) of each member of a zip archive."""
    z = zipfile.ZipFile(path)
    for info in z.infolist():
        # Unix modes, when the archiver wrote one with a file type.
        mode = info.external_attr >> 16
        if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            raise Refused("a member is a link or a special file")
        if info.flag_bits & 0x1:
            raise Refused("a member is encrypted")
        yield (check_name(info.filename), info.is_dir(), info.file_size,
               lambda info=info: z.read(info))


def members_tar(path):
    t = tarfile.open(path)
    for info in t.getmembers():
        if not (info.isfile() or info.isdir()):
            raise Refused("a member is a link or a special file")
        yield (check_name(info.name), info.isdir(), info.size,
               lambda info=info: t.extractfile(info).read())


def plan(path):
    """The checked members, before any is written."""
    if zipfile.is_zipfile(path):
        members = members_zip(path)
    elif tarfile.is_tarfile(path):
        members = members_tar(path)
    else:
        raise Refused("not a zip or tar archive")
    out = []
    total = 0
    for parts, is_dir, size, read in members:
        if len(out) >= MAX_MEMBERS:
            raise Refused("more than %d members" % MAX_MEMBERS)
        if not is_dir and size > MAX_FILE:
            raise Refused("a member is over %d bytes" % MAX_FILE)
        total += size
        if total > MAX_TOTAL:
            raise Refused("over %d bytes in all" % MAX_TOTAL)
        if parts:
            out.append((parts, is_dir, read))
    return out


def main():
    archive, outdir = sys.argv[1], sys.argv[2]
    try:
        members = plan(archive)
        files = [m for m in members if not m[1]]
        tops = {m[0][0] for m in members}
        strip = 1 if len(tops) == 1 and all(len(m[0]) > 1 for m in files) else 0
        for parts, is_dir, read in members:
            parts = parts[strip:]
            if not parts:
                continue
            dest = os.path.join(outdir, *parts)
            if is_dir:
                os.makedirs(dest, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            data = read()
            if len(data) > MAX_FILE:
                raise Refused("a member is over %d bytes" % MAX_FILE)
            fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
    except (Refused, zipfile.BadZipFile, tarfile.TarError, OSError, EOFError) as e:
        print("unpack: %s: refused: %s" % (os.path.basename(archive), e))
        sys.exit(1)


main()
