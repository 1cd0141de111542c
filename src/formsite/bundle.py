"""Bundles: what a person downloads, carries and opens again.

A bundle is a ZIP holding ``data.json`` (format version, dossier id, rule set id/version/hash,
the data exactly as entered, its sha256 and the validation result), one DOCX per annex (the
official form, filled) and ``manifest.json`` (the sha256 of every file, the rule set and the
verdict). The bare ``data.json`` is accepted on import too. Reading never trusts the file: anything unexpected
becomes a :class:`BundleError` with a Chinese message, and the caller's draft stays untouched.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import lzma
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .compiler import CompiledDossier
from .errors import INTEGRITY_MESSAGES, BundleError, Issue, shown_text
from .validation import Report

FORMAT = "formsite-bundle"
FORMAT_VERSION = 1
DATA_FILE = "data.json"
MANIFEST_FILE = "manifest.json"

# --- limits: what a bundle of this site can hold; each refusal has its message in errors.py --
MB = 1024 * 1024
# A file of a dossier that carries bundles: a city's with 500 projects in 4 counties is 14.5 MB.
MAX_BUNDLE_BYTES = 50 * MB
# A file of a dossier that carries none: a project's bundle is about 30 kB.
MAX_PLAIN_BUNDLE_BYTES = 10 * MB
# data.json and manifest.json (and a bare data.json): read whole, so checked before parsing.
MAX_RECORD_BYTES = 8 * MB
# Any other entry of the ZIP (a document, a carried bundle).
MAX_ENTRY_BYTES = 40 * MB
MAX_ENTRIES = 2000  # a county of 200 projects holds about 400
# A dossier nests record → data → form → table → row → cell: a handful of levels.
MAX_DEPTH = 32
# Values (containers and items) in one JSON file: a county of 200 projects has a few thousand.
MAX_JSON_VALUES = 50_000
# Everything one opened file unpacks, the bundles it carries (and theirs) included: an honest
# city unpacks about three times its size; a file of small nested bombs would unpack thousands.
MAX_UNPACKED_BYTES = 4 * MAX_BUNDLE_BYTES
LIMITS: dict[str, int] = {
    "max_bundle_bytes": MAX_BUNDLE_BYTES, "max_plain_bundle_bytes": MAX_PLAIN_BUNDLE_BYTES,
    "max_record_bytes": MAX_RECORD_BYTES, "max_entry_bytes": MAX_ENTRY_BYTES,
    "max_entries": MAX_ENTRIES, "max_depth": MAX_DEPTH, "max_json_values": MAX_JSON_VALUES,
    "max_unpacked_bytes": MAX_UNPACKED_BYTES,
}


class Budget:
    """The bytes that opening one file may still unpack, shared by the bundles inside it."""

    def __init__(self, total: int = MAX_UNPACKED_BYTES):
        self.left = total

    def take(self, size: int) -> None:
        if size > self.left:
            raise BundleError("bundle.total_too_large", limit=f"{MAX_UNPACKED_BYTES // MB}MB")
        self.left -= size


def size_limit(compiled: CompiledDossier, kind: str | None = None) -> int:
    """The largest file that can be a bundle of dossier ``kind`` (this one by default)."""
    dossier = compiled.definitions.dossiers[kind or compiled.dossier.id]
    return MAX_BUNDLE_BYTES if dossier.attachments is not None else MAX_PLAIN_BUNDLE_BYTES


def too_large(limit: int) -> BundleError:
    return BundleError("bundle.too_large", limit=f"{limit // MB}MB")


def page_limits(compiled: CompiledDossier, kind: str | None = None) -> dict[str, Any]:
    """What the page may check before it hands a file of dossier ``kind`` (this one by
    default) to the engine: the engine's own limit and words, for the build to write."""
    limit = size_limit(compiled, kind)
    return {"max_bytes": limit, "too_large": str(too_large(limit))}


