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
    """An empty file, or a container (JSONL, CSV, feed, archive) with no article in it."""

    code = "E101"


class BinaryInputError(InputError):
    """A binary file (PDF, Word, image, archive) given as an article: convert it to text first."""

    code = "E102"


class InputTooLargeError(InputError):
    """A file, record or page over the size limit: split it."""

    code = "E103"


class EncodingError(InputError):
    """Text that is not valid UTF-8 (or UTF-16/32 with a byte-order mark): re-save it as UTF-8."""

    code = "E104"


class NoArticleError(InputError):
    """A page or text with no article text in it (a menu, a login wall, boilerplate only)."""

    code = "E105"


class RecordError(InputError):
    """A record inside a container file (a JSONL line, an annotation line) is malformed."""

    code = "E106"


class UndecodableRecordError(RecordError):
    """A record inside a container file whose bytes are not valid UTF-8."""

    code = "E108"


class FolderLayoutError(InputError):
    """A folder that is not laid out as the command expects (SemEval language folders, raw-documents)."""

    code = "E107"


class ModelError(NarrascopeError):
    """A shipped or trained model cannot be used."""

    code = "E200"


class ModelNotFoundError(ModelError):
    """No model where one was looked for: train one, or give the right folder."""

    code = "E201"


class ModelMismatchError(ModelError):
    """A model folder that cannot be read, or that another version of narrascope wrote: retrain it."""

    code = "E202"


class MissingPackageError(ModelError):
    """An optional encoder, NER model or package is not installed: install the extra the message names."""

    code = "E203"


class WorkerError(ModelError):
    """A worker process died (memory, or a model that failed to load in it): fewer workers, or one."""

    code = "E204"


class DataError(NarrascopeError):
    """Training, gold or stored data cannot be used; as itself: a Document JSON of a schema version this
    narrascope cannot read."""

    code = "E300"


class DataNotFoundError(DataError):
    """An annotation or template file that is not there, or a folder given for a file."""

    code = "E301"


class AnnotationError(DataError):
    """Annotation lines that cannot be read (wrong columns, numbers, labels), or none at all."""

    code = "E302"


class TooFewExamplesError(DataError):
    """Too little data to train or score: more articles, or fewer folds."""

    code = "E303"


class StoreError(DataError):
    """The corpus database cannot be opened, reached, or is newer than this version."""

    code = "E304"


class UsageError(NarrascopeError):
    """An option, argument or call that narrascope cannot follow."""

    code = "E400"


class OutputPathError(UsageError):
    """An output that cannot be written there, or whose name says a format narrascope does not write."""

    code = "E403"


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
