"""The starting complaint classifier, learnt from real US CFPB complaint narratives.

A bank has no labelled complaints on its first day, so the product ships a model learnt from
the CFPB Consumer Complaint Database (their "Product" and "Issue" labels mapped onto our
taxonomy by ``data/cfpb_mapping.toml``); it suggests labels for English complaints until the
bank's own cases, in any language, are enough to fit a ``ComplaintClassifier`` of its own.

The product reads only the shipped artifact, ``data/starting_model.npz``
(``load_starting_model``). The CFPB files are read by the training command alone::

    python -m bankcrm.complaints.starting_model data/cfpb-consumer-complaints

which learns on a fixed stratified 80 % of the narratives, evaluates on the other 20 %,
writes the artifact and prints the evaluation as Markdown (``docs/models.md``).
"""

from __future__ import annotations

import argparse
import csv
import functools
import sys
import time
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from bankcrm.complaints.classify import (
    ComplaintClassifier,
    Evaluation,
    evaluate,
    held_out_split,
)
from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected

ARTIFACT = "starting_model.npz"
MAPPING = "cfpb_mapping.toml"
TAXONOMY = "taxonomy.toml"

NARRATIVE = "Consumer complaint narrative"
PRODUCT = "Product"
ISSUE = "Issue"
COMPLAINT_ID = "Complaint ID"
UNMAPPED_ISSUE = "other"


def _data_file(name: str) -> bytes:
    return resources.files("bankcrm.complaints").joinpath("data").joinpath(name).read_bytes()


@dataclass(frozen=True)
class CfpbMapping:
    """CFPB label → our taxonomy code, for products and for issues."""

    products: dict[str, str]
    issues: dict[str, str]

    def issue(self, cfpb_issue: str) -> str:
        """An issue the table does not list is ``other``."""
        return self.issues.get(cfpb_issue, UNMAPPED_ISSUE)


def load_mapping() -> CfpbMapping:
    """The shipped ``cfpb_mapping.toml``, its codes checked against ``taxonomy.toml``."""
    mapping = tomllib.loads(_data_file(MAPPING).decode())
    taxonomy = tomllib.loads(_data_file(TAXONOMY).decode())
    for table, codes in (("products", "product_lines"), ("issues", "issues")):
        unknown = sorted(set(mapping[table].values()) - set(taxonomy[codes]))
        if unknown:
            raise ValueError(f"{MAPPING} [{table}] maps to codes not in [{codes}]: {unknown}")
    return CfpbMapping(products=dict(mapping["products"]), issues=dict(mapping["issues"]))


@dataclass(frozen=True)
class LabelledComplaints:
    """Complaint texts with their product line and issue codes."""

    ids: tuple[str, ...]
    texts: tuple[str, ...]
    product_lines: tuple[str, ...]
    issues: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, rows: np.ndarray) -> LabelledComplaints:
        def pick(values: tuple[str, ...]) -> tuple[str, ...]:
            return tuple(values[int(row)] for row in rows)

        return LabelledComplaints(
            ids=pick(self.ids),
            texts=pick(self.texts),
            product_lines=pick(self.product_lines),
            issues=pick(self.issues),
        )


def _present(value: str | None) -> str:
    """Empty for a missing field, including the literal ``None`` some exports write."""
    text = (value or "").strip()
    return "" if text == "None" else text


def read_cfpb(directory: Path, mapping: CfpbMapping | None = None) -> LabelledComplaints:
    """Every complaint with a narrative in the CFPB export files (``*.csv``, or gzipped
    ``*.csv.gz``) of ``directory``, labelled with our codes.

    Files are read in name order (``.gz`` aside); a Complaint ID seen in an earlier file is
    skipped. A CFPB product the mapping does not list stops the reading (say where it
    belongs); an unlisted issue becomes ``other``.
    """
    mapping = mapping or load_mapping()
    paths = files.glob(directory, "*.csv")
    if not paths:
        raise ImportRejected(
            "no CSV file in the directory", file=str(directory), row=None, column=None
        )
    ids: list[str] = []
    texts: list[str] = []
    product_lines: list[str] = []
    issues: list[str] = []
    seen: set[str] = set()
    for path in paths:
        with files.open_text(path) as handle:
            reader = csv.DictReader(handle)
            for column in (NARRATIVE, PRODUCT, ISSUE, COMPLAINT_ID):
                if column not in (reader.fieldnames or ()):
                    raise ImportRejected(
                        "not a CFPB complaint export: the column is missing",
                        file=path.name,
                        row=None,
                        column=column,
                    )
            for row_number, row in enumerate(reader, start=1):
                narrative = _present(row[NARRATIVE])
                complaint_id = _present(row[COMPLAINT_ID])
                if not narrative or complaint_id in seen:
                    continue
                product = _present(row[PRODUCT])
                if product not in mapping.products:
                    raise ImportRejected(
                        f"the CFPB product {product!r} is not in {MAPPING}: add it to [products]",
                        file=path.name,
                        row=row_number,
                        column=PRODUCT,
                    )
                seen.add(complaint_id)
                ids.append(complaint_id)
                texts.append(narrative)
                product_lines.append(mapping.products[product])
                issues.append(mapping.issue(_present(row[ISSUE])))
    if not texts:
        raise ImportRejected(
            "no complaint has a narrative", file=str(directory), row=None, column=NARRATIVE
        )
    return LabelledComplaints(tuple(ids), tuple(texts), tuple(product_lines), tuple(issues))


