"""The PKDD'99 Czech bank's loans as an application file a scorecard learns from.

One row per loan, with what the bank knew on the day it granted the loan: the loan's
amount, term and instalment, the account's statement frequency and age, the owner's sex and
age, whether a second person may use the account, the card held before the loan, and the
district's economy. The permanent orders are left out: the file is a snapshot taken at the
end of 1998, after the loans' outcomes, and a loan's own repayment order is among them.
The outcome is ``status``: A (finished, paid) and C (running, fine) are good, B (finished,
unpaid) and D (running, in debt) bad.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from bankcrm.core.exceptions import ImportRejected

BAD_STATUSES = ("B", "D")
FILES = ("loan", "account", "disp", "client", "district", "card")

_APPLICATIONS = """
WITH
  loan AS (SELECT *, strptime(date, '%y%m%d')::DATE AS granted FROM loan_raw),
  account AS (
    SELECT *, strptime(date, '%y%m%d')::DATE AS opened FROM account_raw
  ),
  owner AS (
    SELECT d.account_id, d.disp_id, c.birth_number FROM disp_raw d
    JOIN client_raw c USING (client_id) WHERE d.type = 'OWNER'
  ),
  users AS (SELECT account_id, count(*) AS disponents FROM disp_raw GROUP BY account_id),
  born AS (
    SELECT account_id, disp_id,
      CASE WHEN CAST(substr(birth_number, 3, 2) AS INTEGER) > 50 THEN 'F' ELSE 'M' END AS sex,
      make_date(1900 + CAST(substr(birth_number, 1, 2) AS INTEGER),
                CAST(substr(birth_number, 3, 2) AS INTEGER) % 50,
                CAST(substr(birth_number, 5, 2) AS INTEGER)) AS birthday
    FROM owner
  ),
  card AS (
    SELECT disp_id, type, strptime(substr(issued, 1, 6), '%y%m%d')::DATE AS issued
    FROM card_raw
  )
SELECT
  l.loan_id::INTEGER AS loan_id,
  l.amount::DOUBLE AS amount,
  l.duration::INTEGER AS term_months,
  l.payments::DOUBLE AS instalment,
  CASE a.frequency
    WHEN 'POPLATEK MESICNE' THEN 'monthly'
    WHEN 'POPLATEK TYDNE' THEN 'weekly'
    WHEN 'POPLATEK PO OBRATU' THEN 'after_transaction'
    ELSE a.frequency END AS statement_frequency,
  date_diff('day', a.opened, l.granted) AS account_age_days,
  b.sex,
  date_diff('year', b.birthday, l.granted) AS age,
  u.disponents,
  coalesce((SELECT k.type FROM card k WHERE k.disp_id = b.disp_id AND k.issued <= l.granted),
           'none') AS card,
  d.A3 AS region,
  TRY_CAST(d.A4 AS DOUBLE) AS inhabitants,
  TRY_CAST(d.A10 AS DOUBLE) AS urban_ratio,
  TRY_CAST(d.A11 AS DOUBLE) AS average_salary,
  TRY_CAST(d.A12 AS DOUBLE) AS unemployment_1995,
  TRY_CAST(d.A13 AS DOUBLE) AS unemployment_1996,
  TRY_CAST(d.A14 AS DOUBLE) AS entrepreneurs_per_1000,
  TRY_CAST(d.A15 AS DOUBLE) AS crimes_1995,
  TRY_CAST(d.A16 AS DOUBLE) AS crimes_1996,
  l.status
FROM loan l
JOIN account a USING (account_id)
JOIN born b USING (account_id)
JOIN users u USING (account_id)
JOIN district_raw d ON d.A1 = a.district_id
ORDER BY l.loan_id
"""


def loan_applications(folder: Path) -> pa.Table:
    """The loans of the Berka files in ``folder`` (``loan.asc`` or ``loan.asc.gz`` and the
    other tables), one row per loan with its ``status``."""
    connection = duckdb.connect()
    try:
        for name in FILES:
            path = _file(folder, name)
            connection.execute(
                f"CREATE TABLE {name}_raw AS SELECT * FROM "
                "read_csv(?, delim=';', header=true, all_varchar=true)",
                [str(path)],
            )
        return connection.sql(_APPLICATIONS).to_arrow_table()
    finally:
        connection.close()


def _file(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.asc", folder / f"{name}.asc.gz"):
        if candidate.is_file():
            return candidate
    raise ImportRejected(
        f"{name}.asc (or {name}.asc.gz) is missing from {folder}",
        file=f"{name}.asc",
        row=None,
        column=None,
    )
