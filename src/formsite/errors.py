"""The engine's one error vocabulary: a small family of named exceptions, and every coded
message a person can read, in one place.

* :class:`FormsiteError` is the base; its ``code`` is stable (tests assert on it) and its
  ``str()`` is one Chinese sentence for the person, never a Python exception name.
* :class:`DefinitionError`: forms/ or rules/ are wrong; carries every :class:`Problem` found,
  each with file, key and line. The build and the CLI refuse to go on.
* :class:`BundleError`: a file cannot be opened as a bundle of this site. The draft is untouched.
* :class:`EngineError`: the engine was asked something it cannot answer (an unknown dossier,
  a call before ``init``): a programming or deployment mistake, still said in Chinese.
* :class:`ValueProblem`: raised by a normaliser for one value; the validation pass turns it
  into an :class:`Issue` for that field and goes on. It never leaves the engine.

Field-level messages live in ``FIELD_MESSAGES``; bundle messages in ``BUNDLE_MESSAGES``; rule
messages live with their rule in ``rules/*.yaml``. Each field message names the field by its
label and says what was expected and what was found.
"""

from __future__ import annotations

import errno
import re
from dataclasses import asdict, dataclass
from typing import Any, NoReturn


class FormsiteError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "formsite"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Problem:
    """One mistake in a definition file."""

    file: str
    key: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.key or '（文件）'}: {self.message}"


class DefinitionError(FormsiteError):
    """Raised when one or more definition files are wrong; carries every problem found."""

    code = "definition"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# code → message template for files that cannot be opened as bundles.
BUNDLE_MESSAGES: dict[str, str] = {
    "bundle.too_large": "文件过大（超过{limit}），不是本系统导出的数据包。",
    "bundle.not_ours": "文件内容不是本系统导出的申报数据包（缺少格式标识），未导入。",
    "bundle.newer_format": "数据包的格式版本比本网站新，请使用更新后的网站打开。",
    "bundle.bad_format_version": "数据包的格式版本无法识别，未导入。",
    "bundle.unknown_dossier": "数据包的材料类型“{dossier}”本网站不支持，未导入。",
    "bundle.wrong_dossier": "这是“{title}”的数据包，不能导入到本页面。",
    "bundle.bad_data": "数据包中的数据部分已损坏（data 不是对象），未导入。",
    "bundle.entry_too_large": "数据包中的 {name} 过大，未导入。",
    "bundle.no_data": "这个ZIP文件中没有 data.json，不是本系统导出的数据包。",
    "bundle.bad_zip": "ZIP文件已损坏，无法读取。",
    "bundle.not_text": "无法读取文件：既不是ZIP数据包，也不是UTF-8编码的JSON。",
    "bundle.bad_json": "文件不是有效的JSON{where}，无法导入。",
    "bundle.unreadable": "无法读取文件内容。",
    "bundle.too_deep": "文件中的数据嵌套层数过多，不是本系统导出的数据包。",
    "bundle.duplicate_entries": "ZIP文件中有重名的文件，不是本系统导出的数据包。",
    "bundle.bad_listing": "数据包中所附数据包的清单已损坏（文件名重复、不合规或数量不符），未导入。",
    "bundle.encrypted": "ZIP文件已加密，无法读取。请导入本系统导出的原始数据包。",
    "bundle.unsupported_compression": "ZIP文件中的“{name}”使用了本系统不使用的压缩方式，无法读取。"
                                      "请导入本系统导出的原始数据包。",
    "bundle.record_too_large": "数据包中的 {name} 过大（超过{limit}），不是本系统导出的数据包，未导入。",
    "bundle.unpacked_too_large": "数据包解压后过大（超过{limit}），不是本系统导出的数据包，未导入。",
    "bundle.total_too_large": "数据包连同其中所附的数据包解压后过大（超过{limit}），不是本系统导出的数据包，未导入。",
    "bundle.too_many_entries": "ZIP文件中的文件过多（超过{limit}个），不是本系统导出的数据包，未导入。",
    "bundle.too_many_values": "文件中的数据项过多（超过{limit}项），不是本系统导出的数据包，未导入。",
    "bundle.too_many_rows": "数据包中“{label}”有{found}行，超过该表的上限{max}行，未导入。",
    "bundle.bad_number": "文件中有本系统不使用的数值“{value}”（NaN、Infinity 或超出范围的数），未导入。",
    "file.unreadable": "无法读取文件“{name}”：{why}。",
    "file.unwritable": "无法写入“{name}”：{why}。",
}