UNVALIDATED = "未校验"  # the status of a draft that left a browser without the engine
# Fixed ZIP timestamps: the same dossier gives the same bytes (CLI and browser alike).
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def json_bytes(text: str) -> bytes:
    """JSON text as UTF-8; a lone surrogate (typed or imported) stays the JSON escape it came
    as (\\ud800), so the file is valid UTF-8 and reads back to the same string."""
    return text.encode("utf-8", "backslashreplace")


def canonical_json(value: Any) -> bytes:
    return json_bytes(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def data_sha256(data: Any) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(data)).hexdigest()


def _head(compiled: CompiledDossier) -> dict[str, Any]:
    rules = compiled.definitions.ruleset
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "dossier": compiled.dossier.id,
        "ruleset": {"id": rules.id, "version": rules.version,
                    "hash": compiled.definitions.ruleset_hash},
    }


def draft_record(compiled: CompiledDossier) -> dict[str, Any]:
    """A record of this dossier without data: what a draft is before the engine has seen it.

    The build writes it into the page, which saves drafts as ``{...draft_record, data}`` and,
    in a browser that cannot run the engine, downloads them so. Such a file has no checksum;
    :func:`parse_bundle` opens it and says so; the engine revalidates it.
    """
    return {**_head(compiled), "validation": {"ok": False, "status": UNVALIDATED}}


def make_record(compiled: CompiledDossier, data: dict[str, Any], report: Report) -> dict[str, Any]:
    return {
        **_head(compiled),
        "data": data,
        "data_sha256": data_sha256(data),
        "validation": {**report.as_dict(),
                       "status": report.status},
    }


def _zip(files: list[tuple[str, bytes]], stored: frozenset[str] = frozenset()) -> bytes:
    """A ZIP with fixed timestamps; the ``stored`` entries (bundles carried inside, already
    compressed) are not compressed a second time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED if name in stored else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


def write_bundle(compiled: CompiledDossier, data: dict[str, Any], report: Report,
                 documents: list[tuple[str, bytes]],
                 attachments: list[tuple[str, bytes]] = (),
                 extra: dict[str, Any] | None = None) -> bytes:
    """The ZIP bundle: ``data.json`` (the record: data as entered, its checksum, the verdict,
    and ``extra`` such as the list of attachments), the documents, each attached bundle byte
    for byte, and ``manifest.json`` with the sha256 of every file."""
    record = {**make_record(compiled, data, report), **(extra or {})}
    files = [(DATA_FILE, json_bytes(json.dumps(record, ensure_ascii=False, indent=2))),
             *documents, *attachments]
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "dossier": record["dossier"],
        "ruleset": record["ruleset"],
        "validation": {"ok": report.ok, "status": record["validation"]["status"],
                       "errors": len(report.errors), "warnings": len(report.warnings)},
        "files": [{"name": name, "sha256": sha256_hex(content),
                   "bytes": len(content)} for name, content in files],
    }
    files.append((MANIFEST_FILE, json_bytes(json.dumps(manifest, ensure_ascii=False, indent=2))))
    return _zip(files, frozenset(name for name, _ in attachments))


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\ud800-\udfff]+')


def safe_name(text: str, limit: int) -> str:
    """``text`` as part of a file name on any disk: no separators or reserved characters."""
    return _UNSAFE.sub("_", text).strip(" ._")[:limit]


def bundle_file_name(compiled: CompiledDossier, data: dict[str, Any]) -> str:
    """The download name: the dossier's naming field (e.g. 项目名称), made safe for any disk."""
    form, _, field_id = compiled.dossier.file_name.partition(".")
    value = (data.get(form) or {}).get(field_id) if isinstance(data.get(form), dict) else None
    name = safe_name(str(value or ""), 60)
    return f"{name or compiled.dossier.title[:20]}.zip"


def draft_file_name(compiled: CompiledDossier) -> str:
    """The name of a draft downloaded without the engine; the page cannot read its fields."""
    title = safe_name(compiled.dossier.title.partition("（")[0], 40)
    return f"{title or compiled.dossier.id}（{UNVALIDATED}草稿）.json"


