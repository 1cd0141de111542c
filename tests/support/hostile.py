"""Hostile files, each with what the person must be told: one list for every way in.

Each :class:`Case` builds the bytes of a file from honest bundles the engine made, and names
the page it is imported into, the engine's code and a substring of the Chinese message. A
refused case must leave the draft as it was; an accepted one (the data is readable, the file
is not as it was exported) loads the data and says ``expect`` among the import's notes (or,
for a value the engine flags, among the verdict's errors). ``tests/test_hostile.py`` runs them
through the engine, the CLI, and the page's import function in CPython and in Pyodide; a browser
test can write ``case.build(engine)`` to ``case.file_name`` and import it on ``{case.dossier}.html``.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dossiers import KEY_PROJECT_TEXT, valid_city_dossier, valid_county_dossier, valid_project_dossier

from formsite.bundle import DATA_FILE, MANIFEST_FILE, MAX_ENTRIES, data_sha256, json_bytes
from formsite.engine import Engine

Files = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Engine], bytes]
    expect: str  # part of what the person reads
    code: str  # the engine's code for it
    refused: bool = True  # False: imported, with ``expect`` said among the notes or errors
    dossier: str = "project"  # the page it is imported into
    page_only: bool = False  # the CLI takes a bundle of any dossier
    file_name: str = "hostile.zip"


# --- honest material ---------------------------------------------------------------------------

_made: dict[tuple[int, str], bytes] = {}


def honest(engine: Engine, dossier: str = "project", variant: str = "") -> bytes:
    """A bundle as the page exports it (a county with one project, a city with that county)."""
    key = (id(engine), dossier + variant)
    if key not in _made:
        _made[key] = _export(engine, dossier, variant)
    return _made[key]


def _export(engine: Engine, dossier: str, variant: str) -> bytes:
    if dossier == "project":
        data = valid_project_dossier()
        if variant:
            data["project_info"]["project_name"] = variant
        return engine.export("project", data)[1]
    if dossier == "county":
        projects = [("项目.zip", honest(engine, "project", variant))]
        data = engine.sync_rows("county", valid_county_dossier(), projects)
        for row in data["key_projects"]["projects"]:
            row.update(KEY_PROJECT_TEXT)
        return engine.export("county", data, projects)[1]
    counties = [("安吉县.zip", honest(engine, "county", variant))]
    data = engine.sync_rows("city", valid_city_dossier(), counties)
    for row in data["city_list"]["counties"]:
        row["opinion"] = "推荐。"
    return engine.export("city", data, counties)[1]


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def make_zip(files: Files | dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is what some cases are made of
        for name, content in files.items() if isinstance(files, dict) else files:
            archive.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), content, method)
    return buffer.getvalue()


def remanifest(files: dict[str, bytes]) -> dict[str, bytes]:
    """The manifest made to match the files again, as a careful editor would."""
    listing = json.loads(files[MANIFEST_FILE])
    listing["files"] = [{"name": n, "sha256": hashlib.sha256(c).hexdigest(), "bytes": len(c)}
                        for n, c in files.items() if n != MANIFEST_FILE]
    files[MANIFEST_FILE] = json.dumps(listing, ensure_ascii=False).encode()
    return files


def edited(content: bytes, change: Callable[[dict], Any], *, checksum: bool = True,
           manifest: bool = True) -> bytes:
    """The bundle with its record changed by ``change``; the data checksum and the manifest
    recomputed to match unless told otherwise."""
    files = unzip(content)
    record = json.loads(files[DATA_FILE])
    change(record)
    if checksum:
        record["data_sha256"] = data_sha256(record["data"])
    files[DATA_FILE] = json_bytes(json.dumps(record, ensure_ascii=False, indent=2))
    return make_zip(remanifest(files) if manifest else files)


def record_text(engine: Engine, replace: str = "", by: str = "") -> bytes:
    """The honest project record as a bare data.json, with one piece of text replaced."""
    text = unzip(honest(engine))[DATA_FILE].decode()
    assert not replace or replace in text
    return text.replace(replace, by).encode() if replace else text.encode()


def _value(engine: Engine, raw_json: str) -> bytes:
    """The record with 项目名称's value replaced by ``raw_json`` as it is written."""
    name = valid_project_dossier()["project_info"]["project_name"]
    return record_text(engine, json.dumps(name, ensure_ascii=False), raw_json)


