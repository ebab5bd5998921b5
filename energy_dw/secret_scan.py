"""Secret scan of the repository: fail when a file that git would commit holds a credential.

Files scanned: git-tracked and untracked-but-not-ignored files (`git ls-files --cached --others
--exclude-standard`), text only, up to MAX_BYTES each. Reported:
- private keys (PEM/OpenSSH/PGP blocks) and key files (.pem, .p12, .pfx, .key, id_rsa...);
- GCP service-account JSON (a `type` of service_account, a `private_key_id`);
- tokens with a recognisable shape: Google API keys and OAuth access tokens, GitHub, GitLab,
  Slack, AWS access keys, Stripe, JWTs;
- passwords and secrets written as literals in YAML/INI/.env/profiles files (`password:`,
  `token:`, `client_secret:`, `keyfile_json:` ... with a value that is not an `env_var()`
  lookup, a `{{ }}`/`${ }` template or an obvious placeholder).

A line may be allowed explicitly with a trailing comment `secret-scan: allow` (say why on it).

Usage: python -m energy_dw.secret_scan [ROOT]     exit 1 when something is found
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 5_000_000
ALLOW = "secret-scan: allow"

CONTENT_RULES: dict[str, re.Pattern[str]] = {
    "private key": re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    "GCP service-account key": re.compile(r'"type"\s*:\s*"service_account"'),
    "GCP private key id": re.compile(r'"private_key_id"\s*:\s*"[0-9a-f]{32,}"'),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    "Google OAuth token": re.compile(r"\bya29\.[0-9A-Za-z_\-]{20,}"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})\b"),
    "GitLab token": re.compile(r"\bglpat-[A-Za-z0-9_\-]{20,}\b"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b"),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "Stripe key": re.compile(r"\b[sr]k_live_[0-9A-Za-z]{20,}\b"),
    "JWT": re.compile(r"\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}"),
}

# key: value (YAML), key = value (INI/.env/TOML), "key": "value" (JSON)
ASSIGNMENT = re.compile(
    r"""^\s*["']?(?P<key>[A-Za-z0-9_.\-]*?(?:password|passwd|pwd|secret|token|api_key|apikey"""
    r"""|private_key|client_secret|keyfile_json|refresh_token|access_key|auth))["']?\s*[:=]\s*"""
    r"""(?P<value>.+?)\s*,?\s*$""",
    re.IGNORECASE,
)
CONFIG_SUFFIXES = {
    ".yml",
    ".yaml",
    ".ini",
    ".cfg",
    ".toml",
    ".env",
    ".json",
    ".conf",
    ".properties",
}
KEY_FILES = re.compile(r"(^|/)(id_(rsa|dsa|ecdsa|ed25519)|.*\.(pem|p12|pfx|key|jks|keystore))$")
PLACEHOLDER = re.compile(
    r"env_var\(|\{\{|\$\{|^\$[A-Z_]+$|^<.*>$|^%\(|dummy|example|placeholder|changeme-in-env"
    r"|your[_-]|xxx+|\*{3,}|^none$|^null$|^~$|^''$|^\"\"$|^true$|^false$"
    r"|^(read|write)$",  # GitHub Actions permissions (id-token: write)
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    rule: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}"


def candidate_files(root: Path) -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [root / p for p in sorted(set(out.split("\0"))) if p]


def _is_config(path: Path) -> bool:
    name = path.name.lower()
    return path.suffix.lower() in CONFIG_SUFFIXES or name.startswith(".env") or "profiles" in name


def scan_text(rel: str, text: str, config: bool) -> list[Finding]:
    findings = []
    for number, line in enumerate(text.splitlines(), 1):
        if ALLOW in line:
            continue
        for rule, pattern in CONTENT_RULES.items():
            if pattern.search(line):
                findings.append(Finding(rel, number, rule))
        if config:
            match = ASSIGNMENT.match(line)
            if match:
                value = match.group("value").split(" #", 1)[0].strip().strip("\"'")
                if value and len(value) >= 4 and not PLACEHOLDER.search(value):
                    findings.append(
                        Finding(rel, number, f"literal secret in `{match.group('key')}`")
                    )
    return findings


def scan(root: Path) -> tuple[list[Finding], int]:
    findings: list[Finding] = []
    files = [p for p in candidate_files(root) if p.is_file()]
    for path in files:
        rel = path.relative_to(root).as_posix()
        if KEY_FILES.search(rel):
            findings.append(Finding(rel, 0, "key file committed"))
        if path.stat().st_size > MAX_BYTES:
            continue
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary
        text = data.decode("utf-8", errors="replace")
        findings += scan_text(rel, text, _is_config(path))
    return findings, len(files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", nargs="?", default=".")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    findings, scanned = scan(root)
    for finding in findings:
        print(f"SECRET: {finding}")
    print(f"secret scan: {scanned} files scanned, {len(findings)} finding(s)")
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
