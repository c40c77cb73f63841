"""The command and the toolkit attacked for real (issue 16, items 9-12; issue 17, item 12).

Each test performs the attack: a real /dev/full, a real FIFO, a real folder made by another
user (a forked child that switches to nobody), real processes with hostile names, a real
full file system. Every subprocess runs under a generous time limit: a hang fails the test
instead of stopping the suite.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import port4me
from port4me import NoFreePortError, UsageError
from port4me.lease import release

ROOT = Path(__file__).resolve().parent.parent
COMMAND = str(Path(sys.executable).parent / "port4me")
LIMIT = 120  # seconds: only stops a hang; no test asserts a duration
ANY = {"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any"}
NOBODY = 65534

needs_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root: a forked child becomes another user"
)
linux = pytest.mark.skipif(not Path("/proc/self/comm").exists(), reason="names processes through /proc (Linux)")


def run(*args: str, env: dict[str, str] | None = None, **options) -> subprocess.CompletedProcess:
    environment = {"PATH": os.environ.get("PATH", ""), "PORT4ME_USER": "alice", **(env or {})}
    options.setdefault("stdout", subprocess.PIPE)
    options.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([COMMAND, *args], env=environment, timeout=LIMIT, check=False, **options)


def one_line(stderr: bytes | str) -> str:
    text = stderr.decode() if isinstance(stderr, bytes) else stderr
    assert text.startswith("port4me: ") and text.count("\n") == 1 and text.endswith("\n"), text
    assert "Traceback" not in text
    return text


def as_user(uid: int, action) -> None:
    """Run ``action`` in a forked child that has become ``uid`` (group too); raise if it failed."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 1
        try:
            os.setgid(uid)
            os.setuid(uid)
            action()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, "the other user's action failed"


@pytest.fixture
def shared_tmp():
    """A sticky, world-writable folder like /tmp, where another user can create names."""
    folder = Path(tempfile.mkdtemp(prefix="port4me-attack-", dir="/tmp"))
    folder.chmod(0o1777)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False, timeout=LIMIT)


def private(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True)
    return path


# ---- 16.9: write errors are runtime errors --------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--list=5"], ["--help"], ["--list=65536"], ["--version"], []])
def test_a_full_output_is_one_line_and_exit_1(args):
    with open("/dev/full", "wb") as full:
        result = run(*args, env=ANY, stdout=full)
    assert result.returncode == 1
    assert "No space left on device" in one_line(result.stderr)
    assert "cannot write" in result.stderr.decode() and "cannot check ports" not in result.stderr.decode()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_output_and_full_errors_still_exit_1():
    with open("/dev/full", "wb") as full:
        listed = run("--list=65536", env=ANY, stdout=full, stderr=full)
        bad = run("--list=x", stdout=full, stderr=full)
    assert listed.returncode == 1  # not 120, Python's code for a failed flush at exit
    assert bad.returncode == 2  # the usage error keeps its code when its message cannot be written


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_python_dash_m_has_the_same_write_errors():
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "port4me", "--list=5", "--user=alice"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=LIMIT,
            check=False,
        )
    assert result.returncode == 1
    one_line(result.stderr)


