"""Problems found in data files, each naming the file, the record and the field."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the record is skipped
    WARNING = "warning"  # the record loads, but something is missing


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the data, phrased for the editor who has to fix it."""

    file: str
    message: str
    record: str | None = None
    field: str | None = None
    line: int | None = None
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        parts = [where]
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.field:
            parts.append(self.field)
        prefix = "" if self.severity is Severity.ERROR else "warning: "
        return ": ".join(parts) + f": {prefix}{self.message}"


class DataError(Exception):
    """The data cannot be loaded at all (for example, the folder does not exist)."""
