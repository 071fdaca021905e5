"""The PKDD'99 Czech bank data (Berka) mapped onto the documented import format.

The files are read whole (the largest is a few MB), turned into the native tables, and then
go through the same validation and upsert as any other import. How each source row lands is
documented in ``docs/data-schema.md`` ("Berka mapping").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from bankcrm.core import files
from bankcrm.core.enums import LoanClass
from bankcrm.core.exceptions import ImportRejected
from bankcrm.ingest.schema import TABLES_BY_NAME
from bankcrm.ingest.sources import TableSource, check_encoding, csv_block_bytes, refusal

SOURCE_FILES = ("district", "client", "account", "disp", "order", "loan", "card")
TRANSACTION_FILE_PREFIX = "trans"
CURRENCY = "CZK"

STATEMENT_PRODUCTS = {
    "POPLATEK MESICNE": ("BERKA-CUR-M", "活期账户（月结单）", "Current account, monthly statement"),
    "POPLATEK TYDNE": ("BERKA-CUR-W", "活期账户（周结单）", "Current account, weekly statement"),
    "POPLATEK PO OBRATU": (
        "BERKA-CUR-T",
        "活期账户（交易后结单）",
        "Current account, statement after each transaction",
    ),
}
LOAN_PRODUCT = ("BERKA-LOAN", "个人贷款", "Personal loan")
CARD_PRODUCTS = {
    "junior": ("BERKA-CARD-J", "青少年借记卡", "Junior card"),
    "classic": ("BERKA-CARD-C", "标准借记卡", "Classic card"),
    "gold": ("BERKA-CARD-G", "金卡", "Gold card"),
}
# Loans that ended unpaid (B) or run in debt (D) say something about the borrower's credit.
LOAN_STATUS_GRADE = {"B": "C", "D": "CCC"}
# A and C were repaid or are being repaid on time; B ended unpaid, D runs in debt.
LOAN_STATUS_CLASS = {
    "A": LoanClass.NORMAL.value,
    "C": LoanClass.NORMAL.value,
    "D": LoanClass.SUBSTANDARD.value,
    "B": LoanClass.LOSS.value,
}
OPERATION_KIND = {
    "VKLAD": ("cash_deposit", "counter"),
    "PREVOD Z UCTU": ("transfer_in", "online"),
    "VYBER": ("cash_withdrawal", "counter"),
    "VYBER KARTOU": ("card_withdrawal", "atm"),
    "PREVOD NA UCET": ("transfer_out", "online"),
}
SYSTEM_SYMBOLS = {"UROK": "interest", "SLUZBY": "fee", "SANKC. UROK": "penalty_interest"}
SYMBOL_TEXT = {
    "POJISTNE": "insurance payment",
    "SLUZBY": "statement fee",
    "UROK": "interest credited",
    "SANKC. UROK": "penalty interest",
    "SIPO": "household payment",
    "DUCHOD": "old-age pension",
    "UVER": "loan payment",
    "LEASING": "leasing",
}


def _read(path: Path, *, encoding: str, max_field_bytes: int) -> pa.Table:
    """Every column as text: birth numbers and account numbers keep their leading zeros."""
    parse = pa_csv.ParseOptions(delimiter=";")
    block = csv_block_bytes(max_field_bytes)
    options = pa_csv.ReadOptions(
        block_size=block, encoding="utf8" if files.is_utf8(encoding) else encoding
    )
    try:
        with pa_csv.open_csv(path, read_options=options, parse_options=parse) as reader:
            names = reader.schema.names
        return pa_csv.read_csv(
            path,
            read_options=options,
            parse_options=parse,
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names}, strings_can_be_null=True
            ),
        )
    except (pa.ArrowInvalid, UnicodeError) as error:
        raise refusal(
            error,
            path,
            files.uncompressed_name(path),
            encoding=encoding,
            max_field_bytes=max_field_bytes,
            max_row_bytes=block,
            delimiter=";",
        ) from None


def _texts(table: pa.Table, column: str) -> list[str | None]:
    values = table.column(column)
    if not pa.types.is_string(values.type):
        values = pc.cast(values, pa.string())
    return [None if value in (None, "") else value.strip() for value in values.to_pylist()]


def _keys(table: pa.Table, column: str, file: str) -> list[str]:
    """A column every row must have (an identifier or a link)."""
    values = _texts(table, column)
    for index, value in enumerate(values):
        if value is None:
            raise ImportRejected("a value is required", file=file, row=index + 1, column=column)
    return [value for value in values if value is not None]


def _date(yymmdd: str | None) -> str | None:
    if not yymmdd:
        return None
    digits = yymmdd.strip()[:6]
    return f"19{digits[0:2]}-{digits[2:4]}-{digits[4:6]}"


def _birth(birth_number: str) -> tuple[str, str]:
    """Birth date and sex from a Czech birth number (women have 50 added to the month)."""
    year, month, day = int(birth_number[0:2]), int(birth_number[2:4]), int(birth_number[4:6])
    female = month > 50
    return f"19{year:02d}-{month - 50 if female else month:02d}-{day:02d}", (
        "女" if female else "男"
    )


def _add_months(iso_date: str, months: int) -> str:
    year, month, day = (int(part) for part in iso_date.split("-"))
    total = year * 12 + (month - 1) + months
    return f"{total // 12:04d}-{total % 12 + 1:02d}-{min(day, 28):02d}"


def _money(value: str | None) -> str | None:
    if value is None:
        return None
    return f"{float(value):.2f}"


def _source(name: str, columns: Mapping[str, Sequence[object]], label: str) -> TableSource:
    table = pa.table({column: pa.array(values, pa.string()) for column, values in columns.items()})
    return TableSource(table=TABLES_BY_NAME[name], label=label, data=table)


def berka_sources(
    directory: Path,
    *,
    encoding: str = files.DEFAULT_ENCODING,
    max_field_bytes: int = files.MAX_FIELD_BYTES,
) -> list[TableSource]:
    """The Berka files of ``directory`` (``*.asc``, each may be gzipped as ``*.asc.gz``) as
    native import tables, in load order; read as ``encoding`` text."""
    check_encoding(encoding, directory)
    read = functools.partial(_read, encoding=encoding, max_field_bytes=max_field_bytes)
    paths = {name: files.find(directory, f"{name}.asc") for name in SOURCE_FILES}
    missing = [name for name, path in paths.items() if path is None]
    if missing:
        raise ImportRejected(
            "a Berka file is missing", file=f"{missing[0]}.asc", row=None, column=None
        )
    raw = {name: read(path) for name, path in paths.items() if path is not None}
    transaction_files = files.glob(directory, f"{TRANSACTION_FILE_PREFIX}*.asc")

    district = raw["district"]
    branches: dict[str, Sequence[object]] = {
        "id": [f"D{value}" for value in _texts(district, "A1")],
        "name": _texts(district, "A2"),
        "city": _texts(district, "A2"),
        "region": _texts(district, "A3"),
    }

    account = raw["account"]
    account_ids = _keys(account, "account_id", "account.asc")
    account_district = dict(zip(account_ids, _texts(account, "district_id"), strict=True))
    account_opened = {
        key: _date(value) for key, value in zip(account_ids, _texts(account, "date"), strict=True)
    }
    account_product = {
        key: STATEMENT_PRODUCTS[value][0]
        for key, value in zip(account_ids, _texts(account, "frequency"), strict=True)
        if value is not None
    }

    disp = raw["disp"]
    disp_ids = _keys(disp, "disp_id", "disp.asc")
    disp_client = _keys(disp, "client_id", "disp.asc")
    disp_account = _keys(disp, "account_id", "disp.asc")
    disp_type = _texts(disp, "type")
    owner_of = {
        account_id: client
        for client, account_id, kind in zip(disp_client, disp_account, disp_type, strict=True)
        if kind == "OWNER"
    }
    first_account_date: dict[str, str] = {}
    for client, account_id in zip(disp_client, disp_account, strict=True):
        opened = account_opened[account_id]
        if (
            client
            and opened
            and (client not in first_account_date or opened < first_account_date[client])
        ):
            first_account_date[client] = opened

    loan = raw["loan"]
    loan_account = _keys(loan, "account_id", "loan.asc")
    loan_status = _texts(loan, "status")
    grade_of: dict[str, str] = {}
    for account_id, status in zip(loan_account, loan_status, strict=True):
        grade = LOAN_STATUS_GRADE.get(status or "")
        if grade and account_id in owner_of:
            grade_of[owner_of[account_id]] = grade

    client = raw["client"]
    client_ids = _texts(client, "client_id")
    births = [_birth(value or "000101") for value in _texts(client, "birth_number")]
    customers: dict[str, Sequence[object]] = {
        "id": [f"CL{value}" for value in client_ids],
        "customer_type": ["individual"] * len(client_ids),
        "name": [f"Klient {value}" for value in client_ids],
        "gender": [sex for _, sex in births],
        "birth_date": [born for born, _ in births],
        "branch_id": [f"D{value}" for value in _texts(client, "district_id")],
        "onboarded_on": [first_account_date.get(value or "") for value in client_ids],
        "credit_grade": [grade_of.get(value or "") for value in client_ids],
    }

    products = _products()

    accounts: dict[str, list[object]] = {
        "id": [],
        "customer_id": [],
        "product_id": [],
        "branch_id": [],
        "currency": [],
        "status": [],
        "opened_on": [],
        "closed_on": [],
        "balance": [],
        "loan_class": [],
    }

    def add_account(
        external: str,
        owner: str,
        product: str,
        district_id: str | None,
        opened: str | None,
        status: str,
        closed: str | None,
        balance: str,
        loan_class: str | None = None,
    ) -> None:
        for column, value in (
            ("id", external),
            ("customer_id", f"CL{owner}"),
            ("product_id", product),
            ("branch_id", f"D{district_id}"),
            ("currency", CURRENCY),
            ("status", status),
            ("opened_on", opened),
            ("closed_on", closed),
            ("balance", balance),
            ("loan_class", loan_class),
        ):
            accounts[column].append(value)

    last_balance = _last_balances(transaction_files, read)
    for account_id in account_ids:
        add_account(
            f"AC{account_id}",
            owner_of[account_id],
            account_product[account_id],
            account_district[account_id],
            account_opened[account_id],
            "open",
            None,
            last_balance.get(account_id or "", "0.00"),
        )
    for loan_id, account_id, start, amount, duration, status in zip(
        _texts(loan, "loan_id"),
        loan_account,
        _texts(loan, "date"),
        _texts(loan, "amount"),
        _texts(loan, "duration"),
        loan_status,
        strict=True,
    ):
        opened = _date(start)
        finished = status in ("A", "B")
        add_account(
            f"LN{loan_id}",
            owner_of[account_id],
            LOAN_PRODUCT[0],
            account_district[account_id],
            opened,
            "closed" if finished else "open",
            _add_months(opened, int(duration or 0)) if finished and opened else None,
            _money(amount) or "0.00",
            LOAN_STATUS_CLASS.get(status or ""),
        )
    card = raw["card"]
    disp_of = {
        disp_id: (client_id, account_id)
        for disp_id, client_id, account_id in zip(disp_ids, disp_client, disp_account, strict=True)
    }
    for card_id, disp_id, kind, issued in zip(
        _texts(card, "card_id"),
        _keys(card, "disp_id", "card.asc"),
        _texts(card, "type"),
        _texts(card, "issued"),
        strict=True,
    ):
        holder, account_id = disp_of[disp_id]
        add_account(
            f"CD{card_id}",
            holder or "",
            CARD_PRODUCTS[kind or "classic"][0],
            account_district[account_id],
            _date(issued),
            "open",
            None,
            "0.00",
        )

    parties: dict[str, Sequence[object]] = {
        "id": [f"DP{value}" for value in disp_ids],
        "account_id": [f"AC{value}" for value in disp_account],
        "customer_id": [f"CL{value}" for value in disp_client],
        "role": ["owner" if kind == "OWNER" else "authorised" for kind in disp_type],
    }
    order = raw["order"]
    orders: dict[str, Sequence[object]] = {
        "id": [f"SO{value}" for value in _texts(order, "order_id")],
        "account_id": [f"AC{value}" for value in _texts(order, "account_id")],
        "amount": [_money(value) for value in _texts(order, "amount")],
        "purpose": [SYMBOL_TEXT.get(value or "", value) for value in _texts(order, "k_symbol")],
        "counterparty_bank": _texts(order, "bank_to"),
        "counterparty_account": _texts(order, "account_to"),
    }
    sources = [
        _source("branches", branches, "district.asc"),
        _source("products", products, "(Berka products)"),
        _source("customers", customers, "client.asc"),
        _source("accounts", accounts, "account.asc, loan.asc, card.asc"),
        _source("account_parties", parties, "disp.asc"),
        _source("standing_orders", orders, "order.asc"),
    ]
    for path in transaction_files:
        sources.append(_source("transactions", _transactions(read(path)), path.name))
    return sources


def _products() -> dict[str, list[object]]:
    rows = (
        [(code, zh, en, "deposit", "R1") for code, zh, en in STATEMENT_PRODUCTS.values()]
        + [(*LOAN_PRODUCT, "loan", "R2")]
        + [(code, zh, en, "card", "R1") for code, zh, en in CARD_PRODUCTS.values()]
    )
    return {
        "id": [row[0] for row in rows],
        "name_zh": [row[1] for row in rows],
        "name_en": [row[2] for row in rows],
        "category": [row[3] for row in rows],
        "product_risk": [row[4] for row in rows],
    }


def _last_balances(paths: list[Path], read: Callable[[Path], pa.Table]) -> dict[str, str]:
    """Each account's balance after its latest transaction in the files."""
    latest: dict[str, tuple[str, int, str]] = {}
    for path in paths:
        table = read(path)
        for account_id, day, number, balance in zip(
            _texts(table, "account_id"),
            _texts(table, "date"),
            _texts(table, "trans_id"),
            _texts(table, "balance"),
            strict=True,
        ):
            key = (day or "", int(number or 0))
            if (
                account_id
                and balance
                and (account_id not in latest or key > latest[account_id][:2])
            ):
                latest[account_id] = (key[0], key[1], _money(balance) or "0.00")
    return {account_id: value[2] for account_id, value in latest.items()}


