"""Model registry: immutable published versions, a served pointer, and a history to roll back on.

Role: where packaged models live between training and serving. Two backends share one API and
one set of rules: a local directory (the default, `registry.uri` in params.yaml) and a Hugging
Face Hub model repository (`hf://owner/name`).

`base` holds the rules (publish, promote, rollback, fetch) on top of four storage primitives,
`index` the index document and its pure transitions, `verify` the sha256 check every package
passes, `card` the model card stored with each version, `local` and `hub` the backends, `open`
the choice of backend by URI and `load_model`, and `cli` is `python -m pipeline registry`.
"""

from pipeline.registry.base import Registry
from pipeline.registry.card import CARD_NAME
from pipeline.registry.hub import HubRegistry
from pipeline.registry.index import INDEX_NAME
from pipeline.registry.local import LocalRegistry
from pipeline.registry.open import HUB_SCHEME, load_model, open_registry
from pipeline.registry.verify import Package, verify_package

__all__ = [
    "CARD_NAME",
    "HUB_SCHEME",
    "INDEX_NAME",
    "HubRegistry",
    "LocalRegistry",
    "Package",
    "Registry",
    "load_model",
    "open_registry",
    "verify_package",
]
