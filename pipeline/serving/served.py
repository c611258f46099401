"""The served model: loaded through the registry's checks, scored step by step, swapped live.

`ServedModel` runs the saved Pipeline's own steps one after the other (preprocess, features,
classifier), the computation `Pipeline.predict_proba` performs, so the features each review
produced can go to the prediction log without computing them twice. The review text that is
logged comes from the model's own preprocessing trace after its PII step
(`ReviewPreprocessor.steps`): whatever masking the model was trained with is the masking the
log gets, and a model without that step logs no text at all.

`ModelHolder` keeps the model being served and replaces it when the served pointer (the
registry's served version, or a package directory's metadata) names another version. A version
that fails to load, fails its sha256 check, was not released against the reviewed spec (registry
only, see `pipeline.analysis.spec`) or cannot score a smoke review leaves the previous model
serving and is reported; `Watcher` checks the pointer on a timer.
"""

from __future__ import annotations

import itertools
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import scipy.sparse
import sklearn

from pipeline import artifact, registry
from pipeline.analysis.spec import require_released
from pipeline.errors import PipelineError
from pipeline.model import predict_labels

# The step names `pipeline.model.build_model` gives every model this project trains.
STEPS = ("preprocess", "features", "classifier")
# Scored once before a model is swapped in: a package that loads but cannot predict (wrong
# shapes, a missing vocabulary) is refused while the previous model still serves.
SMOKE_REVIEW = "The pasta was wonderful but the service was slow."


@dataclass(frozen=True)
class Scored:
    """What one model call produced for a list of reviews, one entry per review."""

    labels: list[int]
    probabilities: list[float]       # of the positive class (label 1)
    features: list[dict[str, list]]  # {"indices": [...], "values": [...]} of each review's row
    masked: list[str | None]         # the review after the model's PII step (None: no such step)


@dataclass(frozen=True)
class ServedModel:
    """A loaded, verified model with its metadata, ready to score."""

    model: Any
    metadata: dict[str, Any]
    loaded_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(
        timespec="seconds"))

    def __post_init__(self) -> None:
        named = getattr(self.model, "named_steps", None)
        if named is None or any(name not in named for name in STEPS):
            raise PipelineError(f"model {self.version}: not a review pipeline with steps"
                                f" {', '.join(STEPS)}; refusing to serve it")
        if not hasattr(named["preprocess"], "masked"):
            raise PipelineError(f"model {self.version}: its preprocess step cannot show its"
                                " PII-masked text, so it cannot be logged")
        classes = [int(c) for c in getattr(named["classifier"], "classes_", ())]
        if classes != [0, 1]:
            raise PipelineError(f"model {self.version}: classes {classes}; expected [0, 1]")
        self.score([SMOKE_REVIEW])

    @property
    def version(self) -> str:
        """The version every answer and log line names."""
        return str(self.metadata["version"])

    def score(self, texts: list[str]) -> Scored:
        """Labels, probabilities, feature rows and masked texts of `texts` in one model call.

        scikit-learn's input and parameter checks are skipped (they cost about 0.2 ms a call
        and guard nothing here: the parameters were checked when the model was fitted, and
        TF-IDF rows of text are always finite); the arithmetic is the model's own.
        """
        steps = self.model.named_steps
        with sklearn.config_context(assume_finite=True, skip_parameter_validation=True):
            rows = steps["features"].transform(steps["preprocess"].transform(texts))
            labels, probabilities = predict_labels(steps["classifier"], rows)
        rows = scipy.sparse.csr_matrix(rows)
        bounds = rows.indptr.tolist()
        indices, values = rows.indices.tolist(), rows.data.tolist()
        features = [{"indices": indices[start:end], "values": values[start:end]}
                    for start, end in itertools.pairwise(bounds)]
        return Scored(labels, probabilities, features, masked_texts(self.model, texts))


