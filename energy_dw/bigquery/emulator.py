"""The BigQuery emulator (PyPI `bqemulator`) beside the project, and the BigQuery check.

bqemulator is a BigQuery REST server backed by DuckDB and sqlglot. It pins duckdb 1.5.x, so it
lives in its own virtualenv (.venv-bqemulator, from requirements-bqemulator.txt) and runs as a
separate process on loopback; dbt reaches it through the `bq_emulator` output of profiles.yml
(method oauth-secrets, a dummy token, `api_endpoint: http://127.0.0.1:$BQ_EMULATOR_PORT`).

    python -m energy_dw.bigquery.emulator check    # what `make check-bigquery` runs
    python -m energy_dw.bigquery.emulator serve    # start it and wait (Ctrl-C stops it)
    python -m energy_dw.bigquery.emulator install  # only create .venv-bqemulator

`check` installs (once), starts the emulator, and whatever happens stops it again:
  1. `dbt seed` + `dbt build` of the whole project on the emulator (Python models excluded:
     on BigQuery they run on Dataproc), then a second `dbt run` of the incremental models
     (their incremental path), each step minus only the documented KNOWN_LIMITATIONS below;
  2. `dbt compile` of every model, test and analysis against the emulator, and the strictness
     check on the compiled SQL (energy_dw.bigquery.strictness); the incremental models and the
     views they read compiled in their incremental form, and the pruning check on that SQL
     (energy_dw.bigquery.pruning: every window filter on a source is a literal load-time range);
  3. the same project built on DuckDB from the same seeds (in parallel with 1), and every model
     compared row for row (energy_dw.bigquery.compare);
  4. the Python models run on PySpark (tests/python/test_bigquery_python_models.py in
     .venv-pyspark) and compared with their DuckDB result.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EMULATOR_VENV = ROOT / ".venv-bqemulator"
EMULATOR_REQUIREMENTS = ROOT / "requirements-bqemulator.txt"
PYSPARK_VENV = ROOT / ".venv-pyspark"
PYSPARK_REQUIREMENTS = Path(__file__).with_name("requirements-pyspark.txt")
PROJECT_PYTHON = Path(sys.executable)
DBT = PROJECT_PYTHON.parent / "dbt"
WORK = ROOT / "target" / "bigquery"
PROJECT_ID = "energy-dw-emulator"
# `bqemulator start` with the fix that lets it run dbt's contract DDL (docstring there).
LAUNCHER = Path(__file__).with_name("bqemulator_launch.py")
# The DuckDB extensions bqemulator INSTALLs and LOADs at start (it would download them).
OFFLINE_EXTENSIONS = ("spatial", "avro")


@dataclass(frozen=True)
class Limitation:
    """Valid BigQuery that the emulator cannot run, and what the check leaves out for it."""

    statement: str
    limitation: str
    exclude: str  # a dbt selector left out of the emulator step it concerns ("" = none)
    step: str  # "build", "incremental" or "python"


# Every statement the emulator cannot run, with the only thing skipped for it. Documented in
# docs/bigquery.md ("Emulator limitations"); nothing else is ever excluded.
KNOWN_LIMITATIONS = (
    Limitation(
        statement="a dbt Python model (dbt-bigquery submits it as a PySpark batch to Dataproc)",
        limitation="the emulator has no Dataproc: Python models cannot run on it",
        exclude="file:*.py",
        step="build",
    ),
    Limitation(
        statement=(
            "the incremental run of an `insert_overwrite` model with dynamic partitions (no "
            "`partitions` config): dbt-bigquery's script `declare dbt_partitions_for_replacement "
            "array<date>; ... set (dbt_partitions_for_replacement) = (select as struct "
            "array_agg(distinct ... ignore nulls) ...); merge ... when not matched by source "
            "and ... in unnest(dbt_partitions_for_replacement) then delete ...`"
        ),
        limitation=(
            "the emulator fails to translate the script (`Syntax error: Required keyword: "
            "'this' missing for ...Not`); static `partitions`, `merge` and the first, full "
            "build of the same model all run"
        ),
        exclude="dynamic insert_overwrite",
        step="incremental",
    ),
)


def log(message: str) -> None:
    print(f"[check-bigquery] {message}", flush=True)


# --- virtualenvs ---------------------------------------------------------------------------


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_venv(venv: Path, requirements: Path) -> Path:
    """Create `venv` from the pinned `requirements` unless it already matches them."""
    stamp = venv / ".installed"
    python = venv / "bin" / "python"
    if python.exists() and stamp.exists() and stamp.read_text() == _digest(requirements):
        return python
    log(f"installing {venv.name} from {requirements.relative_to(ROOT)} (once)")
    if not python.exists():
        base = shutil.which("python3.11") or sys.executable
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(requirements)], check=True)
    stamp.write_text(_digest(requirements))
    return python


def emulator_home() -> Path:
    """The HOME the emulator runs with: its DuckDB looks for extensions under
    $HOME/.duckdb/extensions/v<duckdb version>/<platform>/, so they stay inside the venv."""
    return EMULATOR_VENV / "home"


def install_offline_extensions(python: Path) -> None:
    """Put the `.duckdb_extension` files of the PyPI wheels duckdb-extension-spatial/-avro
    where the emulator's DuckDB looks, and verify that it INSTALLs and LOADs them offline."""
    probe = (
        "import duckdb, importlib, pathlib, shutil\n"
        "con = duckdb.connect()\n"
        "version = duckdb.__version__\n"
        "platform = con.sql('pragma platform').fetchone()[0]\n"
        "home = pathlib.Path.home()\n"
        "target = home / '.duckdb' / 'extensions' / f'v{version}' / platform\n"
        "target.mkdir(parents=True, exist_ok=True)\n"
        f"for name in {OFFLINE_EXTENSIONS!r}:\n"
        "    package = importlib.import_module(f'duckdb_extension_{name}')\n"
        "    found = next(pathlib.Path(package.__path__[0]).rglob(f'{name}.duckdb_extension'))\n"
        "    shutil.copy2(found, target / found.name)\n"
        "    con.execute(f'INSTALL {name}')\n"
        "    con.execute(f'LOAD {name}')\n"
        "    path = con.execute('select install_path from duckdb_extensions() "
        "where extension_name = ? and loaded', [name]).fetchone()[0]\n"
        "    print(name, path)\n"
    )
    env = {**os.environ, "HOME": str(emulator_home())}
    out = subprocess.run(
        [str(python), "-c", probe], env=env, check=True, capture_output=True, text=True
    )
    for line in out.stdout.splitlines():
        log(f"offline DuckDB extension loaded: {line}")


