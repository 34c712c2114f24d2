"""What an import answers: a report of what it wrote, or the refusal with every error found."""

from dataclasses import asdict, dataclass, field

from gridgov.core.errors import Refusal

# A refusal lists at most this many errors: enough to fix a file, bounded for a page or a response.
MAX_REPORTED_ERRORS = 200


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row (the header is row 1) or GeoJSON feature (the first is 1); 0: the file
    field: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


class ImportRefused(Refusal):
    """The file was refused whole; nothing was written. Every error found is reported (up to
    MAX_REPORTED_ERRORS), each with its row; the first stands for the refusal's own code, message
    and field."""

    def __init__(self, errors: list[RowError]):
        self.total = len(errors)
        self.errors = sorted(errors, key=lambda e: e.row)[:MAX_REPORTED_ERRORS]
        first = self.errors[0]
        super().__init__(first.code, first.message, first.field)

    def items(self) -> list[dict]:
        return [error.as_dict() for error in self.errors]

    def body(self) -> dict:
        return {"errors": self.items(), "total": self.total}

    @classmethod
    def single(cls, code: str, message: str, row: int = 0, field: str = "") -> "ImportRefused":
        return cls([RowError(row, field, code, message)])


class ErrorList(list):
    """Errors collected while checking a file: refuse() raises them all at once."""

    def add(self, row: int, field_name: str, code: str, message: str) -> None:
        self.append(RowError(row, field_name, code, message))

    def refuse_if_any(self) -> None:
        if self:
            raise ImportRefused(list(self))


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    counts: dict = field(default_factory=dict)  # importer-specific, e.g. places outside every grid

    def as_dict(self) -> dict:
        return asdict(self)
