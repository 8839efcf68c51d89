"""Jobs the test session runs beside its tests, each once per run: a process that writes into its own folder of the
session's jobs folder. A job starts when the session starts; the fixture that needs its result waits for it.

Under pytest-xdist the first worker starts them, into the folder the controller gives every worker, and a fixture
waits the same way in either worker: the job's process holds an exclusive lock on `NAME.lock` from its start to its
end (the kernel drops it when the process ends, however it ends), and a waiter takes a shared lock on the file.
`python -m tests.background FOLDER NAME COMMAND...` is that process: it runs COMMAND, its output to `NAME.out` and
`NAME.err`, then writes its exit status to `NAME.exit`. Standard library only: a job starts in a few milliseconds.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from tests.paths import ROOT


@dataclass(frozen=True)
class Finished:
    """What a job left: its exit status (None: its process ended without one), its output, and its folder."""

    status: Optional[int]
    out: str
    err: str
    folder: Path

    def failure(self, what: str) -> str:
        return f"{what} failed (exit {self.status}):\n{self.out[-6000:]}\n{self.err[-6000:]}"


def folder_of(jobs: Path, name: str) -> Path:
    return jobs / name


def start(jobs: Path, name: str, command: list[str], env: Optional[dict[str, str]] = None) -> Optional[
        subprocess.Popen[bytes]]:
    """Starts job `name` (COMMAND, in the project's folder), unless a process has already started it in `jobs`.
    Returns its process when this call started it."""
    folder_of(jobs, name).mkdir(parents=True, exist_ok=True)
    claim = jobs / f"{name}.lock.{os.getpid()}"
    fd = os.open(claim, os.O_CREAT | os.O_WRONLY, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # locked before it has its name: no waiter can find it unlocked
        try:
            os.link(claim, jobs / f"{name}.lock")
        except FileExistsError:
            return None  # another worker started it
        return subprocess.Popen([sys.executable, "-m", "tests.background", str(jobs), name, *command], cwd=ROOT,
                                env=env, pass_fds=(fd,), start_new_session=True)
    finally:
        os.close(fd)  # the job's process holds the lock now
        claim.unlink()


def started(jobs: Path, name: str) -> bool:
    return (jobs / f"{name}.lock").exists()


def wait(jobs: Path, name: str) -> Finished:
    """Waits for job `name` to end (it must have been started) and gives what it left."""
    with open(jobs / f"{name}.lock") as lock:
        fcntl.flock(lock, fcntl.LOCK_SH)
    status = jobs / f"{name}.exit"
    return Finished(int(status.read_text()) if status.exists() else None, _text(jobs / f"{name}.out"),
                    _text(jobs / f"{name}.err"), folder_of(jobs, name))


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ends a job that is still running, with what its command started (a session of its own)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait()


def _text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def _run(jobs: Path, name: str, command: list[str]) -> None:
    with open(jobs / f"{name}.out", "wb") as out, open(jobs / f"{name}.err", "wb") as err:
        status = subprocess.run(command, cwd=ROOT, stdout=out, stderr=err).returncode  # the lock is not passed on
    (jobs / f"{name}.exit.partial").write_text(str(status))
    os.replace(jobs / f"{name}.exit.partial", jobs / f"{name}.exit")


if __name__ == "__main__":
    _run(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
