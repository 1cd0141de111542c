"""The engine's front door: definitions in, compiled dossiers out, one call per verb."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .bundle import Opened, bundle_file_name, read_bundle, render_documents, write_bundle
from .compiler import CompiledDossier, compile_dossier
from .definitions import Definitions
from .errors import EngineError
from .examples import ExampleResult, run_all_examples
from .validation import Report, validate


@dataclass
class Engine:
    definitions: Definitions
    dossiers: dict[str, CompiledDossier]

    @classmethod
    def from_definitions(cls, definitions: Definitions) -> Engine:
        return cls(definitions, {d: compile_dossier(definitions, d) for d in definitions.dossiers})

    @classmethod
    def from_json(cls, text: str | bytes) -> Engine:
        """From the compiled definitions.json that the build writes (and the browser loads)."""
        return cls.from_definitions(Definitions.model_validate_json(text))

    def compiled(self, dossier: str) -> CompiledDossier:
        if dossier not in self.dossiers:
            raise EngineError(f"没有名为“{dossier}”的材料；可用：{'、'.join(sorted(self.dossiers))}",
                              code="engine.unknown_dossier")
        return self.dossiers[dossier]

    def validate(self, dossier: str, data: Any) -> Report:
        return validate(self.compiled(dossier), data)

    def export(self, dossier: str, data: dict[str, Any]) -> tuple[str, bytes, Report]:
        compiled = self.compiled(dossier)
        content, report = write_bundle(compiled, data)
        return bundle_file_name(compiled, data), content, report

    def documents(self, dossier: str, data: dict[str, Any]) -> list[tuple[str, bytes]]:
        compiled = self.compiled(dossier)
        return render_documents(compiled, data, validate(compiled, data))

    def open(self, raw: bytes, expect_dossier: str | None = None) -> Opened:
        return read_bundle(raw, self.dossiers, expect_dossier)

    def examples(self) -> list[ExampleResult]:
        return run_all_examples(self.dossiers)
