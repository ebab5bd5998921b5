"""Mutation testing of the SQL models (docs/mutation.md).

A fixed catalogue of mutation operators is applied to each model's Jinja SQL. Every Jinja span is
masked first by a same-length stand-in (`{{ ... }}` by an identifier, `{% ... %}`/`{# #}` by
blanks, and the body of `{% if %}`/`{% for %}` blocks by blanks), so offsets in the masked text
are offsets in the file. Sites are found on sqlglot's tokens of the masked text, each mutant is a
minimal text edit of the original file (Jinja, comments and layout stay as they were), and a
mutant is kept only if the masked, mutated SQL still parses with sqlglot and gives a different
syntax tree (no-op edits and syntax errors never reach dbt).

The runner builds the seeded warehouse once, then per mutant: restores a copy of that DuckDB
file, writes the mutant into a scratch root of the project (every file a symlink but the mutated
model) and runs `dbt build --select <model>+` (dbtRunner, in a forked child process: dbt-duckdb
keeps the database open in the process after an invocation, so a copy made under it would not be
what the next build reads; partial parsing keeps the per-mutant parse short). A mutant is killed
when a model, unit test or data test of that selection errors or fails.

Usage: python -m energy_dw.mutation [--folders models/marts/operations ...] [--per-model 12]
       [--seed 16] [--base FILE] [--work DIR] [--list]
"""

from __future__ import annotations

import argparse
import difflib
import json
import multiprocessing
import os
import random
import re
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import sqlglot
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import Tokenizer, TokenType

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDERS = (
    "models/intermediate/portfolio",
    "models/intermediate/usage",
    "models/intermediate/billing",
    "models/intermediate/operations",
    "models/marts/portfolio",
    "models/marts/usage",
    "models/marts/operations",
    "models/marts/metering",
)
DEFAULT_SEED = 16
DEFAULT_PER_MODEL = 12

# a Jinja span; a quoted string inside it is taken whole, so a `}}` in a hook's SQL string
# (`post_hook="delete from {{ this }} ..."`) does not end the span
_QUOTED = r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'"
_JINJA = re.compile(
    rf"\{{\{{(?:{_QUOTED}|.)*?\}}\}}|\{{%-?\s*(\w+)(?:{_QUOTED}|.)*?%\}}|\{{#.*?#\}}", re.S
)
_OFFSET_CALL = re.compile(r"\{\{-?\s*(?:add_days|dbt\.dateadd)\((.*?)\)\s*-?\}\}", re.S)
_BLOCK_OPEN = {"if", "for"}
_BLOCK_CLOSE = {"endif", "endfor"}
_CLAUSE_END = {
    TokenType.GROUP_BY,
    TokenType.ORDER_BY,
    TokenType.HAVING,
    TokenType.QUALIFY,
    TokenType.WINDOW,
    TokenType.LIMIT,
    TokenType.UNION,
    TokenType.EXCEPT,
    TokenType.INTERSECT,
    TokenType.JOIN,
    TokenType.LEFT,
    TokenType.INNER,
    TokenType.CROSS,
    TokenType.FULL,
    TokenType.RIGHT,
    TokenType.WHERE,
    TokenType.COMMA,
    TokenType.SEMICOLON,
    TokenType.SELECT,
}
_COMPARISON = {TokenType.LT: "<=", TokenType.LTE: "<", TokenType.GT: ">=", TokenType.GTE: ">"}
OPERATORS = (
    "comparison",
    "and_or",
    "window_order",
    "min_max",
    "distinct",
    "drop_predicate",
    "coalesce_default",
    "join_type",
    "integer",
    "day_offset",
)


@dataclass(frozen=True)
class Mutant:
    operator: str
    start: int  # [start, end) of the original text replaced by `replacement`
    end: int
    replacement: str

    def apply(self, text: str) -> str:
        return text[: self.start] + self.replacement + text[self.end :]

    def line(self, text: str) -> int:
        return text.count("\n", 0, self.start) + 1

    def diff(self, text: str, name: str = "model.sql") -> str:
        lines = difflib.unified_diff(
            text.splitlines(keepends=True),
            self.apply(text).splitlines(keepends=True),
            f"a/{name}",
            f"b/{name}",
            n=1,
        )
        return "".join(lines)

    @property
    def key(self) -> str:
        return f"{self.operator}@{self.start}-{self.end}:{self.replacement!r}"