def test_a_closed_reader_is_still_not_an_error():
    """A pipe whose reader went away (| head -1) stays exit 0 with nothing on stderr."""
    with subprocess.Popen(
        [COMMAND, "--list=65536", "--user=alice"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.read(6)
        process.stdout.close()
        assert process.wait(timeout=LIMIT) == 0
        assert process.stderr.read() == b""


# ---- 16.10: --who shows other users' process names escaped -----------------------------------------


HOSTILE_NAMES = {
    "clear-screen": b"\x1b[2J\x1b[H",
    "forged-line": b"x\ntcp 1.2.3.4",
    "title-and-bell": b"\x1b]0;pwn\x07",
    "not-utf8": b"\xff\xfe\x80ok",
    "backslash": b"a\\x1b",
}


@contextlib.contextmanager
def named_holder(name: bytes):
    """A real process named ``name`` that listens on a TCP port of 127.0.0.1; yields (port, pid)."""
    code = (
        "import socket, sys\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)\n"
        f"open('/proc/self/comm', 'wb').write({name!r})\n"
        "print(s.getsockname()[1], flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            port = int(process.stdout.readline())
            yield port, process.pid
        finally:
            process.kill()


@linux
@pytest.mark.parametrize("name", HOSTILE_NAMES.values(), ids=HOSTILE_NAMES.keys())
def test_who_escapes_process_names(name):
    with named_holder(name) as (port, pid):
        result = run(f"--who={port}")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("ascii").splitlines()  # ASCII: not one raw byte of the name
    ours = [line for line in lines if f"pid {pid} " in line]
    assert len(ours) == 1 and len(lines) == 1, lines  # one line per holder: no forged line
    assert not re.search(r"[\x00-\x1f\x7f]", result.stdout.decode("ascii").rstrip("\n"))
    shown = ours[0].split(f"pid {pid} (", 1)[1][:-1]
    assert shown == escaped(name[:15])


def escaped(name: bytes) -> str:
    """What the test expects --who to show: printable ASCII as is, a backslash doubled, the rest \\xNN."""
    out = []
    for byte in name:
        char = chr(byte)
        if char == "\\":
            out.append("\\\\")
        elif 0x20 <= byte < 0x7F:
            out.append(char)
        elif char == "\n":
            out.append("\\n")
        else:
            out.append(f"\\x{byte:02x}")
    return "".join(out)


@linux
def test_who_holds_keeps_the_raw_name_as_data():
    from port4me.who import who_holds

    with named_holder(b"\x1b[2Jname") as (port, pid):
        holders = [h for h in who_holds(port, "tcp") if h.pid == pid]
    assert [h.process for h in holders] == ["\x1b[2Jname"]  # the library gives the name as it is
    assert "\x1b" not in str(holders[0]) and "\\x1b[2Jname" in str(holders[0])  # its text form escapes it


def test_who_says_when_nothing_holds_the_port():
    with socket.socket() as sock:  # a port the kernel just handed out and nobody holds once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(f"--who={port}")
    assert (result.returncode, result.stdout) == (1, b"")
    assert f"port {port}" in one_line(result.stderr)


# ---- 16.11: leases ---------------------------------------------------------------------------------


def lease_env(**values: str) -> dict[str, str]:
    return {"PORT4ME_USER": "alice", **ANY, **values}


@needs_root
def test_a_squatted_default_folder_is_recovered_from(shared_tmp, tmp_path):
    """Another user made $TMPDIR/port4me-<uid> first: leasing still works, in the user's cache folder."""
    squatted = shared_tmp / f"port4me-{os.getuid()}"
    as_user(NOBODY, lambda: squatted.mkdir(mode=0o755))
    assert squatted.stat().st_uid == NOBODY
    home = private(tmp_path / "home")
    env = {"TMPDIR": str(shared_tmp), "HOME": str(home), **ANY}
    first = run("--lease=60", "--prepend=40000,40001", env=env)
    second = run("--lease=60", "--prepend=40000,40001", env=env)
    assert (first.returncode, first.stdout, first.stderr) == (0, b"40000\n", b"")
    assert (second.returncode, second.stdout) == (0, b"40001\n")  # the same fallback: they differ
    assert list(squatted.iterdir()) == []  # nothing written in the other user's folder
    [folder] = (home / ".cache/port4me").iterdir()
    assert folder.name.startswith("leases-") and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert set(json.loads((folder / "leases.json").read_text())) == {"40000", "40001"}


@needs_root
def test_a_squatted_default_folder_without_a_home_says_what_to_do(shared_tmp):
    squatted = shared_tmp / f"port4me-{os.getuid()}"
    as_user(NOBODY, lambda: squatted.mkdir(mode=0o755))
    result = run("--lease=60", env={"TMPDIR": str(shared_tmp), "HOME": "relative/home", **ANY})
    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "belongs to another user" in message and "PORT4ME_LEASE_DIR" in message


@needs_root
def test_a_squatted_default_folder_and_a_missing_home_make_no_home(shared_tmp, tmp_path):
    """Before: as root, HOME=/nonexistent (what the conformance runner gives a call) made /nonexistent."""
    squatted = shared_tmp / f"port4me-{os.getuid()}"
    as_user(NOBODY, lambda: squatted.mkdir(mode=0o755))
    missing = tmp_path / "no-such-home"
    result = run("--lease=60", env={"TMPDIR": str(shared_tmp), "HOME": str(missing), **ANY})
    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "there is no home folder to use instead" in message and "PORT4ME_LEASE_DIR" in message
    assert not missing.exists()


def crash_between_write_and_rename(folder: Path) -> None:
    """A real leasing process that dies (os._exit) after writing its new state, before the rename."""
    code = (
        "import os, port4me\n"
        "os.replace = lambda *a, **k: os._exit(9)\n"
        f"port4me.port4me(user='alice', lease=60, env={{'PORT4ME_LEASE_DIR': {str(folder)!r}, "
        "'_PORT4ME_CHECK_AVAILABLE_PORTS_': 'any'})\n"
    )
    result = subprocess.run([sys.executable, "-c", code], timeout=LIMIT, check=False)
    assert result.returncode == 9


def test_temporary_files_left_by_a_crash_are_removed(tmp_path):
    folder = tmp_path / "leases"
    crash_between_write_and_rename(folder)
    crash_between_write_and_rename(folder)  # removes the first one's file, then leaves its own
    left = [p.name for p in folder.iterdir() if p.name.startswith(".leases.json.")]
    assert len(left) == 1 and re.fullmatch(r"\.leases\.json\.[0-9a-f]{24}", left[0])
    assert port4me.port4me(user="alice", prepend=[40000], lease=60, env=lease_env(PORT4ME_LEASE_DIR=str(folder)))
    assert sorted(p.name for p in folder.iterdir()) == ["leases.json", "lock"]


def test_only_our_temporary_names_are_removed(tmp_path):
    folder = private(tmp_path / "leases")
    keep = [".leases.json.notours", ".leases.json." + "0" * 23, "other", ".leases.json." + "A" * 24]
    for name in keep:
        (folder / name).write_text("x")
    assert release(40000, lease_env(PORT4ME_LEASE_DIR=str(folder))) is False
    assert sorted(p.name for p in folder.iterdir()) == sorted([*keep, "leases.json", "lock"])


def test_a_fifo_named_leases_json_does_not_hang(tmp_path):
    folder = private(tmp_path / "leases")
    os.mkfifo(folder / "leases.json")
    result = run("--lease=60", "--prepend=40000", env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
    assert (result.returncode, result.stdout, result.stderr) == (0, b"40000\n", b"")
    assert (folder / "leases.json").is_file()  # the FIFO was replaced by the lease file
    assert set(json.loads((folder / "leases.json").read_text())) == {"40000"}


def test_a_folder_named_leases_json_is_named_in_the_error(tmp_path):
    folder = private(tmp_path / "leases")
    (folder / "leases.json").mkdir()
    result = run("--lease=60", env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "leases.json" in message and "folder" in message and "cannot check ports" not in message


def test_a_relative_lease_folder_is_refused(tmp_path):
    result = run("--lease=60", env={"PORT4ME_LEASE_DIR": "leases", **ANY}, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, b"")
    message = one_line(result.stderr)
    assert "PORT4ME_LEASE_DIR" in message and "absolute" in message
    assert list(tmp_path.iterdir()) == []  # nothing made in the caller's folder
    with pytest.raises(UsageError, match=r"PORT4ME_LEASE_DIR.*absolute"):
        port4me.port4me(lease=60, env=lease_env(PORT4ME_LEASE_DIR="./leases"))


def test_a_relative_xdg_runtime_dir_is_ignored(tmp_path):
    """The XDG base directory spec: a relative path in its variables is invalid and is ignored."""
    temporary = private(tmp_path / "tmp")
    work = private(tmp_path / "work")
    env = {"XDG_RUNTIME_DIR": "run", "TMPDIR": str(temporary), **ANY}
    result = run("--lease=60", "--prepend=40000", env=env, cwd=work)
    assert (result.returncode, result.stdout) == (0, b"40000\n"), result.stderr
    assert list(work.iterdir()) == []
    assert (temporary / f"port4me-{os.getuid()}" / "leases.json").is_file()


def test_a_link_of_ours_in_a_parent_is_followed(tmp_path):
    """A parent that is a link made by the user (or root) is followed: only they can change it."""
    target = private(tmp_path / "real")
    (tmp_path / "link").symlink_to(target)
    got = port4me.port4me(prepend=[40000], lease=60, env=lease_env(PORT4ME_LEASE_DIR=str(tmp_path / "link/leases")))
    assert got == 40000
    assert (target / "leases/leases.json").is_file()


@needs_root
def test_a_parent_another_user_controls_is_refused(shared_tmp):
    """A folder of another user above the lease folder: they could swap what lies below at any time."""
    theirs = shared_tmp / "theirs"
    theirs.mkdir(mode=0o755)
    os.chown(theirs, NOBODY, NOBODY)
    target = private(shared_tmp / "mine")
    as_user(NOBODY, lambda: (theirs / "link").symlink_to(target))
    for folder in (theirs / "link/leases", theirs / "leases"):
        if folder.parent == theirs:
            private(folder)  # even a folder of ours, where another user's folder holds it
        result = run("--lease=60", env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
        assert (result.returncode, result.stdout) == (2, b""), result.stderr
        message = one_line(result.stderr)
        assert "unsafe lease folder" in message and "another user" in message, message
        assert repr(str(theirs)) in message
    assert not (target / "leases").exists()


def test_a_parent_others_can_write_is_refused_unless_sticky(tmp_path):
    open_parent = tmp_path / "open"
    open_parent.mkdir()
    open_parent.chmod(0o777)
    result = run("--lease=60", env={"PORT4ME_LEASE_DIR": str(open_parent / "leases"), **ANY})
    assert result.returncode == 2
    assert "others can write" in one_line(result.stderr)
    open_parent.chmod(0o1777)  # sticky, as /tmp: others cannot rename or remove what is ours
    result = run("--lease=60", "--prepend=40000", env={"PORT4ME_LEASE_DIR": str(open_parent / "leases"), **ANY})
    assert (result.returncode, result.stdout, result.stderr) == (0, b"40000\n", b"")


@needs_root
def test_a_read_only_lease_folder_is_not_called_unsafe(shared_tmp):
    """As another user (root may write anywhere): a folder of theirs they cannot write."""
    folder = shared_tmp / "read-only"
    folder.mkdir(mode=0o500)
    os.chown(folder, NOBODY, NOBODY)
    import port4me.lease  # loaded before the child switches user

    messages = shared_tmp / "message"

    def attempt() -> None:
        try:
            port4me.port4me(user="alice", lease=60, env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
        except UsageError as error:
            os.write(fd, str(error).encode())

    fd = os.open(messages, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        as_user(NOBODY, attempt)
    finally:
        os.close(fd)
    message = messages.read_text()
    assert "unsafe" not in message and "Permission denied" in message and "PORT4ME_LEASE_DIR" in message


@pytest.fixture
def full_filesystem(tmp_path):
    """A real, tiny file system (tmpfs), filled to the last byte; root only."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "mnt"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=700", "tmpfs", str(mount)], check=False).returncode:
        pytest.skip("this host does not let the test mount a tmpfs")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True, timeout=LIMIT)


def fill(folder: Path) -> None:
    with contextlib.suppress(OSError), (folder / "filler").open("wb", buffering=0) as filler:
        while True:
            filler.write(b"\0" * 4096)


def test_a_full_disk_says_the_lease_cannot_be_recorded(full_filesystem):
    folder = private(full_filesystem / "leases")
    (folder / "lock").touch()
    fill(full_filesystem)
    result = run("--lease=60", env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
    assert (result.returncode, result.stdout) == (1, b"")  # a runtime error: no port without its lease
    message = one_line(result.stderr)
    assert "cannot record" in message and "No space left on device" in message
    assert "cannot check ports" not in message
    with pytest.raises(port4me.Port4meError, match="No space left on device") as raised:
        port4me.port4me(user="alice", lease=60, env={"PORT4ME_LEASE_DIR": str(folder), **ANY})
    assert isinstance(raised.value.__cause__, OSError) and raised.value.__cause__.errno == errno.ENOSPC
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []  # no half-written file left


# ---- 16.12: exit codes, types and messages ---------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: port4me.port4me(user=10**5000, env=ANY),  # type: ignore[arg-type]
        lambda: port4me.port4me(tool=10**5000, env=ANY),  # type: ignore[arg-type]
        lambda: port4me.port4me(include=10**5000, env=ANY),  # type: ignore[arg-type]
        lambda: port4me.port4me(include=[10**5000], env=ANY),
        lambda: port4me.port4me(env={"PORT4ME_SKIP": 10**5000, **ANY}),  # type: ignore[dict-item]
        lambda: port4me.port4me(env={"PORT4ME_USER": 10**5000, **ANY}),  # type: ignore[dict-item]
        lambda: port4me.port4me(skip=-(10**5000), env=ANY),
        lambda: port4me.port4me(lease=10**5000, env=ANY),
    ],
)
def test_huge_integers_are_usage_errors(call):
    with pytest.raises(UsageError) as raised:
        call()
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200


@pytest.mark.parametrize(
    "env",
    [{1: "x"}, {b"PORT4ME_USER": b"alice"}, {"PORT4ME_USER": None}],
    ids=["int-name", "bytes", "none-value"],
)
def test_env_must_map_names_to_strings(env):
    with pytest.raises(UsageError, match=r"env|expected a string"):
        port4me.port4me(list=1, env=env)  # type: ignore[arg-type]


def test_a_huge_lease_folder_is_a_usage_error_naming_the_variable(tmp_path):
    folder = "/" + "x" * 5000
    result = run("--lease=60", env={"PORT4ME_LEASE_DIR": folder, **ANY})
    assert (result.returncode, result.stdout) == (2, b"")
    message = one_line(result.stderr)
    assert "PORT4ME_LEASE_DIR" in message and len(message) < 400
    with pytest.raises(UsageError, match="PORT4ME_LEASE_DIR") as raised:
        port4me.port4me(lease=60, env=lease_env(PORT4ME_LEASE_DIR=folder))
    assert len(str(raised.value)) < 400


@pytest.mark.parametrize("value", ["/tmp/\ud800", "\udfff", "/tmp/a\0b"])
def test_a_lease_folder_that_is_no_file_name_is_a_usage_error(value):
    with pytest.raises(UsageError, match="PORT4ME_LEASE_DIR"):
        port4me.port4me(lease=60, env=lease_env(PORT4ME_LEASE_DIR=value))


def test_undecodable_bytes_in_a_lease_folder_are_a_file_name(tmp_path):
    """Bytes that are not UTF-8 make a valid file name: the command uses the folder, as named."""
    folder = os.fsencode(tmp_path) + b"/\xff\xfe"
    env = {b"PORT4ME_LEASE_DIR": folder, b"PATH": os.environb.get(b"PATH", b""), b"PORT4ME_USER": b"alice"}
    env[b"_PORT4ME_CHECK_AVAILABLE_PORTS_"] = b"any"
    command = [COMMAND, "--lease=60", "--prepend=40000"]
    result = subprocess.run(command, env=env, capture_output=True, timeout=LIMIT, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (0, b"40000\n", b"")
    assert os.path.isfile(folder + b"/leases.json")  # noqa: PTH113 - a bytes path


def test_every_port_leased_does_not_claim_checks(tmp_path):
    env = lease_env(PORT4ME_LEASE_DIR=str(tmp_path / "leases"))
    taken = {port4me.port4me(include="40000-40002", lease=60, env=env) for _ in range(3)}
    assert taken == {40000, 40001, 40002}
    with pytest.raises(NoFreePortError) as raised:
        port4me.port4me(include="40000-40002", lease=60, env=env)
    assert "checks" not in str(raised.value) and "leased" in str(raised.value)
    result = run("--include=40000-40002", "--lease=60", env=env)
    assert result.returncode == 1 and "leased" in one_line(result.stderr)


def test_one_check_is_one_check():
    result = run("--max-tries=1", "--prepend=40000", env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any-except:40000"})
    assert result.returncode == 1
    assert one_line(result.stderr) == "port4me: no free TCP port after 1 check\n"
    result = run(
        "--max-tries=2", "--include=40000,40001", env={"_PORT4ME_CHECK_AVAILABLE_PORTS_": "any-except:1-65535"}
    )
    assert one_line(result.stderr) == "port4me: no free TCP port after 2 checks\n"


def test_an_ipv6_host_is_shown_in_brackets():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # not listening: connections are refused
        result = run(f"--wait-open=[::1]:{port}", "--timeout=0.3", "--interval=0.1")
        shown = run(f"--wait-open=127.0.0.1:{port}", "--timeout=0.3", "--interval=0.1")
    assert result.returncode == 1 and f"[::1]:{port} accepts" in one_line(result.stderr)
    assert shown.returncode == 1 and f"127.0.0.1:{port} accepts" in one_line(shown.stderr)


# ---- 17.12: small defects -------------------------------------------------------------------------


def test_help_documents_the_whole_testing_switch():
    result = run("--help")
    text = result.stdout.decode()
    assert "any-except:" in text and "_PORT4ME_CHECK_AVAILABLE_PORTS_" in text


def test_the_readme_names_the_spec_sections_it_means():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    spec = (ROOT / "spec/port4me.md").read_text(encoding="utf-8")
    headings = dict(re.findall(r"^## (\d+)\. (.+)$", spec, flags=re.MULTILINE))
    mentions = re.findall(r"sections? (\d+) \(([a-z -]+)\)", readme)
    assert ("7", "command line") in mentions
    for number, title in mentions:
        assert headings.get(number, "").lower() == title, (number, title)