# code → message for what opening a bundle finds about the file itself (formsite.bundle): the
# data may validate, but the bundle is not as it was exported. {files} names the files.
INTEGRITY_MESSAGES: dict[str, str] = {
    "integrity.no_manifest": "数据包中没有清单（manifest.json），无法核对其中的文件是否在导出后被改动过。",
    "integrity.bad_manifest": "数据包的清单（manifest.json）已损坏，无法核对其中的文件。",
    "integrity.manifest_mismatch": "数据包中的文件与清单（manifest.json）不一致：{files}，文件可能在导出后被修改过。",
    "integrity.no_checksum": "数据包中没有数据校验和（data_sha256），无法核对数据是否在导出后被改动过。",
    "integrity.checksum_mismatch": "数据的校验和与内容不一致，数据可能在导出后被修改过。",
    "integrity.documents_differ": "数据包中的文档与其数据不一致：{files}（与按数据重新生成的文档内容不同），"
                                  "文档可能是用其他数据制作的，或在导出后被修改过。",
    "integrity.documents_missing": "数据包中缺少按其数据应有的文档：{files}。",
    "integrity.extra_files": "数据包中有不属于它的文件：{files}。",
}

# code → message template for what the chain finds about an attached bundle (formsite.chain);
# {what} is the kind of bundle (重点项目数据包, 县（市、区）数据包), {name} the bundle's name.
CHAIN_MESSAGES: dict[str, str] = {
    "chain.unreadable": "{what}“{file}”无法打开：{why}",
    "chain.invalid": "{what}“{name}”未通过校验（{count}个错误），需修改后重新导出。",
    "chain.tampered": "{what}“{name}”未通过完整性检查：{why}",
    "chain.unchecked": "{what}“{name}”是未经校验的草稿，请导入正式导出的数据包。",
    "chain.other_rules": "{what}“{name}”按规则集 {ruleset} 制作，已按当前规则重新校验。",
    "chain.duplicate": "{what}“{name}”与第{first}个重复（{key}相同）。",
    "chain.not_same": "{what}“{name}”的{label}为“{found}”，与本单位的“{expected}”不一致。",
    "chain.too_few": "至少需要导入{min}个{what}，现有{count}个。",
    "chain.too_many": "按{by_label}“{by}”，最多可以有{max}个{what}，现有{count}个。",
    "chain.rows": "{label}与导入的{what}不对应，请重新导入。",
}


# OSError.errno → why, in Chinese (never the English strerror), for reading and writing alike.
FILE_REASONS: dict[int, str] = {
    errno.ENOENT: "文件或文件夹不存在", errno.EACCES: "没有访问权限", errno.EPERM: "没有访问权限",
    errno.EISDIR: "这是一个文件夹", errno.ENOTDIR: "路径中有一项不是文件夹",
    errno.EEXIST: "已存在同名的文件", errno.ELOOP: "它是符号链接（不会跟随链接读写别处的文件）",
    errno.ENAMETOOLONG: "文件名过长", errno.ENOSPC: "磁盘空间不足", errno.EROFS: "磁盘是只读的",
    errno.EFBIG: "文件过大", errno.EIO: "磁盘读写出错", errno.ENXIO: "这不是普通文件",
    errno.EINVAL: "文件名不合规",
}


class BundleError(FormsiteError):
    """A file that cannot be opened as a bundle of this site; the message is for the user."""

    code = "bundle"

    def __init__(self, code: str, **ctx: Any):
        super().__init__(BUNDLE_MESSAGES[code].format_map({k: str(v) for k, v in ctx.items()}),
                         code=code)


def file_error(name: str, exc: OSError, *, writing: bool = False) -> BundleError:
    """An OSError while reading (or writing) ``name``, said in Chinese."""
    return BundleError("file.unwritable" if writing else "file.unreadable", name=name,
                       why=FILE_REASONS.get(exc.errno or 0, f"系统报告错误（错误号 {exc.errno}）"))


class EngineError(FormsiteError):
    """The engine was asked something it cannot answer."""

    code = "engine"


class ValueProblem(FormsiteError):
    """Raised by a normaliser; turned into an :class:`Issue` for the field by the pass."""

    code = "value"

    def __init__(self, code: str, ctx: dict[str, str]):
        super().__init__(code, code=code)
        self.ctx = ctx


def fail(code: str, **ctx: Any) -> NoReturn:
    raise ValueProblem(code, {k: shown_text(str(v)) for k, v in ctx.items()})


