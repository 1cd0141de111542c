"""Evaluate a structured :class:`Condition` against dossier data (raw or normalised)."""

from __future__ import annotations

from typing import Any

from .definitions import Condition


def holds(cond: Condition | None, data: dict[str, Any], form_id: str) -> bool:
    """Whether ``cond`` holds. References without a form prefix read from ``form_id``."""
    if cond is None:
        return True
    if cond.all is not None:
        return all(holds(c, data, form_id) for c in cond.all)
    if cond.any is not None:
        return any(holds(c, data, form_id) for c in cond.any)
    if cond.not_ is not None:
        return not holds(cond.not_, data, form_id)
    value = lookup(data, cond.field or "", form_id)
    if cond.includes is not None:
        return isinstance(value, list) and cond.includes in value
    # Strict like the page's ===: 1 is not True, "1" is not 1.
    return type(value) is type(cond.equals) and value == cond.equals


def lookup(data: dict[str, Any], ref: str, form_id: str) -> Any:
    parts = ref.split(".")
    if len(parts) == 1 or parts[0] not in data:
        parts = [form_id, *parts]
    node: Any = data
    for part in parts:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node
