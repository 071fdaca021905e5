"""Any labelled file (one row per customer or loan, a label column) as a feature matrix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from bankcrm.churn.model import FeatureMatrix
from bankcrm.core import files
from bankcrm.core.exceptions import ImportRejected

DELIMITERS = (",", ";", "\t", "|")
"""Field separators a header may use; a comma where none appears."""
MAX_CATEGORIES = 255
"""Gradient boosting takes at most this many categories in a column."""


def read_table(path: Path, *, text_columns: tuple[str, ...] = ()) -> pa.Table:
    """A CSV file (or .csv.gz) with a header, its fields separated by commas, semicolons
    (European exports), tabs or bars, whichever the header uses most; a refusal names the
    row and column that cannot be read. ``text_columns`` stay text as written (pyarrow
    would turn times with a UTC offset into UTC and lose the offset)."""
    try:
        parse = pa_csv.ParseOptions(delimiter=_delimiter(path))
        convert = pa_csv.ConvertOptions(column_types=dict.fromkeys(text_columns, pa.string()))
        table = pa_csv.read_csv(path, parse_options=parse, convert_options=convert)
        header = table.column_names  # a header that is not UTF-8 fails here
    except (pa.ArrowInvalid, UnicodeError) as error:  # also: a field or row too long
        raise files.csv_refusal(error, path, label=path.name) from None
    # pyarrow reads a column that is not UTF-8 text as bytes instead of failing
    for name, kind in zip(header, table.schema.types, strict=True):
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            not_text = ValueError(f"the column {name!r} is not UTF-8 text")
            raise files.csv_refusal(not_text, path, label=path.name)
    return table


def _delimiter(path: Path) -> str:
    try:
        with files.open_text(path, errors="replace") as handle:
            header = handle.readline()
    except (OSError, EOFError):
        return ","  # pyarrow names what is wrong with the file
    return max(DELIMITERS, key=header.count)


def read_labelled_table(
    path: Path,
    *,
    label_column: str,
    positive: str | tuple[str, ...],
    exclude: tuple[str, ...] = (),
    meaning: str = "churn",
) -> tuple[pa.Table, np.ndarray]:
    """The file's feature columns (without the label and ``exclude``) and, per row, whether
    the label is ``positive`` (or one of several); ``meaning`` names the positive label in
    messages."""
    table = read_table(path)
    for name in (label_column, *exclude):
        if name not in table.column_names:
            raise ImportRejected(f"no column named {name!r}", file=path.name, row=None, column=name)
    labels_text = table.column(label_column).cast(pa.string())
    missing = pc.is_null(labels_text)
    if pc.any(missing).as_py():
        row = int(pc.index(missing, True).as_py()) + 1
        raise ImportRejected("the label is empty", file=path.name, row=row, column=label_column)
    wanted = (positive,) if isinstance(positive, str) else positive
    positives = pc.is_in(labels_text, pa.array(wanted, pa.string()))
    positives = positives.to_numpy(zero_copy_only=False).astype(bool)
    if not positives.any():
        named = " or ".join(repr(value) for value in wanted)
        raise ImportRejected(
            f"no row has the {meaning} label {named}",
            file=path.name,
            row=None,
            column=label_column,
        )
    features = table.drop_columns([label_column, *exclude])
    return features, positives


def read_labelled(
    path: Path, *, label_column: str, positive: str, exclude: tuple[str, ...] = ()
) -> tuple[FeatureMatrix, np.ndarray]:
    """Numbers stay numbers, text columns become categories; ``label_column`` equal to
    ``positive`` is churn. ``exclude`` drops identifiers and columns that leak the label."""
    table, churned = read_labelled_table(
        path, label_column=label_column, positive=positive, exclude=exclude
    )
    names: list[str] = []
    columns: list[np.ndarray] = []
    categorical: list[bool] = []
    for name in table.column_names:
        column = table.column(name)
        if is_number(column.type):
            columns.append(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False))
            categorical.append(False)
        else:
            encoded = pc.dictionary_encode(column.cast(pa.string())).combine_chunks()
            if len(encoded.dictionary) > MAX_CATEGORIES:
                raise ImportRejected(
                    f"{len(encoded.dictionary)} different values; a category column may have "
                    f"at most {MAX_CATEGORIES} (leave identifiers out with exclude)",
                    file=path.name,
                    row=None,
                    column=name,
                )
            codes = encoded.indices.to_numpy(zero_copy_only=False).astype(float)
            columns.append(
                np.where(encoded.indices.is_null().to_numpy(zero_copy_only=False), np.nan, codes)
            )
            categorical.append(True)
        names.append(name)
    matrix = FeatureMatrix(tuple(names), np.column_stack(columns), tuple(categorical))
    return matrix, churned


def is_number(kind: pa.DataType) -> bool:
    """Integers and floating-point numbers; text, dates and booleans are categories."""
    return bool(pa.types.is_integer(kind) or pa.types.is_floating(kind))
