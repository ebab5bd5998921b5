"""Start the dashboards with what every first page run would otherwise pay for already done.

    python -m dashboard.serve [streamlit options, e.g. --server.port 8501]

`streamlit run dashboard/app.py` imports the report modules (pandas, Altair, DuckDB, the page
logic: about 0.7 s here) in the first reader's page run, and that run also parses the dbt
artifacts the KPI definitions come from and opens the warehouse file cold. This launcher does all
of that once, in the server process, before it starts Streamlit in the same process: the page
scripts find the modules in `sys.modules` and the parsed definitions in their caches, so the first
reader after a start waits only for the page's own queries (docs/benchmarks.md, "cold").

A preload that fails (no warehouse built yet, no dbt artifacts, BigQuery unreachable) is not an
error here: the page then shows its usual message saying what is missing and what to run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard" / "app.py"


def preload() -> list[str]:
    """Import the page logic, parse the definitions, open the warehouse once; say what was done."""
    done = []
    start = time.perf_counter()
    import altair  # noqa: F401
    import pandas  # noqa: F401

    from dashboard import components, data, definitions, pages  # noqa: F401
    from dashboard.data import quality  # noqa: F401
    from dashboard.reports import metering, operations, portfolio  # noqa: F401

    done.append(f"modules {time.perf_counter() - start:.2f} s")
    for name, step in (("definitions", definitions.load), ("warehouse", _open_warehouse)):
        start = time.perf_counter()
        try:
            step()
        except Exception as error:  # the page says what is missing; the server still starts
            done.append(f"{name} not preloaded ({type(error).__name__})")
        else:
            done.append(f"{name} {time.perf_counter() - start:.2f} s")
    return done


def _open_warehouse() -> None:
    from dashboard import data

    if data.target() != "dev":  # BigQuery: no file to warm, and no query billed at start-up
        return
    with data.session() as reader:
        reader.query("select 1 as ready")


def main(argv: list[str] | None = None) -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    print("dashboard preload: " + ", ".join(preload()), flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