@dataclass
class Opened:
    """A bundle read back: the data to load, and what the person should be told."""

    dossier: str
    data: dict[str, Any]
    report: Report  # the data's verdict under the current rules
    notes: list[str] = field(default_factory=list)
    unchecked: bool = False  # no data checksum: a draft saved without the engine
    made_under: str = ""  # "id 版本" of the other rule set it was made under, if any
    attachments: list[Any] = field(default_factory=list)  # formsite.chain.Attached
    compiled: Any = None  # the CompiledDossier it was opened as
    # The file is not as it was exported: manifest, checksum or documents do not match.
    integrity: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.report.ok and not self.integrity

    @property
    def tampered(self) -> list[Issue]:
        """The findings that the file was changed (a missing checksum is a draft's: said apart)."""
        return [i for i in self.integrity if i.code != "integrity.no_checksum"]

    @property
    def verdict(self) -> str:
        if not self.integrity:
            return self.report.verdict
        return f"未通过完整性检查：{len(self.integrity)}个问题（数据按当前规则{self.report.status}）"


@dataclass
class Parsed:
    """A bundle's record, checked for shape but not yet validated, and the archive's files."""

    compiled: CompiledDossier
    record: dict[str, Any]
    data: dict[str, Any]
    files: dict[str, bytes]  # every entry of the ZIP ({} for a bare data.json)
    notes: list[str]
    integrity: list[Issue]


def parse_bundle(raw: bytes, compiled_by_id: dict[str, CompiledDossier],
                 expect_dossier: str | None = None, budget: Budget | None = None) -> Parsed:
    """A ZIP bundle or a bare data.json, read without trusting anything in it: every size,
    count and depth is checked before the bytes are unpacked or parsed."""
    limit = (size_limit(compiled_by_id[expect_dossier]) if expect_dossier in compiled_by_id
             else MAX_BUNDLE_BYTES)
    if len(raw) > limit:
        raise too_large(limit)
    files = _entries(raw, limit, budget or Budget()) if raw[:2] == b"PK" else {}
    if files and DATA_FILE not in files:
        raise BundleError("bundle.no_data")
    record = read_json(files[DATA_FILE] if files else raw, DATA_FILE)
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise BundleError("bundle.not_ours")
    version = record.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int | float) or version < 1 \
            or version != int(version):
        raise BundleError("bundle.bad_format_version")
    if version > FORMAT_VERSION:
        raise BundleError("bundle.newer_format")
    dossier = record.get("dossier")
    if not isinstance(dossier, str) or dossier not in compiled_by_id:
        raise BundleError("bundle.unknown_dossier", dossier=shown_text(str(dossier)))
    compiled = compiled_by_id[dossier]
    if expect_dossier and dossier != expect_dossier:
        raise BundleError("bundle.wrong_dossier", title=compiled.dossier.title)
    unpacked = sum(map(len, files.values())) or len(raw)
    if unpacked > size_limit(compiled):  # a project's bundle the size of a city's
        raise too_large(size_limit(compiled))
    data = record.get("data")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BundleError("bundle.bad_data")
    _check_rows(compiled, data)
    notes: list[str] = []
    integrity = _file_integrity(files, record, data) if files else []
    if "data_sha256" not in record and not files:
        notes.append("该文件没有数据校验和：它是在无法运行校验引擎的浏览器中下载的未校验草稿，"
                     "已按当前规则重新校验。")
    elif "data_sha256" in record and not files and record["data_sha256"] != data_sha256(data):
        integrity.append(integrity_issue("integrity.checksum_mismatch", DATA_FILE))
    return Parsed(compiled, record, data, files, notes, integrity)


