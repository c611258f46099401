"""Where each stage reads and writes, relative to the project root (the same paths as dvc.yaml)."""

from pathlib import Path

PREPARED_DIR = Path("data/prepared")
TRAIN_SPLIT = PREPARED_DIR / "train.tsv"
TEST_SPLIT = PREPARED_DIR / "test.tsv"
TRAINED_MODEL = Path("data/model/model.skops")
TRAINING_ROWS_RECORD = Path("data/model/training_rows.json")
REPORTS_DIR = Path("reports")
VALIDATION_REPORT = REPORTS_DIR / "validation.json"
METRICS = REPORTS_DIR / "metrics.json"
PREDICTIONS_PLOT = REPORTS_DIR / "predictions.csv"
ROC_PLOT = REPORTS_DIR / "roc.json"
MODELS_DIR = Path("models")