def install() -> Path:
    python = ensure_venv(EMULATOR_VENV, EMULATOR_REQUIREMENTS)
    install_offline_extensions(python)
    return python


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> None:
    """Stop the emulator's whole process group: SIGTERM, then SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def running_emulator(
    project: str = PROJECT_ID, port: int | None = None, log_path: Path | None = None
) -> Iterator[str]:
    """Start bqemulator on 127.0.0.1 (REST and gRPC), yield its endpoint, always stop it."""
    python = install()
    port = port or free_port()
    log_path = log_path or WORK / "bqemulator.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(python), str(LAUNCHER),  # bqemulator, able to run contract DDL (see the launcher)
        "start",
        "--rest-host", "127.0.0.1", "--rest-port", str(port),
        "--grpc-host", "127.0.0.1", "--grpc-port", "0",
        "--project", project, "--ephemeral", "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, "HOME": str(emulator_home())}
    endpoint = f"http://127.0.0.1:{port}"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            command, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            _wait_ready(process, f"{endpoint}/bigquery/v2/projects/{project}/datasets", log_path)
            log(f"bqemulator {endpoint} (project {project}) ready, pid {process.pid}")
            yield endpoint
        finally:
            _stop(process)
            log(f"bqemulator stopped (exit {process.returncode})")


def _wait_ready(process: subprocess.Popen, url: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log_path.read_text()[-3000:]
            raise RuntimeError(f"bqemulator exited with {process.returncode}:\n{tail}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"bqemulator not ready after {timeout:.0f} s (log: {log_path})")


def _raise_on_signal(signum, _frame) -> None:
    raise SystemExit(128 + signum)


# --- the check -------------------------------------------------------------------------------


def dbt_env(port: int | None = None, duckdb_path: Path | None = None) -> dict[str, str]:
    env = {**os.environ, "DBT_PROFILES_DIR": str(ROOT), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    env.pop("DBT_TARGET", None)
    if port is not None:
        env |= {"BQ_EMULATOR_PORT": str(port), "BQ_EMULATOR_PROJECT": PROJECT_ID}
    if duckdb_path is not None:
        env["DBT_DUCKDB_PATH"] = str(duckdb_path)
    return env


def dbt_args(command: str, target: str, name: str, *args: str) -> list[str]:
    return [
        str(DBT), command, "--target", target,
        "--target-path", str(WORK / f"target-{name}"),
        "--log-path", str(WORK / f"logs-{name}"),
        *args,
    ]  # fmt: skip


def excluded(step: str) -> list[str]:
    return [lim.exclude for lim in KNOWN_LIMITATIONS if lim.step == step and lim.exclude]


class StepFailed(Exception):
    pass


def run(step: str, command: list[str], env: dict[str, str], failures: list[str]) -> bool:
    """Run one step; a failure is recorded and the check goes on (the later steps still say
    what they can), except where the caller raises StepFailed."""
    started = time.monotonic()
    log(f"{step}: {' '.join(Path(c).name if c == str(DBT) else c for c in command)}")
    result = subprocess.run(command, env=env, cwd=ROOT)
    log(f"{step}: exit {result.returncode} in {time.monotonic() - started:.0f} s")
    if result.returncode != 0:
        failures.append(step)
    return result.returncode == 0


def start_duckdb_build() -> tuple[subprocess.Popen, Path, Path]:
    """The same project on DuckDB from the same seeds (Python models included: their result
    is what the PySpark run is compared with), in the background."""
    path = WORK / "duckdb.duckdb"
    path.unlink(missing_ok=True)
    seed = dbt_args("seed", "ci", "duckdb", "--quiet")
    build = dbt_args("build", "ci", "duckdb", "--exclude", "resource_type:seed", "--quiet")
    script = f"{' '.join(seed)} && {' '.join(build)}"
    log_path = WORK / "duckdb-build.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            ["bash", "-c", script],
            env=dbt_env(duckdb_path=path),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    log(f"DuckDB build of the same project started in the background (log {log_path})")
    return process, path, WORK / "target-duckdb" / "manifest.json"


def start_python_models_check(duckdb_path: Path, duckdb_manifest: Path) -> subprocess.Popen:
    """tests/python/test_bigquery_python_models.py in .venv-pyspark, in the background."""
    python = ensure_venv(PYSPARK_VENV, PYSPARK_REQUIREMENTS)
    test = ROOT / "tests" / "python" / "test_bigquery_python_models.py"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BQ_CHECK_DUCKDB_PATH": str(duckdb_path),
        "BQ_CHECK_DUCKDB_MANIFEST": str(duckdb_manifest),
        "BQ_CHECK_REQUIRE_PYSPARK": "1",
        "SPARK_LOCAL_IP": "127.0.0.1",
    }
    command = [
        str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore", str(test),
    ]  # fmt: skip
    log_path = WORK / "python-models.log"
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    log(f"Python models on PySpark started in the background (log {log_path})")
    return process


def _end(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()


def incremental_models(manifest: Path) -> tuple[list[str], list[str]]:
    """(run again, left out): the incremental SQL models built on the emulator, and those of
    them whose incremental run the emulator cannot do (dynamic insert_overwrite)."""
    run_again, left_out = [], []
    for node in json.loads(manifest.read_text())["nodes"].values():
        config = node["config"]
        if node["resource_type"] != "model" or config.get("materialized") != "incremental":
            continue
        if node.get("language") == "python":
            continue
        dynamic = config.get("incremental_strategy") == "insert_overwrite"
        dynamic = dynamic and not config.get("partitions")
        (left_out if dynamic else run_again).append(node["name"])
    return sorted(run_again), sorted(left_out)


def check(
    duckdb_path: Path | None = None, duckdb_manifest: Path | None = None, skip_python: bool = False
) -> int:
    """The whole BigQuery check. With `duckdb_path` and `duckdb_manifest` (make test passes the
    DuckDB build it has just made) the DuckDB side is reused, else built here."""
    WORK.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _raise_on_signal)
    started = time.monotonic()
    failures: list[str] = []
    for lim in KNOWN_LIMITATIONS:
        log(f"emulator limitation ({lim.step}): {lim.statement}: {lim.limitation}")
    duckdb_build = python_check = None
    try:
        if duckdb_path and duckdb_manifest and duckdb_path.exists() and duckdb_manifest.exists():
            log(f"reusing the DuckDB build {duckdb_path} ({duckdb_manifest})")
            if not skip_python:
                python_check = start_python_models_check(duckdb_path, duckdb_manifest)
        else:
            duckdb_build, duckdb_path, duckdb_manifest = start_duckdb_build()
        port = free_port()
        with running_emulator(port=port):
            env = dbt_env(port=port)
            if not run("emulator seed", dbt_args("seed", "bq_emulator", "bq"), env, failures):
                raise StepFailed("emulator seed")
            # `dbt build` would re-seed: dbt-bigquery drops a seed table before loading it, so
            # the source tests (which depend on the source, not the seed) could find it gone.
            exclude = ["resource_type:seed", *excluded("build")]
            build = dbt_args("build", "bq_emulator", "bq", "--exclude", *exclude)
            run("emulator build", build, env, failures)
            manifest = WORK / "target-bq" / "manifest.json"
            incremental, left_out = incremental_models(manifest)
            for name in left_out:
                log(f"incremental run: {name} left out (dynamic insert_overwrite, see limitations)")
            if incremental:
                command = dbt_args("run", "bq_emulator", "bq-incremental", "--select", *incremental)
                run("emulator incremental run", command, env, failures)
            # the incremental models and the views they read, compiled in their incremental
            # form (the tables exist now): every window filter on a source must be a literal
            # range on its load-time column, so that BigQuery prunes (energy_dw.bigquery.pruning)
            refresh = ["--select", "+config.materialized:incremental", "--quiet"]
            compile_refresh = dbt_args("compile", "bq_emulator", "bq-refresh", *refresh)
            if run("compile refresh", compile_refresh, env, failures):
                from energy_dw.bigquery import pruning

                log("pruning: the refresh's filters on sources are literal load-time ranges")
                refresh_manifest = WORK / "target-bq-refresh" / "manifest.json"
                if pruning.main(["--manifest", str(refresh_manifest)]) != 0:
                    failures.append("pruning")
            analyses = ["--select", "resource_type:analysis", "--quiet"]
            compile_analyses = dbt_args("compile", "bq_emulator", "bq-analyses", *analyses)
            run("compile analyses", compile_analyses, env, failures)
            from energy_dw.bigquery import compare, strictness

            log("strictness: every compiled model, test and analysis against BigQuery's dialect")
            analyses_manifest = WORK / "target-bq-analyses" / "manifest.json"
            incremental_manifest = WORK / "target-bq-incremental" / "manifest.json"
            if not incremental:
                incremental_manifest.unlink(missing_ok=True)  # a stale one from an earlier check
            strict = []
            for path in (manifest, analyses_manifest, incremental_manifest):
                strict += ["--manifest", str(path)] if path.exists() else []
            if strictness.main(strict) != 0:
                failures.append("strictness")
            if duckdb_build is not None:
                log("waiting for the DuckDB build")
                if duckdb_build.wait() != 0:
                    print((WORK / "duckdb-build.log").read_text()[-5000:])
                    failures.append("DuckDB build")
                if not skip_python:
                    python_check = start_python_models_check(duckdb_path, duckdb_manifest)
            log("same numbers: every model on the emulator against DuckDB")
            compare_args = [
                "--endpoint", f"http://127.0.0.1:{port}", "--project", PROJECT_ID,
                "--bq-manifest", str(manifest),
                "--duckdb-manifest", str(duckdb_manifest),
                "--duckdb", str(duckdb_path),
            ]  # fmt: skip
            if compare.main(compare_args) != 0:
                failures.append("compare")
        if python_check is not None:
            log("waiting for the Python models on PySpark")
            code = python_check.wait()
            print((WORK / "python-models.log").read_text()[-6000:], flush=True)
            if code != 0:
                failures.append("Python models on PySpark")
    except StepFailed as failed:
        if str(failed) not in failures:
            failures.append(str(failed))
    finally:
        _end(duckdb_build)
        _end(python_check)
    elapsed = time.monotonic() - started
    if failures:
        log(f"FAILED: {', '.join(failures)} ({elapsed:.0f} s)")
        return 1
    log(f"passed in {elapsed:.0f} s")
    return 0


def serve(port: int) -> int:
    signal.signal(signal.SIGTERM, _raise_on_signal)
    with running_emulator(port=port or free_port()) as endpoint:
        port_number = endpoint.rsplit(":", 1)[1]
        log(f"export BQ_EMULATOR_PORT={port_number}; dbt build --target bq_emulator ...")
        log("Ctrl-C stops it")
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The BigQuery emulator and the BigQuery check")
    sub = parser.add_subparsers(dest="command", required=True)
    check_parser = sub.add_parser("check", help="the whole BigQuery check (make check-bigquery)")
    check_parser.add_argument("--skip-python", action="store_true", help="no PySpark step")
    check_parser.add_argument("--duckdb", type=Path, help="reuse this DuckDB build (ci.duckdb)")
    check_parser.add_argument("--duckdb-manifest", type=Path, help="its manifest.json")
    check_parser.add_argument(
        "--work", type=Path, help="where the check writes (default target/bigquery)"
    )
    serve_parser = sub.add_parser("serve", help="start the emulator and wait")
    serve_parser.add_argument("--port", type=int, default=0)
    sub.add_parser("install", help="create .venv-bqemulator and the offline extensions")
    args = parser.parse_args(argv)
    if args.command == "check":
        if args.work:  # make test keeps everything it writes under target/ci/
            global WORK  # one module-wide setting, read by every step
            WORK = args.work.absolute()
        return check(args.duckdb, args.duckdb_manifest, skip_python=args.skip_python)
    if args.command == "serve":
        return serve(args.port)
    install()
    return 0


if __name__ == "__main__":
    sys.exit(main())