def opened(parsed: Parsed, report: Report) -> Opened:
    from .changes import changes_for  # changes.py builds on this module

    notes = [*parsed.notes, *changes_for(parsed.compiled, parsed.record, parsed.data, report,
                                          subject="该数据包")]
    old = parsed.record.get("ruleset") if isinstance(parsed.record.get("ruleset"), dict) else {}
    made_under = ("" if old.get("hash") == parsed.compiled.definitions.ruleset_hash else
                  f"{shown_text(str(old.get('id', '未知')))} 版本 {shown_text(str(old.get('version', '未知')), 20)}")
    # A bare data.json (no ZIP, no manifest) or a record without checksum is a draft, not a
    # bundle as exported: the chain does not accept it.
    unchecked = "data_sha256" not in parsed.record or not parsed.files
    return Opened(parsed.compiled.dossier.id, parsed.data, report, notes,
                  unchecked=unchecked, made_under=made_under, compiled=parsed.compiled,
                  integrity=list(parsed.integrity))


def _check_rows(compiled: CompiledDossier, data: dict[str, Any]) -> None:
    """No table holds more rows than its definition allows: the page cannot make such a file."""
    for form in compiled.forms:
        values = data.get(form.id) or {}
        for fdef in form.fields():
            rows = values.get(fdef.id)
            if fdef.type == "table" and isinstance(rows, list) and len(rows) > fdef.max_rows:
                raise BundleError("bundle.too_many_rows", label=compiled.index.label(f"{form.id}.{fdef.id}"),
                                  found=len(rows), max=fdef.max_rows)


# --- integrity: is the file as it was exported? ----------------------------------------------


def integrity_issue(code: str, path: str, files: list[str] = ()) -> Issue:
    """One finding about the file itself, in the shape every problem is reported in."""
    named = "、".join(shown_text(f, 60) for f in files[:5]) + ("等" if len(files) > 5 else "")
    return Issue(path, code, "error", INTEGRITY_MESSAGES[code].format(files=named), path, "", "", "")


def _file_integrity(files: dict[str, bytes], record: dict[str, Any], data: Any) -> list[Issue]:
    """The manifest's hashes and the data's checksum, as far as the ZIP lets them be checked."""
    issues = []
    if MANIFEST_FILE not in files:
        issues.append(integrity_issue("integrity.no_manifest", MANIFEST_FILE))
    else:
        listed = _manifest(files[MANIFEST_FILE])
        if listed is None:
            issues.append(integrity_issue("integrity.bad_manifest", MANIFEST_FILE))
        else:
            names = set(files) - {MANIFEST_FILE}
            changed = sorted(n for n in names | set(listed)
                             if n not in files or n not in listed or sha256_hex(files[n]) != listed[n])
            if changed:
                issues.append(integrity_issue("integrity.manifest_mismatch", changed[0], changed))
    if "data_sha256" not in record:
        issues.append(integrity_issue("integrity.no_checksum", DATA_FILE))
    elif record["data_sha256"] != data_sha256(data):
        issues.append(integrity_issue("integrity.checksum_mismatch", DATA_FILE))
    return issues


def _manifest(raw: bytes) -> dict[str, str] | None:
    """The manifest's {file name: sha256}, or None when it is not one."""
    try:
        manifest = read_json(raw, MANIFEST_FILE)
        listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    except (BundleError, KeyError, TypeError):
        return None
    return listed if all(isinstance(k, str) and isinstance(v, str) for k, v in listed.items()) else None


def document_integrity(files: dict[str, bytes], expected: list[tuple[str, bytes]],
                       carried: list[str], budget: Budget) -> list[Issue]:
    """The bundle's documents against those its data renders to now (``expected``): missing,
    different in content, or files that belong to no document. Bytes equal is the fast path;
    otherwise the texts are compared, so a newer writer's different bytes are not a change."""
    issues = []
    missing = [name for name, _ in expected if name not in files]
    differ = [name for name, content in expected
              if name in files and files[name] != content
              and _ooxml_text(files[name], budget) != _ooxml_text(content, budget)]
    known = {DATA_FILE, MANIFEST_FILE, *carried, *(name for name, _ in expected)}
    extra = sorted(name for name in files if name not in known)
    for code, names in (("integrity.documents_differ", differ), ("integrity.documents_missing", missing),
                        ("integrity.extra_files", extra)):
        if names:
            issues.append(integrity_issue(code, names[0], names))
    return issues