def _patched(content: bytes, name: str, **fields: int) -> bytes:
    """``content`` with the headers of entry ``name`` rewritten: ``size`` (the uncompressed
    size both headers declare) and ``flags`` (the general purpose bits)."""
    raw = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        info = archive.getinfo(name)
    local, central = info.header_offset, _central_offset(raw, name)
    if "size" in fields:
        struct.pack_into("<I", raw, local + 22, fields["size"])
        struct.pack_into("<I", raw, central + 24, fields["size"])
    if "flags" in fields:
        struct.pack_into("<H", raw, local + 6, info.flag_bits | fields["flags"])
        struct.pack_into("<H", raw, central + 8, info.flag_bits | fields["flags"])
    return bytes(raw)


def _central_offset(raw: bytearray, name: str) -> int:
    encoded = name.encode()
    at = raw.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", raw, at + 28)[0]
        if raw[at + 46:at + 46 + length] == encoded:
            return at
        at = raw.find(b"PK\x01\x02", at + 4)
    raise KeyError(name)


def zeros_entry(name: str, size: int) -> bytes:
    """A ZIP whose entry ``name`` unpacks to ``size`` zero bytes (about 1/1000 of it packed)."""
    packer, chunk, packed = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(1 << 20), []
    for _ in range(size >> 20):
        packed.append(packer.compress(chunk))
    packed.append(packer.flush())
    body = b"".join(packed)
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(chunk, crc)
    encoded = name.encode()
    utf8 = 0x800  # the name is UTF-8
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, utf8, 8, 0, 0x2821, crc, len(body), size,
                        len(encoded), 0) + encoded
    central = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, utf8, 8, 0, 0x2821, crc,
                          len(body), size, len(encoded), 0, 0, 0, 0, 0, 0) + encoded
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end


def _with_entry(engine: Engine, name: str, content: bytes, dossier: str = "project") -> bytes:
    files = unzip(honest(engine, dossier))
    files[name] = content
    return make_zip(remanifest(files))


def _without(engine: Engine, name_starts: str, dossier: str = "project") -> bytes:
    files = unzip(honest(engine, dossier))
    files = {n: c for n, c in files.items() if not n.startswith(name_starts)}
    return make_zip(remanifest(files) if MANIFEST_FILE in files else files)


def _documents_from(engine: Engine, dossier: str, suffix: str) -> bytes:
    """The honest bundle with its documents ending in ``suffix`` taken from a bundle of other
    data, and the manifest recomputed: only re-rendering can tell."""
    files, other = unzip(honest(engine, dossier)), unzip(honest(engine, dossier, "另一个项目"))
    mine, theirs = (sorted(n for n in f if n.endswith(suffix)) for f in (files, other))
    swapped = {a: other[b] for a, b in zip(mine, theirs, strict=True) if other[b] != files[a]}
    assert swapped, f"no {suffix} differs between the two {dossier} bundles"
    return make_zip(remanifest({**files, **swapped}))


def _exported_with(engine: Engine, **values: str) -> bytes:
    """What the page exports when these values were typed into 附件3."""
    data = valid_project_dossier()
    data["project_info"].update(values)
    return engine.export("project", data)[1]


def _nested_bombs(engine: Engine, count: int = 25) -> bytes:
    """A county bundle carrying ``count`` project bundles, each within a project's own limit
    (9 MB of zeros, 9 kB packed, a different name each so none is served from a cache)."""
    files = unzip(honest(engine, "county"))
    record = json.loads(files[DATA_FILE])
    project = unzip(honest(engine))
    listing = []
    for i in range(count):
        name = f"attachments/{i + 1:02d}-项目{i}.zip"
        files[name] = make_zip({**project, f"填充{i}.bin": bytes(9 << 20)})
        listing.append({"file": name, "sha256": hashlib.sha256(files[name]).hexdigest(), "key": str(i)})
    files = {n: c for n, c in files.items() if not n.startswith("attachments/") or n in
             {entry["file"] for entry in listing}}
    record["attachments"] = listing
    files[DATA_FILE] = json_bytes(json.dumps(record, ensure_ascii=False, indent=2))
    return make_zip(remanifest(files), zipfile.ZIP_STORED)


