"""Expected failures of imports and exports. Each is permanent for its file: retrying the same
bytes gives the same error, so an import failing with one of these is DEAD at once."""

from __future__ import annotations

from app.errors import AppError


class ImportError_(AppError):
    """Base of the import failures (the trailing underscore keeps the builtin visible)."""

    code = "import_failed"


class FileTooLarge(ImportError_):
    code = "file_too_large"

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"the file is {size:,} bytes; the limit is {limit:,} (TRUEPPM_IMPORT_MAX_BYTES)"
        )
        self.size = size
        self.limit = limit


class MalformedFile(ImportError_):
    """Not well-formed XML, hostile XML, or not a plan; `line`/`column`/`element` say where."""

    code = "malformed_file"

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        element: str | None = None,
    ) -> None:
        where = [f"line {line}" if line else "", f"column {column}" if column else ""]
        located = ", ".join(w for w in where if w)
        if element:
            located = f"{located}, element <{element}>" if located else f"element <{element}>"
        super().__init__(f"{message} ({located})" if located else message)
        self.line = line
        self.column = column
        self.element = element


class UnsupportedFormat(ImportError_):
    """A format we read only through MPXJ, which is not installed (or has no Java)."""

    code = "unsupported_format"


class ProjectNotEmpty(ImportError_):
    code = "project_not_empty"

    def __init__(self, tasks: int) -> None:
        super().__init__(
            f"the project already has {tasks} task(s); import into a new or an empty project"
        )
