"""No output file is the log: `export -o`, batch `-o` and `db copy` refuse a path that is the
log or one of its -wal/-shm/-journal files, however it is spelled, before anything is opened.
Every file and directory agentlog creates is owner-only, whatever the umask."""

from __future__ import annotations

import json
import os
import stat

import pytest
from outcomes import fingerprint, one_line_error

AGENTS = """
    agents:
      a: {model: gpt-4o-mini, prompt: hi, mock_response: ok}
"""


@pytest.fixture
def logged(cli, write_agents, tmp_path, db_path):
    write_agents(AGENTS)
    (tmp_path / "rows.jsonl").write_text('{}\n{}\n')
    assert cli("run", "a").exit_code == 0
    return db_path


def _spellings(log, tmp_path):
    """The log under other names: relative, through a symlink, a hard link, its -wal."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.db").symlink_to(log)
    os.link(log, tmp_path / "hard.db")
    return [str(log), "log.db", "./sub/../log.db", str(tmp_path / "link.db"),
            str(tmp_path / "hard.db"), f"{log}-wal", "log.db-shm", "log.db-journal"]


@pytest.mark.parametrize("command", [("export", "csv"), ("export", "jsonl", "--failed"),
                                     ("run", "a", "--input", "rows.jsonl")])
def test_an_output_that_is_the_log_is_refused_and_the_log_kept(cli, logged, tmp_path, command):
    for spelling in _spellings(logged, tmp_path):
        before = fingerprint(logged)
        result = cli(*command, "-o", spelling)
        one_line_error(result, code=2)
        assert "is the log" in result.stderr, (spelling, result.stderr)
        assert fingerprint(logged) == before, spelling
    listed = cli("list", "--json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 1


def test_db_copy_into_the_same_file_under_another_name_is_refused(cli, logged, tmp_path):
    for spelling in _spellings(logged, tmp_path):
        before = fingerprint(logged)
        result = cli("db", "copy", str(logged), spelling)
        one_line_error(result, code=2)
        assert fingerprint(logged) == before, spelling


@pytest.fixture
def umask_000():
    previous = os.umask(0)
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_everything_agentlog_creates_is_owner_only_under_umask_000(cli, write_agents,
                                                                   tmp_path, umask_000):
    write_agents(AGENTS)
    (tmp_path / "rows.jsonl").write_text('{}\n{}\n')
    target = tmp_path / "new" / "deeper" / "log.db"
    (tmp_path / "link.db").symlink_to(target)  # dangling: the log is created through it
    os.mkdir(tmp_path / "new", 0o777)
    os.chmod(tmp_path / "new", 0o777)
    assert cli("run", "a", "--db", str(tmp_path / "link.db")).exit_code == 0
    assert _mode(target) == 0o600
    assert _mode(tmp_path / "new" / "deeper") == 0o700  # created by agentlog
    assert cli("run", "a", "--db", str(tmp_path / "fresh" / "a" / "log.db")).exit_code == 0
    assert _mode(tmp_path / "fresh") == _mode(tmp_path / "fresh" / "a") == 0o700
    assert cli("run", "a", "--input", "rows.jsonl", "-o", "results.jsonl",
               "--db", str(target)).exit_code == 0
    assert _mode(tmp_path / "results.jsonl") == 0o600
    assert cli("export", "csv", "-o", "out.csv", "--db", str(target)).exit_code == 0
    assert _mode(tmp_path / "out.csv") == 0o600
    assert cli("init", "-c", str(tmp_path / "mine.yaml")).exit_code == 0
    assert _mode(tmp_path / "mine.yaml") == 0o600
    from agentlog import store

    log = store.open(target)  # the -wal and -shm exist while a writer has the log open
    try:
        log.preflight()
        for suffix in ("-wal", "-shm"):
            assert _mode(f"{target}{suffix}") == 0o600, suffix
    finally:
        log.close()


@pytest.mark.parametrize("command", [("export", "jsonl"), ("run", "a", "--input", "rows.jsonl")])
def test_an_output_that_is_no_regular_file_is_written_not_replaced(cli, logged, tmp_path,
                                                                    command):
    """`-o /dev/null` must not turn /dev/null into a file: shown here with a FIFO (safe to
    break in a test), which is written through and stays a FIFO; a symlink stays a link to
    the file it names, which gets the output."""
    import threading

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = cli(*command, "-o", str(fifo))
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert got and json.loads(got[0].splitlines()[0])
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    (tmp_path / "out-link").symlink_to(target)
    assert cli(*command, "-o", str(tmp_path / "out-link")).exit_code == 0
    assert (tmp_path / "out-link").is_symlink() and target.read_text() != "old\n"