def _subsidy(record: dict) -> None:
    record["data"]["project_info"]["subsidy_requested"] = "299"


def _set_version(value: Any) -> Callable[[dict], None]:
    def change(record: dict) -> None:
        record["format_version"] = value
    return change


def _rows(count: int) -> Callable[[dict], None]:
    def change(record: dict) -> None:
        record["data"]["project_info"]["progress_plan"] = [{"stage": f"第{i}阶段"} for i in range(count)]
    return change


def _padded(size: int) -> Callable[[dict], None]:
    def change(record: dict) -> None:
        record["data"]["project_info"]["project_name"] = "长" * (size // 3)
    return change


def _deep_manifest(engine: Engine) -> bytes:
    files = unzip(honest(engine))
    files[MANIFEST_FILE] = b"[" * 3000 + b"]" * 3000
    return make_zip(files)


def _no_checksum(record: dict) -> None:
    del record["data_sha256"]


_DEEP = b'{"format": "formsite-bundle", "format_version": 1, "dossier": "project", "data": {"x": ' \
        + b"[" * 3000 + b"]" * 3000 + b"}}"

CASES: list[Case] = [
    # --- too big, too many, too deep: refused before anything is unpacked or parsed -----------
    Case("file-over-limit", lambda e: make_zip({**unzip(honest(e)), "填充.bin": bytes(11 << 20)}, zipfile.ZIP_STORED),
         "文件过大（超过10MB）", "bundle.too_large"),
    Case("json-over-limit", lambda e: edited(honest(e), _padded(9 << 20)),
         "data.json 过大（超过8MB）", "bundle.record_too_large"),
    Case("bare-json-over-limit", lambda e: json.dumps({"format": "formsite-bundle", "x": "长" * (3 << 20)},
                                                      ensure_ascii=False).encode(),
         "data.json 过大（超过8MB）", "bundle.record_too_large", file_name="hostile.json"),
    Case("bomb-honest-size", lambda e: zeros_entry(DATA_FILE, 200 << 20),
         "data.json 过大（超过8MB）", "bundle.record_too_large"),
    Case("bomb-lying-size", lambda e: _patched(zeros_entry(DATA_FILE, 200 << 20), DATA_FILE, size=1000),
         "ZIP文件已损坏", "bundle.bad_zip"),
    Case("bomb-document", lambda e: zeros_entry("附件9.docx", 100 << 20),
         "附件9.docx 过大", "bundle.entry_too_large"),
    Case("bombs-inside-bundles", _nested_bombs, "连同其中所附的数据包解压后过大（超过200MB）",
         "bundle.total_too_large", dossier="county"),
    Case("too-many-entries", lambda e: make_zip([(f"{i}.txt", b"") for i in range(MAX_ENTRIES + 1)]),
         "文件过多（超过2000个）", "bundle.too_many_entries"),
    Case("duplicate-entries", lambda e: make_zip([*unzip(honest(e)).items(), (DATA_FILE, unzip(honest(e))[DATA_FILE])]),
         "重名的文件", "bundle.duplicate_entries"),
    Case("encrypted", lambda e: _patched(honest(e), DATA_FILE, flags=0x1), "ZIP文件已加密", "bundle.encrypted"),
    Case("bzip2", lambda e: make_zip(unzip(honest(e)), zipfile.ZIP_BZIP2), "不使用的压缩方式",
         "bundle.unsupported_compression"),
    Case("deep-3000", lambda e: _DEEP, "嵌套层数过多", "bundle.too_deep", file_name="hostile.json"),
    # json.loads itself ends Pyodide under Node (a fatal stack overflow) at this depth; so many
    # brackets are refused by their count, before their depth is even scanned.
    Case("deep-100000", lambda e: _DEEP.replace(b"[" * 3000, b"[" * 100_000).replace(b"]" * 3000, b"]" * 100_000),
         "数据项过多", "bundle.too_many_values", file_name="hostile.json"),
    Case("deep-900-in-zip", lambda e: make_zip({DATA_FILE: _DEEP.replace(b"[" * 2100, b"").replace(b"]" * 2100, b"")}),
         "嵌套层数过多", "bundle.too_deep"),
    Case("rows-100000", lambda e: edited(honest(e), _rows(100_000)), "数据项过多（超过50000项）",
         "bundle.too_many_values"),
    Case("rows-over-max", lambda e: edited(honest(e), _rows(13)), "有13行，超过该表的上限12行",
         "bundle.too_many_rows"),
    # --- numbers and characters no export holds ---------------------------------------------------
    Case("nan", lambda e: _value(e, "NaN"), "数值“NaN”", "bundle.bad_number", file_name="hostile.json"),
    Case("infinity", lambda e: _value(e, "-Infinity"), "数值“-Infinity”", "bundle.bad_number",
         file_name="hostile.json"),
    Case("1e400", lambda e: _value(e, "1e400"), "数值“1e400”", "bundle.bad_number", file_name="hostile.json"),
    Case("int-5000-digits", lambda e: _value(e, "9" * 5000), "本系统不使用的数值", "bundle.bad_number",
         file_name="hostile.json"),
    Case("lone-surrogate", lambda e: _exported_with(e, project_name="安吉\ud800椅业"), "项目名称含有1个无效的字符",
         "text.surrogates", refused=False),
    Case("huge-string", lambda e: edited(honest(e), _padded(3 << 20)), "项目名称过长：最多", "text.too_long",
         refused=False),
    # --- the format's own fields ------------------------------------------------------------------
    Case("format-version-true", lambda e: edited(honest(e), _set_version(True)), "格式版本无法识别",
         "bundle.bad_format_version"),
    Case("format-version-negative", lambda e: edited(honest(e), _set_version(-7)), "格式版本无法识别",
         "bundle.bad_format_version"),
    Case("format-version-newer", lambda e: edited(honest(e), _set_version(2)), "比本网站新",
         "bundle.newer_format"),
    Case("wrong-page", lambda e: honest(e, "county"), "不能导入到本页面", "bundle.wrong_dossier",
         page_only=True),
    # --- tampering: the data is read, the file is said not to be as exported ------------------------
    Case("data-changed-every-hash-recomputed", lambda e: edited(honest(e), _subsidy),
         "文档与其数据不一致", "integrity.documents_differ", refused=False),
    Case("documents-from-other-data", lambda e: _documents_from(e, "project", ".docx"),
         "文档与其数据不一致", "integrity.documents_differ", refused=False),
    Case("manifest-missing", lambda e: _without(e, MANIFEST_FILE), "没有清单（manifest.json）",
         "integrity.no_manifest", refused=False),
    Case("manifest-deep", _deep_manifest, "清单（manifest.json）已损坏", "integrity.bad_manifest",
         refused=False),
    Case("manifest-stale", lambda e: edited(honest(e), _subsidy, manifest=False),
         "与清单（manifest.json）不一致", "integrity.manifest_mismatch", refused=False),
    Case("checksum-stale", lambda e: edited(honest(e), _subsidy, checksum=False),
         "校验和与内容不一致", "integrity.checksum_mismatch", refused=False),
    Case("checksum-missing", lambda e: edited(honest(e), _no_checksum, checksum=False), "没有数据校验和（data_sha256）",
         "integrity.no_checksum", refused=False),
    Case("document-missing", lambda e: _without(e, "附件4"), "缺少按其数据应有的文档",
         "integrity.documents_missing", refused=False),
    Case("extra-file", lambda e: _with_entry(e, "说明.exe", b"MZ"), "不属于它的文件：说明.exe",
         "integrity.extra_files", refused=False),
    Case("county-documents-from-other-data", lambda e: _documents_from(e, "county", ".docx"),
         "文档与其数据不一致", "integrity.documents_differ", refused=False, dossier="county"),
    Case("city-list-from-other-data", lambda e: _documents_from(e, "city", ".xlsx"),
         "文档与其数据不一致", "integrity.documents_differ", refused=False, dossier="city"),
]
