"""`params.yaml` parsed and validated once into typed, frozen sections.

Every seed, split, hyperparameter, data source and threshold of the pipeline lives in params.yaml;
`load_config` reads it into a `Config` (pydantic v2), one model per top-level section, so a
missing, unknown or ill-typed key stops a command at start-up with one line naming the file, the
dotted key and what was expected, instead of surfacing deep inside a stage. Each module receives
only the section it reads. `Config.with_overrides` derives a validated variant from dotted keys
(tuning, degraded variants, fault injection); `Config.as_mapping` is the plain mapping the file
holds, which the package stage records in metadata.json.
"""

from __future__ import annotations

import copy
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from pipeline.errors import PipelineError

DEFAULT_PARAMS = Path("params.yaml")
ROLES = ("training", "serving", "evaluation")
Source = Literal["bundled", "url"]
SOURCES = get_args(Source)
FAMILIES = ("logistic_regression", "multinomial_nb", "linear_svm")
OnlineMetric = Literal["accuracy", "brier"]
Correlation = Literal["pearson", "spearman"]
# The feature plugins of every params file this process read (`load_config`): params.yaml is
# the reviewed input, an artifact is not, so a loaded model may call only these
# (`pipeline.artifact.loads_model` refuses any other before the model scores anything).
_REVIEWED_PLUGINS: set[str] = set()


@dataclass(frozen=True)
class Expect:
    """What a constrained value must be, in the words of an error message."""

    text: str


PositiveInt = Annotated[StrictInt, Field(gt=0), Expect("a positive integer")]
NonNegativeInt = Annotated[StrictInt, Field(ge=0), Expect("an integer >= 0")]
PositiveFloat = Annotated[StrictFloat, Field(gt=0), Expect("a number greater than 0")]
NonNegativeFloat = Annotated[StrictFloat, Field(ge=0), Expect("a number >= 0")]
Share = Annotated[StrictFloat, Field(ge=0, le=1), Expect("a number between 0 and 1")]
Text = Annotated[StrictStr, Field(min_length=1), Expect("a non-empty string")]
Sha256 = Annotated[StrictStr, Field(pattern=r"^[0-9a-f]{64}$"),
                   Expect("a sha256 of 64 lowercase hexadecimal characters")]