def shown_text(text: str, limit: int = 40) -> str:
    """Quote at most ``limit`` characters of what was typed: a pasted page is not a message,
    and a lone surrogate (which no file or terminal can hold) is shown as �."""
    text = LONE_SURROGATE.sub("\ufffd", text)
    return text if len(text) <= limit else text[:limit] + "…"


# A UTF-16 surrogate on its own: JSON's "\ud800" escape can carry one, UTF-8 cannot.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


# code → (what was expected, sentence template). ``{found}`` is the raw input as typed.
FIELD_MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("必填", "请填写{label}。"),
    "required_choice": ("选择", "请选择{label}。"),
    "required_rows": ("至少{min}行", "{label}至少需要填写{min}行。"),
    "too_many_rows": ("最多{max}行", "{label}最多{max}行，现有{found}行。"),
    # {label} of a cell already names the table, the row and the column.
    "row_required": ("必填", "请填写{label}。"),
    "number.invalid": ("数字", "{label}应填写数字，填写的是“{found}”。"),
    "number.grouping": ("正确的千分位", "{label}的千分位分隔符位置不对：“{found}”（例如 1,000.50）。"),
    "number.too_small": ("不小于{min}", "{label}不能小于{min}，填写的是“{found}”。"),
    "number.too_large": ("不大于{max}", "{label}不能大于{max}，填写的是“{found}”，请检查是否多输了位数。"),
    "number.negative": ("不小于0", "{label}不能为负数，填写的是“{found}”。"),
    "money.decimals": ("最多两位小数", "{label}以万元为单位，最多保留两位小数，填写的是“{found}”。"),
    "money.negative": ("不小于0", "{label}不能为负数，填写的是“{found}”。"),
    "area.decimals": ("最多两位小数", "{label}最多保留两位小数，填写的是“{found}”。"),
    "percent.decimals": ("最多两位小数", "{label}最多保留两位小数，填写的是“{found}”。"),
    "integer.invalid": ("整数", "{label}应填写整数，填写的是“{found}”。"),
    "date.invalid": ("日期，如 2024-12-31", "{label}应为有效日期（如 2024-12-31），填写的是“{found}”。"),
    "year_month.invalid": ("年月，如 2024-01", "{label}应为年月（如 2024-01 或 2024年1月），填写的是“{found}”。"),
    "phone.invalid": ("手机号或带区号的固定电话",
                      "{label}应为11位手机号或带区号的固定电话（如 0571-87050825），填写的是“{found}”。"),
    "credit_code.length": ("18位", "{label}应为18位，填写的是{length}位（“{found}”）。"),
    "credit_code.chars": ("数字或大写字母（不含I、O、Z、S、V）",
                          "{label}含有不允许的字符：{chars}（统一社会信用代码不使用I、O、Z、S、V）。"),
    "credit_code.check": ("校验位为{check}",
                          "{label}“{found}”的校验位不对：按GB 32100-2015应为“{check}”，实为“{last}”，请核对是否输错。"),
    "text.invalid": ("文字", "{label}应填写文字。"),
    "text.too_long": ("不超过{max}字", "{label}过长：最多{max}字，现有{found}。"),
    "text.control_chars": ("可打印字符", "{label}含有{count}个不可打印的控制字符，生成Word文档时将删除。"),
    "text.surrogates": ("有效的字符", "{label}含有{count}个无效的字符（不成对的Unicode代理项），请删除后重新输入。"),
    "choice.invalid": ("列出的选项之一", "{label}的选项“{found}”不在可选范围内。"),
    "choice.not_under": ("属于{parent_label}“{parent}”",
                         "{label}“{found}”不属于所选的{parent_label}“{parent}”，请重新选择。"),
    "checkbox.invalid": ("勾选或不勾选", "{label}应为勾选或不勾选，填写的是“{found}”。"),
    "model.invalid": ("对象", "{label}的数据格式不对（应为对象）。"),
    "table.invalid": ("表格行列表", "{label}的数据格式不对（应为表格行列表）。"),
}


def field_message(code: str, label: str, ctx: dict[str, str]) -> tuple[str, str]:
    """(expected, message) for a field-level code, with the label and context filled in."""
    expected, template = FIELD_MESSAGES[code]
    values = {"label": label, **ctx}
    return expected.format_map(values), template.format_map(values)


@dataclass(frozen=True)
class Issue:
    """The one shape every problem is reported in: CLI --json, bundle manifest, the page."""

    path: str
    code: str
    severity: str  # "error" | "warning"
    message: str
    label: str
    expected: str
    found: str
    clause: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)
