"""The enterprise → county → city chain: dossiers that carry other dossiers' bundles.

A county's bundle carries its enterprises' project bundles, a city's bundle its counties'
bundles (``attachments`` of the dossier definition). Each attached bundle is kept byte for byte,
so its own checksums still hold, and is never trusted: it is opened and revalidated under the
current rules, recursively (a city revalidates every project inside every county). Then the
chain's own checks, all declared in ``forms/dossiers.yaml``:

* an attachment that cannot be opened, that fails validation, or whose files differ from its
  manifest or its data checksum (tampered) is an error on its row; one made under another rule set is a warning;
* two attachments with the same ``key`` (e.g. credit code + project name) are duplicates;
* ``same``: the attached dossier belongs here (a project of this county, a county of this city);
* the number of attachments is at least ``min_count`` and at most the quota of the rule set.

One row of ``table`` follows each attachment (the county's 附件2 for that project, the city's
推荐意见 for that county): :func:`sync_rows` adds, keeps and drops rows so that they match the
attachments, and fills the row's ``copy`` columns from the attached data; the person types the
rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .bundle import (
    Budget,
    Opened,
    Parsed,
    document_integrity,
    opened,
    parse_bundle,
    safe_name,
    sha256_hex,
    write_bundle,
)
from .compiler import CompiledDossier
from .definitions import AttachmentDef
from .errors import CHAIN_MESSAGES, BundleError, Issue
from .validation import Report, validate


@dataclass
class Attached:
    """One attached bundle: its bytes as they came, and what opening them found."""

    name: str
    raw: bytes
    sha256: str
    opened: Opened | None = None
    problem: BundleError | None = None
    values: dict[str, Any] = field(default_factory=dict)  # the attached normalised data

    def summary(self) -> dict[str, Any]:
        """What the page lists for this attachment."""
        report = self.opened.report if self.opened else None
        return {"name": self.name, "sha256": self.sha256,
                "readable": self.opened is not None,
                "message": str(self.problem) if self.problem else "",
                "ok": bool(report and report.ok),
                "errors": len(report.errors) if report else 0,
                # As a list of bundles says it: "通过校验", or "未通过校验：3个错误".
                "verdict": "" if report is None else report.status if report.ok
                else f"{report.status}：{len(report.errors)}个错误",
                "notes": self.opened.notes if self.opened else []}


class Chain:
    """Opens bundles of every dossier, attachments included, with a cache by content hash:
    a page that revalidates on every keystroke opens each attached bundle once."""

    def __init__(self, dossiers: dict[str, CompiledDossier], render: Callable[..., list]):
        self.dossiers = dossiers
        self.render = render  # formsite.documents.render_documents
        self._cache: dict[tuple[str, str], Attached] = {}
        self._cached_bytes = 0

    # --- opening ----------------------------------------------------------------------------

    def open(self, raw: bytes, expect: str | None = None, documents: bool = True,
             budget: Budget | None = None) -> Opened:
        """``raw`` opened and revalidated, its attachments too. With ``documents`` (the bundle
        a person opens, not those it carries) its documents are rendered again from its data
        and compared with those inside. ``budget``: what it and the bundles it carries may
        unpack in all."""
        if budget is None:  # the file a person opens: if it is refused, nothing of it is kept
            cached = dict(self._cache), self._cached_bytes
            try:
                return self.open(raw, expect, documents, Budget())
            except BundleError:
                self._cache, self._cached_bytes = cached
                raise
        parsed = parse_bundle(raw, self.dossiers, expect, budget)
        adef = parsed.compiled.dossier.attachments
        files = _attached_files(parsed) if adef is not None else []
        # Each attachment opens as the kind the definition declares (a county's are projects),
        # so nesting is as deep as the definitions and no deeper.
        attached = [self.attach(name, content, adef.dossier, budget) for name, content in files]
        result = opened(parsed, self.validate(parsed.compiled, parsed.data, attached))
        result.attachments = attached
        if documents and parsed.files:
            if result.made_under:  # other rules may print other figures: nothing to compare
                result.notes.append("该数据包按其他规则集制作，其中的文档未与数据核对；重新导出即可得到按当前规则生成的文档。")
            else:
                expected = self.render(parsed.compiled, parsed.data, result.report, attached)
                carried = [ATTACHMENT_DIR + name for name, _ in files]
                found = document_integrity(parsed.files, expected, carried, budget)
                result.integrity += found
        return result

    def attach(self, name: str, raw: bytes, kind: str, budget: Budget | None = None) -> Attached:
        """``raw`` opened as a bundle of dossier ``kind`` (cached by kind and content hash).
        Carried inside another file (``budget`` given), what it unpacks counts for that file,
        and the file is refused as a whole when it unpacks too much."""
        digest = sha256_hex(raw)
        cached = self._cache.get((kind, digest))
        if cached is not None:
            return Attached(name, raw, digest, cached.opened, cached.problem, cached.values)
        item = Attached(name, raw, digest)
        try:
            item.opened = self.open(raw, kind, documents=False, budget=budget)
        except BundleError as exc:
            if exc.code == "bundle.total_too_large" and budget is not None:
                raise  # not this row's fault alone: the carrying file is refused
            item.problem = exc
        else:
            item.values = item.opened.report.normalised or {}
        self._cached_bytes += len(raw)
        if self._cached_bytes > CACHE_BYTES:
            self._cache.clear()
            self._cached_bytes = len(raw)
        self._cache[(kind, digest)] = item
        return item

    # --- validating -------------------------------------------------------------------------

    def validate(self, compiled: CompiledDossier, data: Any,
                 attached: list[Attached] = ()) -> Report:
        report = validate(compiled, data)
        adef = compiled.dossier.attachments
        if adef is None:
            return report
        report.add(self._chain_issues(compiled, adef, report.normalised or {}, list(attached)))
        return report

    def _chain_issues(self, compiled: CompiledDossier, adef: AttachmentDef,
                      values: dict[str, Any], attached: list[Attached]) -> list[Issue]:
        what = adef.label
        kind = self.dossiers[adef.dossier]
        table_form, table_id = adef.table.split(".")
        rows = values.get(table_form, {}).get(table_id) or []
        clause = adef.clause
        issues: list[Issue] = []

        def issue(path: str, code: str, severity: str = "error", **ctx: Any) -> None:
            message = CHAIN_MESSAGES[code].format_map({"what": what, **ctx})
            issues.append(Issue(path, code, severity, message, ctx.get("name", what),
                                str(ctx.get("expected", "")), str(ctx.get("found", "")), clause))

        refs = [row.get(adef.ref_column) for row in rows]
        if refs != [self.key(adef, a) for a in attached]:
            issue(adef.table, "chain.rows", label=compiled.index.label(adef.table))
        first_by_key: dict[str, int] = {}
        for i, item in enumerate(attached):
            path = f"{adef.table}.{i}"
            name = self.name_of(adef, item)
            if item.opened is None:
                issue(path, "chain.unreadable", file=item.name, name=item.name,
                      why=str(item.problem))
                continue
            report = item.opened.report
            if item.opened.tampered:
                issue(path, "chain.tampered", name=name, why=item.opened.tampered[0].message,
                      found=item.opened.tampered[0].path)
            if not report.ok:
                issue(path, "chain.invalid", name=name, count=len(report.errors))
            if item.opened.unchecked:
                issue(path, "chain.unchecked", name=name)
            if item.opened.made_under:
                issue(path, "chain.other_rules", "warning", name=name, ruleset=item.opened.made_under)
            key = self.key(adef, item)
            if key in first_by_key:
                issue(path, "chain.duplicate", name=name, first=first_by_key[key] + 1,
                      key="、".join(kind.index.label(k) for k in adef.key))
            else:
                first_by_key[key] = i
            for here, there in adef.same.items():
                expected, found = field_value(values, here), field_value(item.values, there)
                if expected is not None and found != expected:
                    issue(path, "chain.not_same", name=name, label=kind.index.label(there),
                          found=found if found is not None else "（空）", expected=expected)
        if len(attached) < adef.min_count:
            issue(adef.table, "chain.too_few", min=adef.min_count, count=len(attached))
        quota = self.quota(compiled, adef, values)
        if quota is not None and len(attached) > quota[0]:
            issue(adef.table, "chain.too_many", max=quota[0], count=len(attached),
                  by=quota[1], by_label=compiled.index.label(adef.max_count_by or ""))
        return issues

    def quota(self, compiled: CompiledDossier, adef: AttachmentDef,
              values: dict[str, Any]) -> tuple[int, str] | None:
        if not adef.max_count_param or not adef.max_count_by:
            return None
        by = field_value(values, adef.max_count_by)
        quotas = compiled.definitions.ruleset.parameters.get(adef.max_count_param) or {}
        if by is None or str(by) not in {str(k) for k in quotas}:
            return None
        label = dict(compiled.options(compiled.index.fields[adef.max_count_by])).get(by, str(by))
        return int({str(k): v for k, v in quotas.items()}[str(by)]), label

    # --- rows that follow the attachments ---------------------------------------------------

    def key(self, adef: AttachmentDef, item: Attached) -> str:
        """The identity of an attachment: its key fields, or its hash when unreadable."""
        parts = [field_value(item.values, ref) for ref in adef.key]
        if item.opened is None or any(p is None for p in parts):
            return f"sha256:{item.sha256[:16]}"
        return "|".join(str(p) for p in parts)

    def name_of(self, adef: AttachmentDef, item: Attached) -> str:
        value = field_value(item.values, self.dossiers[adef.dossier].dossier.file_name)
        return str(value) if value else item.name

    def sync_rows(self, compiled: CompiledDossier, data: dict[str, Any],
                  attached: list[Attached]) -> dict[str, Any]:
        """``data`` with one row of the attachment table per attachment, in order: rows keep
        what was typed (matched by key), new attachments get a new row, rows of removed
        attachments go; ``copy`` columns are taken from the attached data."""
        adef = compiled.dossier.attachments
        if adef is None:
            return data
        form_id, table_id = adef.table.split(".")
        form = dict(data.get(form_id) or {}) if isinstance(data.get(form_id), dict) else {}
        old = form.get(table_id) if isinstance(form.get(table_id), list) else []
        by_ref = {row[adef.ref_column]: row for row in old
                  if isinstance(row, dict) and isinstance(row.get(adef.ref_column), str)}
        rows = []
        for item in attached:
            ref = self.key(adef, item)
            row = dict(by_ref.get(ref) or {})
            row[adef.ref_column] = ref
            for column, source in adef.copy_.items():
                value = field_value(item.values, source)
                row[column] = "" if value is None else str(value)
            rows.append(row)
        form[table_id] = rows
        return {**data, form_id: form}

    # --- writing ----------------------------------------------------------------------------

    def export(self, compiled: CompiledDossier, data: dict[str, Any],
               attached: list[Attached] = ()) -> tuple[bytes, Report]:
        attached = list(attached)
        report = self.validate(compiled, data, attached)
        documents = self.render(compiled, data, report, attached)
        adef = compiled.dossier.attachments
        files, listing = [], []
        for i, item in enumerate(attached):
            name = f"{ATTACHMENT_DIR}{i + 1:02d}-{safe_name(self.name_of(adef, item), 50) or 'bundle'}.zip"
            files.append((name, item.raw))
            listing.append({"file": name, "sha256": item.sha256, "key": self.key(adef, item)})
        extra = {"attachments": listing} if adef is not None else None
        return write_bundle(compiled, data, report, documents, files, extra), report


ATTACHMENT_DIR = "attachments/"
# The opened bundles kept for the next keystroke: a city's few hundred projects, not more.
CACHE_BYTES = 256 * 1024 * 1024
_ATTACHMENT_NAME = re.compile(r"^attachments/[^/\\]+\.(zip|json)$")


def _attached_files(parsed: Parsed) -> list[tuple[str, bytes]]:
    """The attached bundles listed in the record, in its order; a listed file that is missing
    is attached as empty bytes, so it is reported as unreadable on its row."""
    listing = parsed.record.get("attachments")
    if not isinstance(listing, list):
        return []
    names = [entry.get("file") if isinstance(entry, dict) else None for entry in listing]
    if len(names) > max(len(parsed.files), 1) or len(set(map(str, names))) != len(names):
        raise BundleError("bundle.bad_listing")
    out = []
    for name in names:
        if not isinstance(name, str) or not _ATTACHMENT_NAME.match(name) or name.count("..") \
                or name.removeprefix(ATTACHMENT_DIR).strip(". ") == "":
            raise BundleError("bundle.bad_listing")
        out.append((name.removeprefix(ATTACHMENT_DIR), parsed.files.get(name, b"")))
    return out


def field_value(values: dict[str, Any], ref: str) -> Any:
    """The value of ``form.field`` in dossier data (None when absent)."""
    form, _, field_id = ref.partition(".")
    node = values.get(form)
    return node.get(field_id) if isinstance(node, dict) else None