_XML_TEXT = re.compile(r">([^<]+)<")


def _ooxml_text(content: bytes, budget: Budget) -> list[str] | None:
    """What a DOCX or .xlsx says: the text between the tags of each part, formatting left out
    (docProps holds only the fixed timestamps). None when it is not a readable package."""
    try:
        parts = _entries(content, MAX_ENTRY_BYTES, budget)
    except BundleError:
        return None
    texts = []
    for name in sorted(parts):
        if name.endswith(".xml") and not name.startswith("docProps/"):
            xml = parts[name].decode("utf-8", "replace")
            texts.append(html.unescape("".join(t for t in _XML_TEXT.findall(xml) if t.strip())))
    return texts


def _entries(raw: bytes, limit: int, budget: Budget) -> dict[str, bytes]:
    """Every file of the ZIP, read through a bounded stream after every header was checked:
    the number of entries before they are listed, the sizes they declare before anything is
    unpacked (a header that lies is caught by the bounded read and the CRC), duplicate names,
    encryption and compression methods this site never writes."""
    end = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if end >= 0 and int.from_bytes(raw[end + 10:end + 12], "little") > MAX_ENTRIES:
        raise BundleError("bundle.too_many_entries", limit=MAX_ENTRIES)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            if len(infos) > MAX_ENTRIES:
                raise BundleError("bundle.too_many_entries", limit=MAX_ENTRIES)
            names = [info.filename for info in infos]
            if len(set(names)) != len(names):
                raise BundleError("bundle.duplicate_entries")
            for info in infos:
                if info.flag_bits & 0x1:
                    raise BundleError("bundle.encrypted")
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise BundleError("bundle.unsupported_compression", name=shown_text(info.filename, 60))
                _check_declared(info.filename, info.file_size)
            declared = sum(info.file_size for info in infos)
            if declared > limit:
                raise BundleError("bundle.unpacked_too_large", limit=f"{limit // MB}MB")
            budget.take(declared)
            out: dict[str, bytes] = {}
            for info in infos:  # read no more than declared: a header that lies fails its CRC
                with archive.open(info) as stream:
                    content = stream.read(info.file_size + 1)
                if len(content) > info.file_size:
                    raise BundleError("bundle.bad_zip")
                out[info.filename] = content
            return out
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, RuntimeError, EOFError,
            zlib.error, lzma.LZMAError) as exc:
        raise BundleError("bundle.bad_zip") from exc


def _entry_limit(name: str) -> int:
    return MAX_RECORD_BYTES if name in (DATA_FILE, MANIFEST_FILE) else MAX_ENTRY_BYTES


def _check_declared(name: str, size: int) -> None:
    if size > _entry_limit(name):
        if name in (DATA_FILE, MANIFEST_FILE):
            raise BundleError("bundle.record_too_large", name=name, limit=f"{MAX_RECORD_BYTES // MB}MB")
        raise BundleError("bundle.entry_too_large", name=shown_text(name, 60))


# --- JSON: bounded before it is parsed ---------------------------------------------------------

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')  # once escapes are gone, a string is quote to quote
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def read_json(raw: bytes, name: str) -> Any:
    """A JSON file of a bundle, refused with the reason when it is larger, more numerous or
    more deeply nested than any this site writes, or holds numbers it never writes (NaN,
    Infinity, 1e400): all of it found by scanning the text before ``json.loads`` sees it (a
    deep file would exhaust the browser's Python stack; a large one would freeze the page)."""
    if len(raw) > MAX_RECORD_BYTES:
        raise BundleError("bundle.record_too_large", name=name, limit=f"{MAX_RECORD_BYTES // MB}MB")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BundleError("bundle.not_text") from None
    _check_shape(text)
    try:
        return json.loads(text, parse_constant=_bad_number, parse_float=_finite, parse_int=_int)
    except (ValueError, RecursionError) as exc:
        line = getattr(exc, "lineno", None)
        where = f"（第{line}行）" if line else ""
        raise BundleError("bundle.bad_json", where=where) from None


