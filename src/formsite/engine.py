"""The engine's front door: definitions in, compiled dossiers out, one call per verb."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .bundle import Opened, bundle_file_name
from .chain import Attached, Chain
from .compiler import CompiledDossier, compile_dossier
from .definitions import Definitions
from .documents import render_documents
from .errors import EngineError
from .examples import ExampleResult, run_all_examples
from .validation import Report

Files = list[tuple[str, bytes]]  # (file name, bytes) of attached bundles


class CompiledDossiers(Mapping[str, CompiledDossier]):
    """Every dossier of the definitions, each compiled the first time it is asked for: the
    enterprise's page starts without building the county's and the city's models."""

    def __init__(self, definitions: Definitions):
        self.definitions = definitions
        self._compiled: dict[str, CompiledDossier] = {}

    def __getitem__(self, dossier: str) -> CompiledDossier:
        if dossier not in self._compiled:
            if dossier not in self.definitions.dossiers:
                raise KeyError(dossier)
            self._compiled[dossier] = compile_dossier(self.definitions, dossier)
        return self._compiled[dossier]

    def __contains__(self, dossier: object) -> bool:
        return dossier in self.definitions.dossiers

    def __iter__(self) -> Iterator[str]:
        return iter(self.definitions.dossiers)

    def __len__(self) -> int:
        return len(self.definitions.dossiers)


@dataclass
class Engine:
    definitions: Definitions
    dossiers: Mapping[str, CompiledDossier]
    chain: Chain = field(init=False)

    def __post_init__(self) -> None:
        self.chain = Chain(self.dossiers, render_documents)

    @classmethod
    def from_definitions(cls, definitions: Definitions) -> Engine:
        return cls(definitions, CompiledDossiers(definitions))

    @classmethod
    def from_json(cls, text: str | bytes) -> Engine:
        """From the compiled definitions.json that the build writes (and the browser loads)."""
        return cls.from_definitions(Definitions.model_validate_json(text))

    def compiled(self, dossier: str) -> CompiledDossier:
        if dossier not in self.dossiers:
            raise EngineError(f"没有名为“{dossier}”的材料；可用：{'、'.join(sorted(self.dossiers))}",
                              code="engine.unknown_dossier")
        return self.dossiers[dossier]

    def attach(self, dossier: str, attachments: Files) -> list[Attached]:
        """Open the bundles attached to a ``dossier`` as the kind it declares (each once:
        cached by content hash). A dossier without attachments carries none."""
        adef = self.compiled(dossier).dossier.attachments
        if adef is None:
            return []
        return [self.chain.attach(name, raw, adef.dossier) for name, raw in attachments]

    def validate(self, dossier: str, data: Any, attachments: Files = ()) -> Report:
        return self.chain.validate(self.compiled(dossier), data, self.attach(dossier, attachments))

    def sync_rows(self, dossier: str, data: dict[str, Any], attachments: Files) -> dict[str, Any]:
        """The data with one row of the attachment table per attached bundle."""
        return self.chain.sync_rows(self.compiled(dossier), data, self.attach(dossier, attachments))

    def export(self, dossier: str, data: dict[str, Any],
               attachments: Files = ()) -> tuple[str, bytes, Report]:
        compiled = self.compiled(dossier)
        content, report = self.chain.export(compiled, data, self.attach(dossier, attachments))
        return bundle_file_name(compiled, data), content, report

    def documents(self, dossier: str, data: dict[str, Any], attachments: Files = ()) -> Files:
        compiled = self.compiled(dossier)
        attached = self.attach(dossier, attachments)
        return render_documents(compiled, data, self.chain.validate(compiled, data, attached),
                                attached)

    def open(self, raw: bytes, expect_dossier: str | None = None) -> Opened:
        return self.chain.open(raw, expect_dossier)

    def examples(self) -> list[ExampleResult]:
        return run_all_examples(self.dossiers)
