"""Bundles: what a person downloads, carries and opens again.

A bundle is a ZIP holding ``data.json`` (format version, dossier id, rule set id/version/hash,
the data exactly as entered, its sha256 and the validation result), one DOCX per annex (the
official form, filled) and ``manifest.json`` (the sha256 of every file, the rule set and the
verdict). The bare ``data.json`` is accepted on import too. Reading never trusts the file: anything unexpected
becomes a :class:`BundleError` with a Chinese message, and the caller's draft stays untouched.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from .compiler import CompiledDossier
from .errors import BundleError
from .validation import Report

FORMAT = "formsite-bundle"
FORMAT_VERSION = 1
DATA_FILE = "data.json"
MANIFEST_FILE = "manifest.json"
MAX_BUNDLE_BYTES = 50 * 1024 * 1024
# A dossier nests record → data → form → table → row → cell: a handful of levels.
MAX_DEPTH = 32
UNVALIDATED = "未校验"  # the status of a draft that left a browser without the engine
# Fixed ZIP timestamps: the same dossier gives the same bytes (CLI and browser alike).
ZIP_DATE = (2024, 1, 1, 0, 0, 0)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


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
    files = [(DATA_FILE, json.dumps(record, ensure_ascii=False, indent=2).encode()),
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
    files.append((MANIFEST_FILE, json.dumps(manifest, ensure_ascii=False, indent=2).encode()))
    return _zip(files, frozenset(name for name, _ in attachments))


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


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
    report: Report
    notes: list[str] = field(default_factory=list)
    tampered: list[str] = field(default_factory=list)
    unchecked: bool = False  # no data checksum: a draft saved without the engine
    made_under: str = ""  # "id 版本" of the other rule set it was made under, if any
    attachments: list[Any] = field(default_factory=list)  # formsite.chain.Attached
    compiled: Any = None  # the CompiledDossier it was opened as


@dataclass
class Parsed:
    """A bundle's record, checked for shape but not yet validated, and the archive's files."""

    compiled: CompiledDossier
    record: dict[str, Any]
    data: dict[str, Any]
    files: dict[str, bytes]  # every entry of the ZIP ({} for a bare data.json)
    notes: list[str]
    tampered: list[str]  # files whose bytes differ from the manifest, or "manifest.json"


def parse_bundle(raw: bytes, compiled_by_id: dict[str, CompiledDossier],
                 expect_dossier: str | None = None) -> Parsed:
    """A ZIP bundle or a bare data.json, read without trusting anything in it."""
    if len(raw) > MAX_BUNDLE_BYTES:
        raise BundleError("bundle.too_large", limit="50MB")
    files = _entries(raw) if raw[:2] == b"PK" else {}
    if files and DATA_FILE not in files:
        raise BundleError("bundle.no_data")
    record = _json_record(files[DATA_FILE] if files else raw)
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise BundleError("bundle.not_ours")
    version = record.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise BundleError("bundle.bad_format_version")
    if version > FORMAT_VERSION:
        raise BundleError("bundle.newer_format")
    dossier = record.get("dossier")
    if not isinstance(dossier, str) or dossier not in compiled_by_id:
        raise BundleError("bundle.unknown_dossier", dossier=str(dossier)[:40])
    compiled = compiled_by_id[dossier]
    if expect_dossier and dossier != expect_dossier:
        raise BundleError("bundle.wrong_dossier", title=compiled.dossier.title)
    data = record.get("data")
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise BundleError("bundle.bad_data")
    notes: list[str] = []
    if "data_sha256" not in record:
        notes.append("该文件没有数据校验和：它是在无法运行校验引擎的浏览器中下载的未校验草稿，"
                     "已按当前规则重新校验。")
    tampered = _manifest_mismatches(files) if files else []
    if tampered:
        notes.append(f"注意：数据包中的文件与清单（manifest.json）不一致：{'、'.join(tampered[:5])}，"
                     "文件可能在导出后被修改过，请核对。")
    if "data_sha256" in record and record.get("data_sha256") != data_sha256(data):
        notes.append("注意：数据包的校验和与内容不一致，文件可能在导出后被修改过，请核对。")
        if DATA_FILE not in tampered:  # a careful editor recomputed the manifest, not the checksum
            tampered.insert(0, f"{DATA_FILE}（数据校验和）")
    return Parsed(compiled, record, data, files, notes, tampered)


def opened(parsed: Parsed, report: Report) -> Opened:
    notes = [*parsed.notes, *rule_changes(parsed.compiled, parsed.record, report),
             *unknown_data(parsed.compiled, parsed.data)]
    old = parsed.record.get("ruleset") if isinstance(parsed.record.get("ruleset"), dict) else {}
    made_under = ("" if old.get("hash") == parsed.compiled.definitions.ruleset_hash
                  else f"{str(old.get('id', '未知'))[:40]} 版本 {str(old.get('version', '未知'))[:20]}")
    # A bare data.json (no ZIP, no manifest) or a record without checksum is a draft, not a
    # bundle as exported: the chain does not accept it.
    unchecked = "data_sha256" not in parsed.record or not parsed.files
    return Opened(parsed.compiled.dossier.id, parsed.data, report, notes, tampered=parsed.tampered,
                  unchecked=unchecked, made_under=made_under, compiled=parsed.compiled)


# An entry of a bundle is at most this big (a project bundle with its DOCX is ~100 kB; a city's
# bundle of 11 counties × 10 projects stays far below).
MAX_ENTRY_BYTES = 40 * 1024 * 1024
MAX_ENTRIES = 2000


def _entries(raw: bytes) -> dict[str, bytes]:
    """Every file of the ZIP, read through a bounded stream: a header that lies about a size
    cannot make us allocate more than the limit; duplicate names are refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise BundleError("bundle.bad_zip")
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise BundleError("bundle.duplicate_entries")
            out: dict[str, bytes] = {}
            budget = MAX_BUNDLE_BYTES
            for info in infos:
                if info.is_dir():
                    continue
                with archive.open(info) as stream:
                    content = stream.read(min(MAX_ENTRY_BYTES, budget) + 1)
                if len(content) > min(MAX_ENTRY_BYTES, budget):
                    raise BundleError("bundle.entry_too_large", name=info.filename[:60])
                budget -= len(content)
                out[info.filename] = content
            return out
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError,
            zlib.error, lzma.LZMAError) as exc:
        # NotImplementedError / RuntimeError: compression or encryption we do not read.
        raise BundleError("bundle.bad_zip") from exc
    except RuntimeError as exc:  # zipfile raises it for encrypted entries
        raise BundleError("bundle.encrypted") from exc