def _check_shape(text: str) -> None:
    """Count and nesting of the JSON text's values, strings left out: linear, bounded time."""
    skeleton = _STRING.sub("", _ESCAPE.sub("", text))
    opened = skeleton.count("[") + skeleton.count("{")
    if skeleton.count(",") + opened > MAX_JSON_VALUES \
            or skeleton.count("]") + skeleton.count("}") > MAX_JSON_VALUES:
        raise BundleError("bundle.too_many_values", limit=MAX_JSON_VALUES)
    if opened <= MAX_DEPTH:
        return
    depth = 0
    for bracket in _NOT_BRACKET.sub("", skeleton):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            raise BundleError("bundle.too_deep")


def _bad_number(text: str) -> NoReturn:
    raise BundleError("bundle.bad_number", value=shown_text(text, 20))


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        _bad_number(text)
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > 100:  # far beyond any amount; int() refuses 4300 digits
        _bad_number(text)
    return int(text)


def rule_changes(compiled: CompiledDossier, record: dict, report: Report,
                 subject: str = "该数据包") -> list[str]:
    """What changed for a record made under other rules: ``report`` is its verdict now.

    ``subject`` names the record in the notes ("该数据包", or "本草稿" for a saved draft).
    """
    old = record.get("ruleset") if isinstance(record.get("ruleset"), dict) else {}
    rules = compiled.definitions.ruleset
    if old.get("hash") == compiled.definitions.ruleset_hash:
        return []
    same_version = old.get("id") == rules.id and old.get("version") == rules.version
    notes = [f"{subject}按规则集 {str(old.get('id', '未知'))[:40]} 版本 {str(old.get('version', '未知'))[:20]} 制作，"
             + ("此后规则或表单的内容有改动（版本号未变），" if same_version else "此后规则或表单已更新，")
             + f"已按当前规则集 {rules.id} 版本 {rules.version} 重新校验。"]
    # The file is not trusted: the old verdict is read only where it has the expected shape.
    validation = record.get("validation") if isinstance(record.get("validation"), dict) else {}
    if not isinstance(validation.get("errors"), list):
        return notes  # never checked (a draft): every problem would look new
    old_errors = validation["errors"]
    before = {(str(i.get("path")), str(i.get("code"))) for i in old_errors if isinstance(i, dict)}
    new = [i for i in report.errors if (i.path, i.code) not in before]
    notes.extend(f"新出现的问题：{i.message}" for i in new[:10])
    if len(new) > 10:
        notes.append(f"另有{len(new) - 10}个新出现的问题，见问题汇总。")
    after = {(i.path, i.code) for i in report.errors}
    resolved = len([k for k in before if k not in after])
    if resolved:
        notes.append(f"按当前规则，原有的{resolved}个问题已不再出现。")
    return notes


def unknown_data(compiled: CompiledDossier, data: dict[str, Any]) -> list[str]:
    """Data the current forms have no field for: kept in the draft and in exports, and named."""
    unknown = []
    for form_id, values in data.items():
        form = compiled.definitions.forms.get(form_id)
        if form is None or form_id not in compiled.dossier.forms:
            unknown.append(shown_text(form_id))
            continue
        known = {f.id for f in form.fields()}
        unknown.extend(f"{form_id}.{shown_text(k)}" for k in values if k not in known)
    if not unknown:
        return []
    return [f"以下数据在当前表单中没有对应项，已原样保留在草稿和导出文件中，但不显示：{'、'.join(unknown[:20])}"]