Url = Annotated[StrictStr, Field(pattern=r"^https?://\S+$"), Expect("an http(s) URL")]
PluginName = Annotated[StrictStr, Field(pattern=r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$"),
                       Expect("a plugin name 'package.module:function'")]


class Section(BaseModel):
    """A section of params.yaml: immutable, every key known, no silent type conversion."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _ordered(section: BaseModel, *pairs: tuple[str, str]) -> None:
    """Each (low, high) pair of bounds must not be inverted."""
    for low, high in pairs:
        if getattr(section, high) < getattr(section, low):
            raise _Bound(high, f"a value >= {low} ({getattr(section, low)!r})",
                         getattr(section, high))


class _Bound(ValueError):
    """A value that contradicts another key of its section (pydantic reports the section)."""

    def __init__(self, key: str | None, expected: str, got: Any) -> None:
        super().__init__(f"{key or 'value'}: expected {expected}, got {got!r}")
        self.key, self.expected, self.got = key, expected, got


# -- data --------------------------------------------------------------------------------------
class FileSpec(Section):
    """One raw review file: its name, where it is public (if it is) and its sha256."""

    name: Text
    sha256: Sha256
    url: Url | None = None
    first_row: NonNegativeInt = 0  # rows before it belong to another file (labelled_fresh)


class DataConfig(Section):
    """`data:` where the raw files come from and which file plays which role."""

    source: Source
    bundled_dir: Text
    raw_dir: Text
    files: Annotated[dict[StrictStr, FileSpec], Field(min_length=1)]
    training: Text
    serving: Text
    evaluation: Text

    @field_validator(*ROLES)
    @classmethod
    def _names_a_listed_file(cls, value: str, info: ValidationInfo) -> str:
        files = info.data.get("files")
        if files is not None and value not in files:
            raise _Bound(None, f"one of the files listed under data.files ({', '.join(files)})",
                         value)
        return value

    def file(self, role: str) -> FileSpec:
        """The file with this role (training, serving or evaluation)."""
        if role not in ROLES:
            raise PipelineError(f"data: unknown role {role!r}; expected one of {', '.join(ROLES)}")
        return self.files[getattr(self, role)]


class SplitConfig(Section):
    """`split:` the held-out share and whether it keeps the label balance."""

    test_size: Annotated[StrictFloat, Field(gt=0, lt=1),
                         Expect("a number greater than 0 and less than 1")]
    stratify: StrictBool


class SchemaConfig(Section):
    """`schema:` bounds of the expectation suite over raw reviews."""

    min_rows: PositiveInt
    max_rows: PositiveInt
    min_review_chars: PositiveInt
    max_review_chars: PositiveInt
    min_positive_share: Share
    max_positive_share: Share
    min_unique_share: Share

    @model_validator(mode="after")
    def _bounds(self) -> SchemaConfig:
        _ordered(self, ("min_rows", "max_rows"), ("min_review_chars", "max_review_chars"),
                 ("min_positive_share", "max_positive_share"))
        return self


# -- the model ---------------------------------------------------------------------------------
class FeaturesConfig(Section):
    """`features:` the preprocessing switches, the n-gram vectoriser and optional statistics."""

    lowercase: StrictBool
    fold_accents: StrictBool
    mask_pii: StrictBool
    expand_contractions: StrictBool
    neutral_gender: StrictBool
    neutral_origin: StrictBool
    drop_stop_words: StrictBool
    mark_negation: StrictBool
    stem: StrictBool
    ngram_max: PositiveInt
    min_df: PositiveInt
    sublinear_tf: StrictBool
    # Names of pipeline.features.TextStats statistics; TextStats checks them when it is fitted.
    extra: tuple[StrictStr, ...] = ()
    # New features: "package.module:function" names of text -> number functions
    # (pipeline.features.resolve_plugin), imported when the model is fitted or scores.
    plugins: tuple[PluginName, ...] = ()


class LogisticRegressionSettings(Section):
    """`model.logistic_regression:` keyword arguments of LogisticRegression."""

    C: PositiveFloat  # scikit-learn's name
    class_weight: Literal["balanced"] | dict[StrictInt, PositiveFloat] | None
    max_iter: PositiveInt


class MultinomialNBSettings(Section):
    """`model.multinomial_nb:` keyword arguments of MultinomialNB."""

    alpha: NonNegativeFloat


class LinearSVMSettings(Section):
    """`model.linear_svm:` keyword arguments of LinearSVC."""

    C: PositiveFloat  # scikit-learn's name


class ModelConfig(Section):
    """`model:` the family that is trained and the settings of every family."""

    family: Literal["logistic_regression", "multinomial_nb", "linear_svm"]
    logistic_regression: LogisticRegressionSettings
    multinomial_nb: MultinomialNBSettings
    linear_svm: LinearSVMSettings

    def settings(self, family: str | None = None) -> dict[str, Any]:
        """The estimator keyword arguments of a family (default: the configured one)."""
        return getattr(self, family or self.family).model_dump()


class ModelSpec(Section):
    """What `build_model` needs: the features, the model and the seed (not a file section)."""

    features: FeaturesConfig
    model: ModelConfig
    seed: StrictInt


class CVConfig(Section):
    """`cv:` repeated stratified k-fold."""

    n_splits: Annotated[StrictInt, Field(ge=2), Expect("an integer >= 2")]
    n_repeats: PositiveInt


class QualityConfig(Section):
    """`quality:` the held-out accuracy a model needs to be packaged."""

    min_accuracy: Share


class RegistryConfig(Section):
    """`registry:` the default model registry (a directory or hf://owner/name)."""

    uri: Text


# -- rollout, performance, tuning, checks -------------------------------------------------------
class CanaryConfig(Section):
    """`canary:` a candidate beside the served model before promotion."""

    min_agreement: Share
    max_error_rate: Share
    max_latency_ratio: PositiveFloat
    latency_sample: PositiveInt
    latency_repeats: PositiveInt
    latency_attempts: PositiveInt


class ReleaseConfig(Section):
    """`release:` the held-out check before serving."""

    max_accuracy_drop: Share


class MaxRatios(Section):
    """`nonfunctional.max_ratio:` limits of candidate / baseline costs."""

    latency_p50: PositiveFloat
    latency_p99: PositiveFloat
    batch_seconds: PositiveFloat
    train_seconds: PositiveFloat
    load_seconds: PositiveFloat
    artifact_bytes: PositiveFloat
    train_peak_bytes: PositiveFloat
    serve_peak_bytes: PositiveFloat


class BenchGoals(Section):
    """`nonfunctional.bench_goals:` targets of `python -m pipeline bench`."""

    predict_latency_p50_ms: PositiveFloat
    predict_throughput_per_s: PositiveFloat
    model_load_seconds: PositiveFloat
    train_seconds: PositiveFloat
    peak_rss_mb: PositiveFloat


class NonfunctionalConfig(Section):
    """`nonfunctional:` cost measurements against the course baseline."""

    baseline_max_features: PositiveInt
    warmup: NonNegativeInt
    repeats: PositiveInt
    batch_copies: PositiveInt
    attempts: PositiveInt
    max_ratio: MaxRatios
    bench_goals: BenchGoals


class SearchConfig(Section):
    """`search:` the space of every hyperparameter (dotted keys) and the settings never searched."""

    rounds: PositiveInt
    spaces: dict[StrictStr, Annotated[list[Any], Field(min_length=1),
                                      Expect("a non-empty list of values")]]
    fixed: dict[StrictStr, Text] = {}


class Degradation(Section):
    """`model_checks.degradation:` intentionally degraded variants of the served model."""

    C: Annotated[tuple[PositiveFloat, ...], Field(min_length=1)]
    label_noise: Annotated[tuple[Share, ...], Field(min_length=1)]


class StalenessChecks(Section):
    """`model_checks.staleness:` windows of the staleness curve and its permutation null."""

    window: PositiveInt
    block: PositiveInt
    step: PositiveInt
    max_loss_increase: NonNegativeFloat
    permutations: PositiveInt
    alpha: Annotated[StrictFloat, Field(gt=0, lt=1),
                     Expect("a significance level greater than 0 and less than 1")]
    min_blocks: PositiveInt


class ModelChecksConfig(Section):
    """`model_checks:` thresholds of the Model suite."""

    noise_z: PositiveFloat
    min_correlation: Annotated[StrictFloat, Field(ge=-1, le=1),
                               Expect("a correlation between -1 and 1")]
    correlation: Correlation
    offline_metric: OnlineMetric
    online_metric: OnlineMetric
    degradation: Degradation
    min_slice_size: PositiveInt
    max_slice_gap: Share
    max_counterfactual_flip_share: Share
    # Dotted keys of boolean `features` switches (checked against the file by Config).
    inclusion_controls: tuple[Text, ...]
    staleness: StalenessChecks


class MonitoringConfig(Section):
    """`monitoring:` checks of the served model."""

    reviews_per_day: PositiveFloat
    max_model_age_days: PositiveFloat
    drift_alpha: Annotated[StrictFloat, Field(gt=0, lt=1),
                           Expect("a significance level greater than 0 and less than 1")]
    power: Annotated[StrictFloat, Field(gt=0, lt=1),
                     Expect("a probability greater than 0 and less than 1")]
    max_positive_rate_shift: Share
    max_accuracy_drop: Share
    max_latency_ratio: PositiveFloat
    max_memory_ratio: PositiveFloat
    skew_tolerance: NonNegativeFloat
    input_alpha: Annotated[StrictFloat, Field(gt=0, lt=1),
                           Expect("a significance level greater than 0 and less than 1")]
    performance_rounds: PositiveInt
    performance_warmup: NonNegativeInt
    performance_single_reviews: PositiveInt
    performance_attempts: PositiveInt


class FeatureSchemaConfig(Section):
    """`feature_schema:` bounds of the feature-level expectations."""

    min_tokens: NonNegativeInt
    max_tokens: PositiveInt
    min_mean_tokens: NonNegativeFloat
    max_mean_tokens: PositiveFloat
    min_vocabulary: PositiveInt
    max_vocabulary: PositiveInt
    max_term_separation: Share

    @model_validator(mode="after")
    def _bounds(self) -> FeatureSchemaConfig:
        _ordered(self, ("min_tokens", "max_tokens"), ("min_mean_tokens", "max_mean_tokens"),
                 ("min_vocabulary", "max_vocabulary"))
        return self


class FeatureCostsConfig(Section):
    """`feature_costs:` budgets of Data 2, 3 and 6."""

    min_gain_se: NonNegativeFloat
    max_time_share_per_point: NonNegativeFloat
    max_vocabulary_growth_per_point: NonNegativeFloat
    max_size_growth_per_point: NonNegativeFloat
    max_control_time_share: NonNegativeFloat
    max_new_feature_slowdown: PositiveFloat
    negligible_share: Share


class MinConsistency(Section):
    """`mutamorphic.min_consistency:` per relation."""

    synonym: Share
    neutral: Share
    negation: Share


class MutamorphicConfig(Section):
    """`mutamorphic:` metamorphic relations over the test split."""

    mutants_per_review: PositiveInt
    repair_votes: PositiveInt
    min_mutants: PositiveInt
    min_consistency: MinConsistency
    max_repair_cost_ratio: PositiveFloat
    repair_rounds: PositiveInt
    repair_attempts: PositiveInt


class ServingBenchGoals(Section):
    """`serving.bench.goals:` targets of `python -m pipeline serve-bench`."""

    throughput_per_s: PositiveFloat
    single_latency_p99_ms: PositiveFloat
    load_latency_p99_ms: PositiveFloat
    errors: NonNegativeInt
    lost_lines: NonNegativeInt


class ServingBench(Section):
    """`serving.bench:` the loopback benchmark, bounded in count and time."""

    warmup_requests: NonNegativeInt
    latency_requests: PositiveInt
    load_requests: PositiveInt
    load_seconds: PositiveFloat
    concurrency: PositiveInt
    start_timeout_seconds: PositiveFloat
    goals: ServingBenchGoals


class ServingConfig(Section):
    """`serving:` the HTTP server's limits, reloading, prediction log and benchmark."""

    max_reviews: PositiveInt
    max_review_chars: PositiveInt
    max_body_bytes: PositiveInt
    max_batch_reviews: PositiveInt
    reload_poll_seconds: Annotated[StrictFloat, Field(ge=0),
                                   Expect("a number of seconds >= 0")]
    log_dir: Text
    log_fsync: StrictBool
    bench: ServingBench


# -- the whole file ----------------------------------------------------------------------------
class Config(Section):
    """Everything in params.yaml, validated; each module is handed the section it reads."""

    seed: StrictInt
    data: DataConfig
    split: SplitConfig
    features: FeaturesConfig
    model: ModelConfig
    cv: CVConfig
    quality: QualityConfig
    registry: RegistryConfig
    schema_: SchemaConfig = Field(alias="schema")  # `schema` is a BaseModel attribute
    canary: CanaryConfig
    release: ReleaseConfig
    nonfunctional: NonfunctionalConfig
    search: SearchConfig
    model_checks: ModelChecksConfig
    monitoring: MonitoringConfig
    feature_schema: FeatureSchemaConfig
    feature_costs: FeatureCostsConfig
    mutamorphic: MutamorphicConfig
    serving: ServingConfig

    _mapping: dict[str, Any] | None = PrivateAttr(default=None)
    _source: str = PrivateAttr(default=str(DEFAULT_PARAMS))

    @model_validator(mode="after")
    def _search_names_settings(self) -> Config:
        for group in ("spaces", "fixed"):
            for dotted in getattr(self.search, group):
                if _lookup(self, dotted) is _ABSENT:
                    raise _Bound(f"search.{group}", "dotted keys of params.yaml settings",
                                 dotted)
        for dotted in self.model_checks.inclusion_controls:
            if not dotted.startswith("features.") or not isinstance(_lookup(self, dotted), bool):
                raise _Bound("model_checks.inclusion_controls",
                             "dotted keys of boolean features switches", dotted)
        return self

    @property
    def model_spec(self) -> ModelSpec:
        """The features, model and seed that `pipeline.model.build_model` turns into estimators."""
        return ModelSpec(features=self.features, model=self.model, seed=self.seed)

    def lookup(self, dotted: str) -> Any:
        """The value at a dotted key, e.g. `model.logistic_regression.C` (search spaces)."""
        value = _lookup(self, dotted)
        if value is _ABSENT:
            raise PipelineError(f"{self._source}: unknown key {dotted!r}")
        return value

    def as_mapping(self) -> dict[str, Any]:
        """The plain mapping params.yaml holds (with any overrides): what metadata.json records."""
        if self._mapping is not None:
            return copy.deepcopy(self._mapping)
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)

    def with_overrides(self, overrides: dict[str, Any]) -> Config:
        """A new, validated Config with dotted keys replaced, e.g. {"features.stem": False}.

        An unknown key or a value of the wrong type is a PipelineError, as in the file itself.
        """
        return Config.parse(merge_overrides(self.as_mapping(), overrides, self._source),
                            self._source)

    @classmethod
    def parse(cls, mapping: dict[str, Any], source: str | Path = DEFAULT_PARAMS) -> Config:
        """Validate a params mapping; the first problem is one PipelineError line naming
        `source`."""
        try:
            return cls.model_validate(mapping, context={"mapping": mapping, "source": source})
        except ValidationError as error:
            raise PipelineError(describe_error(error, str(source))) from None

    def model_post_init(self, context: Any, /) -> None:
        """Remember the mapping and the file it was parsed from (see `parse`)."""
        if isinstance(context, dict) and "mapping" in context:
            self._mapping = copy.deepcopy(context["mapping"])
            self._source = str(context["source"])


_ABSENT = object()


def merge_overrides(mapping: dict[str, Any], overrides: dict[str, Any],
                    source: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """A deep copy of a plain params mapping with dotted keys replaced (nothing validated: a
    new key is added). Each parent of a key must be a section that exists."""
    result = copy.deepcopy(mapping)
    for dotted, value in overrides.items():
        node = result
        *parents, leaf = dotted.split(".")
        for depth, part in enumerate(parents):
            child = node.get(part)
            if not isinstance(child, dict):
                where = ".".join(parents[:depth + 1])
                raise PipelineError(f"{source}: override {dotted!r}: {where} is not a section of "
                                    "params.yaml")
            node = child
        node[leaf] = copy.deepcopy(value)
    return result


def _lookup(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if isinstance(node, Config) and part == "schema":
            part = "schema_"
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return _ABSENT
    return node


# -- reading and error messages ----------------------------------------------------------------
def read_mapping(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """The raw mapping of a params file; a missing or malformed file is one line naming it."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PipelineError(
            f"{path}: parameters file not found (run from the project root)") from None
    return parse_mapping(text, path)


def parse_mapping(text: str, source: str | Path) -> dict[str, Any]:
    """The raw mapping of params text read elsewhere (a file, or a commit: the reviewed spec)."""
    try:
        mapping = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise PipelineError(f"{source}:{where} is not valid YAML") from None
    if not isinstance(mapping, dict):
        raise PipelineError(f"{source}: expected a mapping of parameters at the top level")
    return mapping


def load_config(path: str | Path = DEFAULT_PARAMS) -> Config:
    """Read and validate params.yaml once; commands hand its sections down. Its feature plugins
    join the reviewed ones (`reviewed_plugins`)."""
    config = Config.parse(read_mapping(path), path)
    _REVIEWED_PLUGINS.update(config.features.plugins)
    return config


def reviewed_plugins() -> frozenset[str]:
    """The feature plugins that the params files read so far list: those a model may call."""
    return frozenset(_REVIEWED_PLUGINS)


def describe_error(error: ValidationError, source: str) -> str:
    """One line for the first validation error: file, dotted key, what was expected, what came."""
    first = error.errors(include_url=False)[0]
    loc = [str(part) for part in first["loc"]]
    cause = (first.get("ctx") or {}).get("error")
    if isinstance(cause, _Bound):
        where = ".".join([*loc, *([cause.key] if cause.key else [])])
        return f"{source}: {where}: expected {cause.expected}, got {cause.got!r}"
    dotted = ".".join(loc)
    expected = _expected(_annotation_at(loc))
    if first["type"] == "missing":
        return f"{source}: missing key {dotted!r} (expected {expected})"
    if first["type"] == "extra_forbidden":
        known = _annotation_at(loc[:-1])
        names = ", ".join(_keys(known)) if _is_model(known) else ""
        return f"{source}: unknown key {dotted!r}" + (f" (expected one of: {names})"
                                                      if names else "")
    return f"{source}: {dotted or '<root>'}: expected {expected}, got {first['input']!r}"


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _strip(annotation: Any) -> tuple[Any, list[Any]]:
    """The bare type of an annotation and its metadata (Annotated[...] unwrapped)."""
    metadata: list[Any] = []
    while get_origin(annotation) is Annotated:
        annotation, *extra = get_args(annotation)
        metadata = [*extra, *metadata]
    return annotation, metadata


def _annotation_at(loc: list[str]) -> Any:
    """The annotation (with its Expect, if any) of the value at `loc` below Config."""
    annotation: Any = Config
    for part in loc:
        bare, _ = _strip(annotation)
        if get_origin(bare) in (Union, types.UnionType):
            options = [arg for arg in get_args(bare) if arg is not types.NoneType]
            bare, _ = _strip(options[0]) if len(options) == 1 else (bare, [])
        if _is_model(bare):
            fields = {field.alias or name: field for name, field in bare.model_fields.items()}
            field = fields.get(part)
            if field is None:
                return None
            annotation = field.annotation
            if field.metadata:
                annotation = Annotated[(annotation, *field.metadata)]
        elif get_origin(bare) is dict:
            annotation = get_args(bare)[1]
        elif get_origin(bare) in (list, tuple):
            annotation = get_args(bare)[0]
        else:
            return None
    return annotation


def _expected(annotation: Any) -> str:
    """What a value of this annotation must be, in words."""
    if annotation is None:
        return "a known key"
    bare, metadata = _strip(annotation)
    texts = [item.text for item in metadata if isinstance(item, Expect)]
    return texts[0] if texts else _described(bare)


def _described(bare: Any) -> str:
    """What a value of this bare type must be, in words."""
    args, origin = get_args(bare), get_origin(bare)
    if types.NoneType in args:
        options = [arg for arg in args if arg is not types.NoneType]
        return " or ".join(_expected(option) for option in options) + " or null"
    if origin is Literal:
        return ("one of " if len(args) > 1 else "") + ", ".join(str(arg) for arg in args)
    if _is_model(bare):
        return f"a mapping of {', '.join(_keys(bare))}"
    if origin in (list, tuple):
        return f"a list, each {_expected(args[0])}"
    return {dict: "a mapping", bool: "true or false", int: "an integer", float: "a number",
            str: "a string"}.get(origin or bare, "a value")