def masked_texts(model: Any, texts: list[str]) -> list[str | None]:
    """Each review as the model's own preprocessing leaves it after its PII step: the text the
    prediction log holds (None for every review when the model has no such step)."""
    preprocess = model.named_steps["preprocess"]
    return [preprocess.masked(text) for text in texts]


class ModelSource(ABC):
    """Where the served model comes from, and what names the version to serve."""

    description: str

    @abstractmethod
    def pointer(self) -> str:
        """The version that should be served now; cheap, called on every poll."""

    @abstractmethod
    def load(self, version: str) -> ServedModel:
        """Load and verify `version` (sha256 before deserialising)."""


class RegistrySource(ModelSource):
    """The registry's served version (`--registry URI`, default `registry.uri`)."""

    def __init__(self, uri: str | None, params_path: str | Path = "params.yaml") -> None:
        self.store = registry.open_registry(uri, params_path)
        self.description = f"registry {self.store.uri}"

    def pointer(self) -> str:
        served = self.store.served()
        if served is None:
            raise PipelineError(f"{self.store.uri}: no version is served; promote one first"
                                " (or serve a package with --model-dir)")
        return served

    def load(self, version: str) -> ServedModel:
        """The version, verified, and only if its packaged spec is the one its release recorded
        (`pipeline.analysis.spec`): an unreleased or tampered version is refused."""
        model, metadata = self.store.load(version)
        require_released(metadata, self.store.released_spec(version))
        return ServedModel(model, metadata)


class DirectorySource(ModelSource):
    """A package directory (`--model-dir`): its metadata.json names the version."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.description = f"package {self.directory}"

    def pointer(self) -> str:
        return artifact.read_metadata(self.directory)["version"]

    def load(self, version: str) -> ServedModel:
        served = ServedModel(*artifact.load_package(self.directory))
        if served.version != version:
            raise PipelineError(f"{self.directory}: changed while loading (version"
                                f" {served.version}, expected {version}); will retry")
        return served


@dataclass(frozen=True)
class Reload:
    """The outcome of one check of the served pointer."""

    previous: str
    version: str                 # served after the check
    error: str | None = None     # why the pointer's version was refused (previous still serves)

    @property
    def changed(self) -> bool:
        """A new version is being served."""
        return self.version != self.previous


class ModelHolder:
    """The model being served; `refresh` swaps in the pointer's version or keeps the old one."""

    def __init__(self, source: ModelSource) -> None:
        self.source = source
        self.current = source.load(source.pointer())
        self.last_error: str | None = None
        self._lock = threading.Lock()

    def refresh(self) -> Reload:
        """Follow the pointer. Readers keep using the model they took until they are done: the
        swap is one reference assignment, so no request sees half a model."""
        with self._lock:
            previous = self.current.version
            try:
                target = self.source.pointer()
                if target == previous:
                    self.last_error = None
                    return Reload(previous, previous)
                candidate = self.source.load(target)
            # Anything at all that goes wrong while loading leaves the old model serving.
            except Exception as error:  # pylint: disable=broad-exception-caught
                self.last_error = " ".join(str(error).split()) or type(error).__name__
                return Reload(previous, previous, self.last_error)
            self.current = candidate
            self.last_error = None
            return Reload(previous, candidate.version)


class Watcher:
    """A daemon thread that calls `check` every `interval` seconds until stopped."""

    def __init__(self, interval: float, check: Callable[[], object]) -> None:
        self.interval = interval
        self.check = check
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="served-pointer", daemon=True)

    def start(self) -> None:
        """Begin polling (a zero interval means never)."""
        if self.interval > 0:
            self._thread.start()

    def stop(self) -> None:
        """Stop polling and wait for a check in progress to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.check()
            except Exception as error:  # pylint: disable=broad-exception-caught
                # The watcher must outlive any one failed check; the next poll tries again.
                print(f"serve: served-pointer check failed: {type(error).__name__}",
                      file=sys.stderr)