def mask(text: str) -> str:
    """Same-length SQL stand-in of a Jinja model (see the module docstring)."""
    out = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if out[i] != "\n":
                out[i] = " "

    depth, block_start = 0, 0
    for match in _JINJA.finditer(text):
        start, end = match.span()
        token = match.group(0)
        keyword = match.group(1)
        if token.startswith("{{") and not re.match(r"\{\{-?\s*config\(", token):
            width = end - start
            out[start:end] = list("j" + "_" * (width - 1))
        else:
            blank(start, end)
        if keyword in _BLOCK_OPEN:
            if depth == 0:
                block_start = start
            depth += 1
        elif keyword in _BLOCK_CLOSE and depth:
            depth -= 1
            if depth == 0:
                blank(block_start, end)
    return "".join(out)


def _tokens(sql: str) -> list:
    return list(Tokenizer().tokenize(sql))


def _parse(sql: str):
    try:
        return sqlglot.parse(sql, read="duckdb")
    except (ParseError, TokenError, ValueError):
        return None


def _closing(tokens: list, i: int) -> int:
    """Index of the R_PAREN matching the L_PAREN at i."""
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j].token_type == TokenType.L_PAREN:
            depth += 1
        elif tokens[j].token_type == TokenType.R_PAREN:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _clause_spans(tokens: list, kinds: set) -> list[tuple[int, int]]:
    """(first, last) token index of every WHERE/ON/HAVING/QUALIFY condition in `kinds`."""
    spans = []
    for i, tok in enumerate(tokens):
        if tok.token_type not in kinds:
            continue
        depth, j = 0, i + 1
        while j < len(tokens):
            tt = tokens[j].token_type
            if tt == TokenType.L_PAREN:
                depth += 1
            elif tt == TokenType.R_PAREN:
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and tt in _CLAUSE_END:
                break
            j += 1
        if j > i + 1:
            spans.append((i + 1, j - 1))
    return spans


def _conjuncts(tokens: list, first: int, last: int, op: TokenType) -> list[tuple[int, int]]:
    """Top-level operands of `op` (AND or OR) between tokens first..last (BETWEEN's AND kept)."""
    parts, depth, start, between = [], 0, first, 0
    for j in range(first, last + 1):
        tt = tokens[j].token_type
        if tt == TokenType.L_PAREN:
            depth += 1
        elif tt == TokenType.R_PAREN:
            depth -= 1
        elif depth == 0 and tt == TokenType.BETWEEN:
            between += 1
        elif depth == 0 and tt == op:
            if op == TokenType.AND and between:
                between -= 1
                continue
            parts.append((start, j - 1))
            start = j + 1
    parts.append((start, last))
    return parts


