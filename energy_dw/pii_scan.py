"""Fail when a mart carries personal data in clear text.

Scanned: every table of the `marts` schema, and every model under models/marts/ and
python_models/ (read from manifest.json when it is there), except the restricted lookups: a model
configured with schema `restricted` and tagged `pii` (e.g. dim_portfolio_customer_lookup) is the
one place personal data may be, and is listed as exempt.

A column is reported
- by name: names of people, emails, phones, addresses, postcodes (NAME_RULES, and every PII
  column of the source contract, `contract.PII_COLUMNS`);
- by content: a text value that looks like an email, a phone number, a UK postcode or a street
  address (VALUE_PATTERNS), or that equals a value of a PII column of the restricted models.

Usage: python -m energy_dw.pii_scan [--database target/ci/ci.duckdb] [--target-path target/ci]
Exit 1 when a finding is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from energy_dw.contract import PII_COLUMNS

NAME_RULES: dict[str, str] = {
    "person name": r"(^|_)((first|last|middle|full|given|family)_?name|surname|forename)$"
    r"|(^|_)(customer|contact|technician|agent|person|user|employee|holder|payer)_name$",
    "named agent or technician": r"^(sign_up_sales_agent|install_technician|upgrade_technician)$",
    "email": r"(^|_)e_?mail(_address)?$",
    "phone": r"(^|_)(phone|mobile|telephone|msisdn|tel)(_number|_no)?$",
    "address": r"(^|_)(address(_line)?(_\d)?|street|house_number)$",
    "postcode": r"(^|_)(postcode|post_code|postal_code|zip|zip_code)$",
}
PII_NAMES = {column for _dataset, _table, column in PII_COLUMNS}

VALUE_PATTERNS: dict[str, str] = {
    "email": r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    "phone": r"^(\+[0-9]{1,3}[ -]?[0-9][0-9 -]{6,}[0-9]|0[0-9]{9,10})$",
    "UK postcode": r"^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? ?[0-9][A-Za-z]{2}$",
    "street address": r"^[0-9]+[A-Za-z]? [A-Za-z' ]+ (Road|Rd|Lane|Street|St|Avenue|Ave|Close|Way"
    r"|Drive|Court|Place|Crescent|Gardens|Grove|Terrace|Hill|Row|Square|Green)$",
}

RESTRICTED_SCHEMA = "restricted"


@dataclass(frozen=True)
class Finding:
    relation: str
    column: str
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.relation}.{self.column}: {self.kind} ({self.detail})"


def name_rule(column: str) -> str | None:
    lowered = column.lower()
    if lowered in PII_NAMES:
        return "a PII column of the source contract"
    for kind, pattern in NAME_RULES.items():
        if re.search(pattern, lowered):
            return kind
    return None


def mart_relations(con, manifest: dict | None) -> tuple[list[tuple[str, str]], list[str]]:
    """(schema, table) of every mart to scan, and the names of the exempt restricted lookups."""
    relations = {
        ("marts", r[0])
        for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    exempt = []
    if manifest:
        for node in manifest["nodes"].values():
            path = node.get("original_file_path", "")
            if node.get("resource_type") != "model" or not (
                path.startswith("models/marts/") or path.startswith("python_models/")
            ):
                continue
            schema = node.get("schema") or node["config"].get("schema") or "marts"
            if schema == RESTRICTED_SCHEMA and "pii" in node.get("tags", []):
                exempt.append(node["name"])
                continue
            relations.add((schema, node.get("alias") or node["name"]))
    return sorted(relations), sorted(exempt)


def restricted_values(con) -> set[str]:
    """The values of the PII columns of the restricted models (the clear text to look for)."""
    values: set[str] = set()
    rows = con.execute(
        "select table_name, column_name from information_schema.columns"
        " where table_schema = ? and data_type = 'VARCHAR'",
        [RESTRICTED_SCHEMA],
    ).fetchall()
    for table, column in rows:
        if not name_rule(column):
            continue  # codes, territories, statuses: not personal
        for (value,) in con.execute(
            f'select distinct "{column}" from {RESTRICTED_SCHEMA}."{table}"'
            f' where "{column}" is not null'
        ).fetchall():
            if len(value.strip()) >= 4:
                values.add(value.strip())
    return values


def scan(database: str, manifest: dict | None = None) -> tuple[list[Finding], list[str], int]:
    """Findings, exempt models, number of relations scanned."""
    con = duckdb.connect(database, read_only=True)
    try:
        relations, exempt = mart_relations(con, manifest)
        pii_values = sorted(restricted_values(con))
        con.execute("create temp table pii_values (v varchar)")
        if pii_values:
            con.executemany("insert into pii_values values (?)", [(v,) for v in pii_values])
        findings: list[Finding] = []
        for schema, table in relations:
            relation = f"{schema}.{table}"
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [schema, table],
            ).fetchall()
            if not columns:
                continue  # declared in the manifest but not built
            for column, data_type in columns:
                kind = name_rule(column)
                if kind:
                    findings.append(Finding(relation, column, "PII by name", kind))
                if data_type != "VARCHAR":
                    continue
                quoted = f'"{schema}"."{table}"'
                for kind, pattern in VALUE_PATTERNS.items():
                    hit = con.execute(
                        f'select count(*), any_value("{column}") from {quoted}'
                        f' where regexp_full_match(trim("{column}"), ?)',
                        [pattern],
                    ).fetchone()
                    if hit[0]:
                        findings.append(
                            Finding(relation, column, f"{kind} in the values", f"{hit[0]} row(s)")
                        )
                hit = con.execute(
                    f'select count(*) from {quoted} where trim("{column}") in'
                    " (select v from pii_values)"
                ).fetchone()
                if hit[0]:
                    findings.append(
                        Finding(
                            relation,
                            column,
                            "values of a restricted PII column",
                            f"{hit[0]} row(s)",
                        )
                    )
        return findings, exempt, len(relations)
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default=os.environ.get("DBT_DUCKDB_PATH", "warehouse.duckdb"))
    parser.add_argument("--target-path", default="target")
    args = parser.parse_args(argv)
    manifest_file = Path(args.target_path) / "manifest.json"
    manifest = json.loads(manifest_file.read_text()) if manifest_file.exists() else None
    findings, exempt, scanned = scan(args.database, manifest)
    for finding in findings:
        print(f"PII: {finding}")
    print(
        f"pii scan: {scanned} mart relations scanned, {len(findings)} finding(s);"
        f" exempt restricted lookups: {', '.join(exempt) or 'none'}"
    )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
