"""The secret scan passes on the repository and catches secrets planted in a temporary git
repository (tracked or untracked-not-ignored; ignored files are not scanned). The planted values
are assembled at run time so this file holds no secret-shaped literal itself."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from conftest import ROOT

from energy_dw import secret_scan

BEGIN = "-----BEGIN " + "RSA PRIVATE KEY-----"
END = "-----END " + "RSA PRIVATE KEY-----"


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_the_repository_holds_no_secret():
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    findings, scanned = secret_scan.scan(ROOT)
    assert scanned > 50
    assert findings == [], "\n".join(map(str, findings))


@pytest.fixture
def planted(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (repo / ".gitignore").write_text("ignored/\n")
    (repo / "ignored").mkdir()
    (repo / "ignored" / "key.txt").write_text(BEGIN + "\nMIIEow\n" + END + "\n")
    (repo / "deploy_key.txt").write_text("notes\n" + BEGIN + "\nMIIEowIBAAKCAQEA\n" + END + "\n")
    service_account = {
        "type": "service_" + "account",
        "project_id": "p",
        "private_key_id": "0123456789abcdef" * 3,
        "private_key": "see deploy_key",
    }
    (repo / "sa.json").write_text(json.dumps(service_account, indent=2))
    (repo / "profiles.yml").write_text(
        "p:\n  outputs:\n    prod:\n      type: postgres\n"
        "      password: " + "hunter2" + "-prod\n"
        "      user: \"{{ env_var('DBT_USER') }}\"\n"
        "      token: \"{{ env_var('DBT_TOKEN') }}\"\n"
        "      keyfile: \"{{ env_var('DBT_BQ_KEYFILE', '') }}\"\n"
    )
    (repo / "settings.py").write_text("GITHUB = '" + "ghp_" + "a1B2c3D4" * 5 + "'\n")
    (repo / "clean.yml").write_text("token: dummy-token-for-the-local-emulator\nid-token: write\n")
    subprocess.run(["git", "add", "profiles.yml", "sa.json"], cwd=repo, check=True)
    return repo


def test_planted_secrets_are_caught(planted):
    findings, _ = secret_scan.scan(planted)
    found = {(f.path, f.rule) for f in findings}
    assert ("deploy_key.txt", "private key") in found  # untracked, not ignored
    assert ("sa.json", "GCP service-account key") in found
    assert ("sa.json", "GCP private key id") in found
    assert ("profiles.yml", "literal secret in `password`") in found
    assert ("settings.py", "GitHub token") in found
    assert not any(f.path.startswith("ignored/") for f in findings)
    assert not any(f.path == "clean.yml" for f in findings)
    assert not any(
        "env_var" in f.rule or f.line in (6, 7, 8) for f in findings if f.path == "profiles.yml"
    )
    assert secret_scan.main([str(planted)]) == 1


def test_an_allowed_line_is_not_reported(planted):
    (planted / "profiles.yml").write_text("password: local-only-pw  # secret-scan: allow (demo)\n")
    findings, _ = secret_scan.scan(planted)
    assert not any(f.path == "profiles.yml" for f in findings)
