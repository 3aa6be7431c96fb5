"""codebook.csv: one row per column of every table, for readers who want the data dictionary as a
spreadsheet (the documentation's data dictionary page says the same, from the same schema).

Everything comes from datapackage.yaml (names, types, units, constraints, English descriptions) and
docs/i18n/schema.yml (the Turkish and Russian descriptions the documentation uses).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from ots_data.schema import load_resources

COLUMNS = (
    "table",
    "column",
    "title",
    "type",
    "unit",
    "required",
    "primary_key",
    "allowed_values",
    "pattern",
    "description_en",
    "description_tr",
    "description_ru",
)


def codebook_rows(root: Path) -> list[dict]:
    translated = yaml.safe_load((root / "docs/i18n/schema.yml").read_text(encoding="utf-8"))
    rows = []
    for resource in load_resources(root / "datapackage.yaml"):
        for field in resource.fields:
            key = f"{resource.name}.{field.name}"
            found = translated.get(key) or {}
            missing = [lang for lang in ("tr", "ru") if not found.get(lang)]
            if missing:
                raise ValueError(f"docs/i18n/schema.yml: no {', '.join(missing)} description for {key}")
            rows.append(
                {
                    "table": resource.name,
                    "column": field.name,
                    "title": field.title,
                    "type": f"list of {field.item_type}" if field.type == "list" else field.type,
                    "unit": field.unit or "",
                    "required": "true" if resource.is_required(field) else "false",
                    "primary_key": "true" if field.name in resource.primary_key else "false",
                    "allowed_values": " | ".join(str(v) for v in field.enum or []),
                    "pattern": field.constraints.get("pattern", ""),
                    "description_en": field.description,
                    "description_tr": " ".join(found["tr"].split()),
                    "description_ru": " ".join(found["ru"].split()),
                }
            )
    return rows


def codebook_csv(root: Path) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(codebook_rows(root))
    return out.getvalue()