def _candidates(text: str, masked: str) -> list[Mutant]:
    tokens = _tokens(masked)
    found: list[Mutant] = []

    def edit(op: str, tok_a, tok_b, replacement: str) -> None:
        found.append(Mutant(op, tok_a.start, tok_b.end + 1, replacement))

    # comparison, min/max, distinct, integer, join type
    for i, tok in enumerate(tokens):
        tt, low = tok.token_type, tok.text.lower()
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        prev = tokens[i - 1] if i else None
        if tt in _COMPARISON:
            edit("comparison", tok, tok, _COMPARISON[tt])
        elif low in ("min", "max") and nxt is not None and nxt.token_type == TokenType.L_PAREN:
            edit("min_max", tok, tok, "max" if low == "min" else "min")
        elif tt == TokenType.DISTINCT:
            end = nxt.start if nxt is not None else tok.end + 1
            found.append(Mutant("distinct", tok.start, end, ""))
        elif tt == TokenType.NUMBER and re.fullmatch(r"\d+", tok.text):
            edit("integer", tok, tok, str(int(tok.text) + 1))
        elif (
            tt == TokenType.LEFT
            and nxt is not None
            and nxt.token_type
            in (
                TokenType.JOIN,
                TokenType.OUTER,
            )
        ):
            edit("join_type", tok, tok, "inner")
        elif tt == TokenType.INNER and nxt is not None and nxt.token_type == TokenType.JOIN:
            edit("join_type", tok, tok, "left")
        elif (
            tt == TokenType.JOIN
            and prev is not None
            and prev.token_type
            not in (
                TokenType.LEFT,
                TokenType.INNER,
                TokenType.OUTER,
                TokenType.CROSS,
                TokenType.FULL,
                TokenType.RIGHT,
            )
        ):
            edit("join_type", tok, tok, "left join")

    # window orders: asc <-> desc, an order key without direction gets `desc`
    for i, tok in enumerate(tokens):
        if tok.token_type != TokenType.OVER or i + 1 >= len(tokens):
            continue
        if tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        close = _closing(tokens, i + 1)
        order = next(
            (j for j in range(i + 2, close) if tokens[j].token_type == TokenType.ORDER_BY), None
        )
        if order is None:
            continue
        depth, item_last = 0, None
        for j in range(order + 1, close + 1):
            tt = tokens[j].token_type
            if tt == TokenType.L_PAREN:
                depth += 1
            elif tt == TokenType.R_PAREN and j < close:
                depth -= 1
            if depth:
                item_last = j
                continue
            if tt in (TokenType.ASC, TokenType.DESC):
                edit("window_order", tokens[j], tokens[j], "desc" if tt == TokenType.ASC else "asc")
                item_last = None
            elif tt in (TokenType.COMMA, TokenType.ROWS, TokenType.RANGE) or j == close:
                if item_last is not None:
                    pos = tokens[item_last].end + 1
                    found.append(Mutant("window_order", pos, pos, " desc"))
                item_last = None
                if tt != TokenType.COMMA:
                    break
            elif tokens[j].text.lower() in ("nulls", "first", "last"):
                continue
            else:
                item_last = j

    # and/or in joins and filters; one predicate of a where/join condition dropped
    filters = {TokenType.WHERE, TokenType.ON, TokenType.HAVING, TokenType.QUALIFY}
    for first, last in _clause_spans(tokens, filters):
        depth, between = 0, 0
        for j in range(first, last + 1):
            tt = tokens[j].token_type
            if tt == TokenType.BETWEEN:
                between += 1
            elif tt == TokenType.AND and between:
                between -= 1
            elif tt == TokenType.AND:
                edit("and_or", tokens[j], tokens[j], "or")
            elif tt == TokenType.OR:
                edit("and_or", tokens[j], tokens[j], "and")
        for a, b in _conjuncts(tokens, first, last, TokenType.AND):
            if a <= b:
                edit("drop_predicate", tokens[a], tokens[b], "true")

    # coalesce default dropped: coalesce(a, ..., d) -> coalesce(a, ...), or (a) with two args
    for i, tok in enumerate(tokens):
        if tok.text.lower() != "coalesce" or i + 1 >= len(tokens):
            continue
        if tokens[i + 1].token_type != TokenType.L_PAREN:
            continue
        close = _closing(tokens, i + 1)
        args = _conjuncts(tokens, i + 2, close - 1, TokenType.COMMA)
        if len(args) < 2:
            continue
        kept = text[tokens[args[0][0]].start : tokens[args[-2][1]].end + 1]
        replacement = f"coalesce({kept})" if len(args) > 2 else f"({kept})"
        edit("coalesce_default", tok, tokens[close], replacement)

    # day offsets inside the project's date macros: the integer argument moved by one
    for match in _OFFSET_CALL.finditer(text):
        if masked[match.start()] == " ":  # inside a blanked {% if %} block
            continue
        args_start = match.start(1)
        for num in re.finditer(r"(?<![\w.'])-?\d+(?![\w.])", match.group(1)):
            value = int(num.group(0))
            start = args_start + num.start()
            found.append(Mutant("day_offset", start, start + len(num.group(0)), str(value + 1)))
    return found


def mutants(text: str) -> list[Mutant]:
    """Every valid mutant of a Jinja SQL model, in file order."""
    masked = mask(text)
    original = _parse(masked)
    seen, kept = set(), []
    for mutant in sorted(_candidates(text, masked), key=lambda m: (m.start, m.key)):
        if mutant.key in seen:
            continue
        seen.add(mutant.key)
        if mutant.operator != "day_offset" and original is not None:
            tree = _parse(mutant.apply(masked))
            if tree is None or tree == original:
                continue
        kept.append(mutant)
    return kept