def _transactions(table: pa.Table) -> dict[str, list[object]]:
    columns: dict[str, list[object]] = {
        name: []
        for name in (
            "id",
            "account_id",
            "booked_at",
            "amount",
            "direction",
            "channel",
            "kind",
            "customer_initiated",
            "balance_after",
            "counterparty_bank",
            "description",
        )
    }
    for number, account_id, day, kind, operation, amount, balance, symbol, bank in zip(
        _texts(table, "trans_id"),
        _texts(table, "account_id"),
        _texts(table, "date"),
        _texts(table, "type"),
        _texts(table, "operation"),
        _texts(table, "amount"),
        _texts(table, "balance"),
        _texts(table, "k_symbol"),
        _texts(table, "bank"),
        strict=True,
    ):
        system_kind = SYSTEM_SYMBOLS.get(symbol or "")
        if system_kind:
            kind_name, channel = system_kind, "system"
        else:
            kind_name, channel = OPERATION_KIND.get(operation or "", ("other", "counter"))
        for column, value in (
            ("id", f"TR{number}"),
            ("account_id", f"AC{account_id}"),
            ("booked_at", f"{_date(day)}T12:00:00+01:00"),
            ("amount", _money(amount)),
            ("direction", "credit" if kind == "PRIJEM" else "debit"),
            ("channel", channel),
            ("kind", kind_name),
            ("customer_initiated", "false" if system_kind else "true"),
            ("balance_after", _money(balance)),
            ("counterparty_bank", bank),
            ("description", SYMBOL_TEXT.get(symbol or "", operation)),
        ):
            columns[column].append(value)
    return columns
