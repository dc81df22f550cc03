"""A database file that agentlog cannot use is one clear line and a non-zero exit, and stays
as it was: not SQLite, truncated, damaged, read-only, written by a newer agentlog. A database
whose directory does not exist yet is created by a writing command, owner-only."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys

import pytest
from outcomes import fingerprint, no_crash, one_line_error

from agentlog.store.sqlite import db, migrations

AGENTS = """
    agents:
      a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}
"""
READERS = [("list",), ("list", "--search", "ok"), ("show", "last"), ("budgets",), ("breakers",)]
WRITERS = [("run", "a"), ("run", "a", "--input", "rows.jsonl")]
COMMANDS = READERS + WRITERS


@pytest.fixture
def agents(write_agents, tmp_path):
    write_agents(AGENTS)
    (tmp_path / "rows.jsonl").write_text('{}\n{}\n')


@pytest.fixture
def full_log(cli, agents, db_path):
    """A log of 60 executions, several pages long, closed."""
    (db_path.parent / "sixty.jsonl").write_text("{}\n" * 60)
    assert cli("run", "a", "--input", "sixty.jsonl", "-o", os.devnull).exit_code == 0
    return db_path


def refused_by_every_command(cli, path, expected: str) -> None:
    before = fingerprint(path)
    for command in COMMANDS:
        result = cli(*command, "--db", str(path))
        one_line_error(result, code=1)
        assert expected in result.stderr, (command, result.stderr)
    assert fingerprint(path) == before


def test_a_file_that_is_not_sqlite_is_refused(cli, agents, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("meeting notes, not a database\n" * 200)
    refused_by_every_command(cli, notes, "is not an agentlog database (not an SQLite file)")


@pytest.mark.parametrize("keep", [100, 4096, 0.5])
def test_a_truncated_database_is_refused(cli, full_log, keep):
    size = full_log.stat().st_size
    with open(full_log, "r+b") as f:
        f.truncate(int(size * keep) if isinstance(keep, float) else keep)
    refused_by_every_command(cli, full_log, "is damaged")


def test_a_database_with_overwritten_pages_never_crashes(cli, full_log):
    """Damage inside the file shows up only when a command reads the page: each command
    answers or refuses in one line; reading changes nothing."""
    size = full_log.stat().st_size
    with open(full_log, "r+b") as f:
        for offset in range(4096, size, size // 4):
            f.seek(offset)
            f.write(b"\xab" * 2048)
    before = fingerprint(full_log)
    for command in COMMANDS:
        if command == WRITERS[0]:
            assert fingerprint(full_log) == before
        result = cli(*command, "--db", str(full_log))
        no_crash(result)
        if "--input" in command:  # a batch reports its rows, then why it stopped
            assert result.exit_code == 1
            last = result.stderr.splitlines()[-1]  # which damaged page is read first varies
            assert last.startswith("agentlog: error: ") and (
                "cannot write" in last or "is damaged" in last), last
        elif result.exit_code != 0:
            one_line_error(result, code=1)


def test_a_database_from_a_newer_agentlog_is_refused_naming_both_versions(cli, agents, db_path):
    conn = db.connect(db_path)
    conn.execute("INSERT INTO _migrations VALUES ('m999_future', 'x', '9.9.9')")
    conn.execute(f"PRAGMA user_version={migrations.SCHEMA_VERSION + 1}")
    conn.close()
    refused_by_every_command(cli, db_path, f"written by agentlog 9.9.9 (schema "
                                           f"{migrations.SCHEMA_VERSION + 1}); this is agentlog")


def test_missing_directories_are_created_and_the_database_is_owner_only(cli, agents, tmp_path):
    path = tmp_path / "new" / "deeper" / "log.db"
    assert cli("run", "a", "--db", str(path)).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cli("list", "--db", str(tmp_path / "other" / "log.db")).exit_code == 2
    assert not (tmp_path / "other").exists()  # reading commands create nothing


def test_a_database_under_a_file_is_one_line(cli, agents, tmp_path):
    (tmp_path / "plain.txt").write_text("x")
    result = cli("run", "a", "--db", str(tmp_path / "plain.txt" / "log.db"))
    one_line_error(result, code=1)
    assert "plain.txt is not a directory" in result.stderr


# Root writes through file modes (CAP_DAC_OVERRIDE). To see a read-only file as a user does,
# the child process drops that capability before agentlog starts.
AS_A_USER = """
import ctypes, os, sys
if os.geteuid() == 0:
    libc = ctypes.CDLL(None, use_errno=True)
    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]
    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]
    header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
    if libc.capget(ctypes.byref(header), data) != 0:
        sys.exit(77)
    data[0].effective &= ~0b110  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
    data[0].permitted &= ~0b110
    if libc.capset(ctypes.byref(header), data) != 0:
        sys.exit(77)
try:
    open(os.environ["AGENTLOG_DB"], "ab")
    sys.exit(77)  # still writable: this system cannot show a read-only file
except PermissionError:
    pass
from agentlog.cli.app import main
sys.argv[0] = "agentlog"
main()
"""


def as_a_user(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-c", AS_A_USER, *args], capture_output=True,
                          text=True, timeout=60, env=os.environ)
    if done.returncode == 77:
        pytest.skip("cannot make a file read-only for this process (e.g. not Linux)")
    return done


def test_a_read_only_database_is_read_and_refuses_writes_in_one_line(full_log):
    full_log.chmod(0o400)
    before = hashlib.sha256(full_log.read_bytes()).digest()
    listed = as_a_user("list", "--json", "--all")
    assert listed.returncode == 0, listed.stderr
    assert len(json.loads(listed.stdout)) == 60
    for command in (["run", "a"], ["run", "a", "--input", "rows.jsonl"], ["breakers", "reset"]):
        done = as_a_user(*command)
        assert done.returncode == 1, done.stderr
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith("agentlog: error: ") and "readonly" in done.stderr
    assert hashlib.sha256(full_log.read_bytes()).digest() == before