def sample(found: list[Mutant], per_model: int, seed: int, model: str) -> list[Mutant]:
    """A fixed sample of at most `per_model` mutants (seeded by the seed and the model name)."""
    if len(found) <= per_model:
        return list(found)
    rng = random.Random(f"{seed}:{model}")
    return sorted(rng.sample(found, per_model), key=lambda m: (m.start, m.key))


# --- runner -----------------------------------------------------------------------------------


def scratch_root(dest: Path, root: Path = ROOT) -> Path:
    """A scratch root whose every file is a symlink into `root` (models/ file by file)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for entry in sorted(root.iterdir()):
        if entry.name in {".git", "target", "logs", "models", ".venv"} or ".duckdb" in entry.name:
            continue
        (dest / entry.name).symlink_to(entry)
    for path in sorted((root / "models").rglob("*")):
        rel = dest / path.relative_to(root)
        if path.is_dir():
            rel.mkdir(parents=True, exist_ok=True)
        else:
            rel.parent.mkdir(parents=True, exist_ok=True)
            rel.symlink_to(path)
    (dest / "target").mkdir()
    return dest


def _invoke(args: list[str]) -> tuple[bool, list[str]]:
    """One dbt invocation: (succeeded, the nodes that errored or failed)."""
    from dbt.cli.main import dbtRunner

    res = dbtRunner().invoke(args)
    failing = []
    if res.result is not None:
        for r in res.result:
            if str(r.status).lower() in ("error", "fail", "runtime error"):
                failing.append(r.node.name)
    return bool(res.success), failing


def _in_child(args: list[str]) -> tuple[bool, list[str]]:
    """_invoke in a forked child process. dbt-duckdb leaves the DuckDB database open in the
    process after an invocation (its WAL not checkpointed): in one process, a base built there
    would be copied without its WAL, and the next copy of the base over the open work file would
    not be what the next build reads (it would see the previous mutant's tables). The child's
    exit closes the database."""
    return _forked(_invoke, args)


def _forked(function, *args):
    """function(*args) in a forked child process; its result."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(function, args)


class Runner:
    def __init__(self, work: Path, base: Path, root: Path = ROOT):
        import dbt.cli.main  # noqa: F401  (imported once: the forked children inherit it)

        self.root, self.work, self.base = root, work, base
        self.project = scratch_root(work / "project", root)
        self.db = work / "work.duckdb"
        os.environ["DBT_DUCKDB_PATH"] = str(self.db)
        os.environ["DBT_PROFILES_DIR"] = str(root)
        os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

    def build(self, model: str, downstream: bool = True) -> tuple[bool, list[str]]:
        """dbt build of model+ (or the model alone) on a fresh copy of the base file:
        (passed, failing nodes)."""
        if Path(f"{self.base}.wal").exists():
            # a copy without the WAL would miss the base's last writes
            raise RuntimeError(f"{self.base}.wal exists: the base file is open elsewhere")
        # a previous build's WAL must not be replayed onto the fresh copy
        Path(f"{self.db}.wal").unlink(missing_ok=True)
        shutil.copyfile(self.base, self.db)
        args = [
            "build",
            "--select",
            f"{model}+" if downstream else model,
            "--target",
            "ci",
            "--project-dir",
            str(self.project),
            "--target-path",
            str(self.project / "target"),
            "--log-path",
            str(self.work / "logs"),
            "--quiet",
            "--no-write-json",
        ]
        succeeded, failing = _in_child(args)
        return succeeded and not failing, failing

    def run_mutant(
        self, path: Path, text: str, mutant: Mutant, downstream: bool = True
    ) -> tuple[bool, list[str]]:
        target = self.project / path.relative_to(self.root)
        target.unlink()
        target.write_text(mutant.apply(text))
        try:
            passed, failing = self.build(path.stem, downstream)
        finally:
            target.unlink()
            target.symlink_to(path)
        return not passed, failing


def build_base(base: Path, work: Path, root: Path = ROOT) -> None:
    """Seed and build the warehouse once (ci target, full refresh) into `base` (in a child
    process, so that the file is closed and complete when it is copied)."""
    os.environ["DBT_DUCKDB_PATH"] = str(base)
    os.environ["DBT_PROFILES_DIR"] = str(root)
    common = ["--target", "ci", "--full-refresh", "--project-dir", str(root)]
    common += ["--target-path", str(work / "base_target"), "--log-path", str(work / "logs")]
    for command in ("seed", "build"):
        succeeded, _ = _in_child([command, *common, "--quiet"])
        if not succeeded:
            raise SystemExit(f"the base build failed (dbt {command})")
    # the pool's worker is terminated without closing dbt-duckdb's database: its last writes are
    # still in the WAL. Open the file once more, alone, and close it: DuckDB checkpoints on close.
    _forked(_checkpoint, str(base))


def _checkpoint(path: str) -> None:
    """Merge a DuckDB file's WAL into it (run in a child: no instance of it stays open here)."""
    import duckdb

    con = duckdb.connect(path)
    con.execute("checkpoint")
    con.close()


def model_files(folders: list[str], root: Path = ROOT) -> list[Path]:
    return sorted(p for folder in folders for p in (root / folder).glob("*.sql"))


def report(results: list[dict], seconds: float, args) -> str:
    lines = [
        "# Mutation testing report",
        "",
        f"seed {args.seed}, at most {args.per_model} mutants per model, "
        f"{len(results)} mutants run in {seconds:.0f} s "
        f"({seconds / max(len(results), 1):.1f} s per mutant)",
        "",
        "| model | mutants (all) | run | killed | survived | score |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_model: dict[str, list[dict]] = {}
    totals: dict[str, int] = {}
    for r in results:
        by_model.setdefault(r["model"], []).append(r)
        totals[r["model"]] = r["total"]
    killed_all = 0
    for model, rows in by_model.items():
        killed = sum(r["killed"] for r in rows)
        killed_all += killed
        lines.append(
            f"| {model} | {totals[model]} | {len(rows)} | {killed} | {len(rows) - killed} "
            f"| {100 * killed / len(rows):.0f}% |"
        )
    if results:
        lines.append(
            f"| **all** | | {len(results)} | {killed_all} | {len(results) - killed_all} "
            f"| **{100 * killed_all / len(results):.1f}%** |"
        )
    lines += ["", "## Survivors", ""]
    for r in results:
        if not r["killed"]:
            lines += [f"### {r['model']}: {r['operator']} (line {r['line']})", "", "```diff"]
            lines += [r["diff"].rstrip("\n"), "```", ""]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folders", nargs="+", default=list(DEFAULT_FOLDERS))
    parser.add_argument("--models", nargs="*", help="only these model names")
    parser.add_argument("--per-model", type=int, default=DEFAULT_PER_MODEL)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, default=ROOT / "target" / "mutation")
    parser.add_argument("--base", type=Path, help="a seeded ci build to reuse (else built)")
    parser.add_argument("--list", action="store_true", help="list the sampled mutants only")
    args = parser.parse_args(argv)

    plan = []
    for path in model_files(args.folders):
        if args.models and path.stem not in args.models:
            continue
        text = path.read_text()
        found = mutants(text)
        for m in sample(found, args.per_model, args.seed, path.stem):
            plan.append((path, text, m, len(found)))
    if args.list:
        for path, text, m, _ in plan:
            print(f"{path.stem}:{m.line(text)} {m.operator} -> {m.replacement!r}")
        print(f"{len(plan)} mutants")
        return 0

    args.work.mkdir(parents=True, exist_ok=True)
    base = args.base or args.work / "base.duckdb"
    if args.base is None:
        build_base(base, args.work)
    runner = Runner(args.work, base)
    started, results = time.monotonic(), []
    for n, (path, text, m, total) in enumerate(plan, 1):
        t0 = time.monotonic()
        killed, failing = runner.run_mutant(path, text, m)
        results.append(
            {
                "model": path.stem,
                "total": total,
                "operator": m.operator,
                "line": m.line(text),
                "killed": killed,
                "by": failing[:5],
                "seconds": round(time.monotonic() - t0, 1),
                "diff": m.diff(text, str(path.relative_to(ROOT))),
                "mutant": asdict(m),
            }
        )
        state = "killed" if killed else "SURVIVED"
        print(f"[{n}/{len(plan)}] {path.stem}:{m.line(text)} {m.operator} {state}", flush=True)
        (args.work / "results.json").write_text(json.dumps(results, indent=1))
    seconds = time.monotonic() - started
    (args.work / "report.md").write_text(report(results, seconds, args))
    print(f"report: {args.work / 'report.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
