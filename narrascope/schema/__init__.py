"""The data model that flows through the pipeline."""

from narrascope.schema.document import SCHEMA_VERSION, Document, Entity, Explanation, Label, Mention, Span
from narrascope.schema.taxonomy import RoleTaxonomy, Taxonomy

__all__ = ["SCHEMA_VERSION", "Document", "Entity", "Explanation", "Label", "Mention", "RoleTaxonomy", "Span", "Taxonomy"]
