"""Coded errors and warnings. Every message names the input and says how to fix it."""

from __future__ import annotations


class NarrascopeError(Exception):
    """Base class: ``code`` is stable (E1xx input, E2xx model, E3xx data, E4xx usage)."""

    code = "E000"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        self.message = message
        prefix = f"{source}: " if source else ""
        super().__init__(f"[{self.code}] {prefix}{message}")


class InputError(NarrascopeError):
    """An input file or record cannot be read as an article; ``records``: how many records it stands for."""

    code = "E100"
    records = 1


class EmptyInputError(InputError):
    code = "E101"


class BinaryInputError(InputError):
    code = "E102"


class InputTooLargeError(InputError):
    code = "E103"


class EncodingError(InputError):
    code = "E104"


class NoArticleError(InputError):
    code = "E105"


class RecordError(InputError):
    """A record inside a container file (a JSONL line, an annotation line) is malformed."""

    code = "E106"


class UndecodableRecordError(RecordError):
    """A record inside a container file whose bytes are not valid UTF-8."""


class FolderLayoutError(InputError):
    code = "E107"


class ModelError(NarrascopeError):
    """A shipped or trained model is missing, corrupt or does not match the code."""

    code = "E200"


class DataError(NarrascopeError):
    """Training or gold annotation data is malformed."""

    code = "E300"


class UsageError(NarrascopeError):
    code = "E400"


class PipelineOrderError(UsageError):
    """A component needs a Document field that no component before it assigns."""

    code = "E401"


class TaxonomyError(InputError):
    """A user's taxonomy file (or its labels file) cannot be used as it is."""

    code = "E110"


class TaxonomyWarning(UserWarning):
    """Something in a taxonomy file is allowed but probably not what was meant."""

    code = "W110"

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(f"[{self.code}] {prefix}{message}")