def _manifest_mismatches(files: dict[str, bytes]) -> list[str]:
    """Files whose bytes are not those the manifest lists (or a missing/broken manifest)."""
    try:
        manifest = json.loads(files[MANIFEST_FILE].decode("utf-8"))
        listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, RecursionError):
        return [MANIFEST_FILE]
    names = set(files) - {MANIFEST_FILE}
    return sorted(n for n in names | set(listed)
                  if n not in files or n not in listed or sha256_hex(files[n]) != listed[n])


def _json_record(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BundleError("bundle.not_text") from None
    try:
        record = json.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: also ints over 4300 digits
        line = getattr(exc, "lineno", None)
        where = f"（第{line}行）" if line else ""
        raise BundleError("bundle.bad_json", where=where) from None
    if _depth(record) > MAX_DEPTH:
        raise BundleError("bundle.too_deep")
    return record


def _depth(value: Any) -> int:
    """How deeply objects and lists nest, without recursion (a hostile file may nest 100 000)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


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
            unknown.append(form_id)
            continue
        known = {f.id for f in form.fields()}
        unknown.extend(f"{form_id}.{k}" for k in values if k not in known)
    if not unknown:
        return []
    return [f"以下数据在当前表单中没有对应项，已原样保留在草稿和导出文件中，但不显示：{'、'.join(unknown[:20])}"]