@dataclass(frozen=True)
class TrainingRun:
    model: ComplaintClassifier
    evaluation: Evaluation
    training_cases: int
    held_out_cases: int
    fit_seconds: float


def split_cfpb(directory: Path) -> tuple[LabelledComplaints, LabelledComplaints]:
    """The CFPB narratives as (training, held-out), stratified by product line."""
    complaints = read_cfpb(directory)
    training, held_out = held_out_split(complaints.product_lines)
    return complaints.subset(training), complaints.subset(held_out)


def fit_model(training: LabelledComplaints) -> ComplaintClassifier:
    """The starting model's settings (``ComplaintClassifier``'s defaults) fitted to ``training``."""
    return ComplaintClassifier().fit(training.texts, training.product_lines, training.issues)


def train_starting_model(directory: Path) -> TrainingRun:
    """Learn on the training split of the CFPB narratives, evaluate on the held-out split."""
    training, held_out = split_cfpb(directory)
    started = time.perf_counter()
    model = fit_model(training)
    fit_seconds = time.perf_counter() - started
    evaluation = evaluate(model, held_out.texts, held_out.product_lines, held_out.issues)
    return TrainingRun(
        model=model,
        evaluation=evaluation,
        training_cases=len(training),
        held_out_cases=len(held_out),
        fit_seconds=fit_seconds,
    )


@functools.lru_cache(maxsize=1)
def load_starting_model() -> ComplaintClassifier:
    """The shipped starting model (read once and shared: fit a new classifier rather than
    refitting this one)."""
    return ComplaintClassifier.from_bytes(_data_file(ARTIFACT))


def markdown(run: TrainingRun, *, artifact_bytes: int) -> str:
    """The evaluation as the Markdown tables of ``docs/models.md``: per field its figures,
    then the F1 of each of its labels."""
    lines = [
        f"training cases {run.training_cases:,}, held-out cases {run.held_out_cases:,}, "
        f"fit {run.fit_seconds:.1f} s, artifact {artifact_bytes / 1e6:.2f} MB "
        f"({len(run.model.vocabulary_):,} n-grams)",
    ]
    for field in run.evaluation.fields:
        lines += [
            "",
            f"{field.field}:",
            "",
            "| figure | value |",
            "|---|---|",
            f"| held-out cases | {field.cases:,} |",
            f"| classes among them | {field.classes} |",
            f"| macro-F1, model | {field.macro_f1:.3f} |",
            f"| macro-F1, majority baseline ({field.baseline_label}) "
            f"| {field.baseline_macro_f1:.3f} |",
            f"| accuracy, model | {field.accuracy:.3f} |",
            f"| accuracy, majority baseline | {field.baseline_accuracy:.3f} |",
            "",
            f"| {field.field} | held-out cases | F1 |",
            "|---|---|---|",
        ]
        for label in sorted(field.support, key=lambda name: (-field.support[name], name)):
            lines.append(f"| {label} | {field.support[label]:,} | {field.f1[label]:.3f} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bankcrm.complaints.starting_model",
        description="Train the starting complaint classifier on CFPB narratives.",
    )
    parser.add_argument("directory", type=Path, help="the cfpb-consumer-complaints directory")
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).parent / "data" / ARTIFACT,
        help="where to write the model (default: the package's shipped artifact)",
    )
    arguments = parser.parse_args(argv)
    run = train_starting_model(arguments.directory)
    data = run.model.to_bytes()
    arguments.output.write_bytes(data)
    print(markdown(run, artifact_bytes=len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
