"""A private Dovecot IMAP server on 127.0.0.1 for the polling tests, in a temporary folder."""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require_service
from tests.smtp import free_port

USER = "support"
PASSWORD = "rahasia-kotak-surat"

CONFIG = """\
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{base}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


@dataclass
class Dovecot:
    port: int
    base: Path
    uid: int
    gid: int
    _delivered: int = 0

    @property
    def inbox(self) -> Path:
        return self.base / "mail" / USER

    def deliver(self, raw: bytes) -> None:
        """Put a message in the INBOX the way a local delivery agent does (maildir `new/`)."""
        for sub in ("new", "cur", "tmp"):
            (self.inbox / sub).mkdir(parents=True, exist_ok=True)
        self._delivered += 1
        name = f"{int(time.time())}.M{self._delivered}P{os.getpid()}.sigap-test"
        path = self.inbox / "new" / name
        path.write_bytes(raw)
        for item in (self.base / "mail", self.inbox, *self.inbox.iterdir(), path):
            os.chown(item, self.uid, self.gid)

    def log(self) -> str:
        log = self.base / "dovecot.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def _users() -> tuple[str, str, str, int, int]:
    """(internal user, its group, login user, mail uid, mail gid) for this machine."""
    if os.geteuid() == 0:
        # Dovecot will not run its helpers as root; Debian's package creates these users.
        internal = pwd.getpwnam("dovecot")
        login = pwd.getpwnam("dovenull")
        return (
            "dovecot",
            grp.getgrgid(internal.pw_gid).gr_name,
            login.pw_name,
            *(
                internal.pw_uid,
                internal.pw_gid,
            ),
        )
    me = pwd.getpwuid(os.getuid())
    return me.pw_name, grp.getgrgid(os.getgid()).gr_name, me.pw_name, os.getuid(), os.getgid()


@contextmanager
def dovecot_server() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        require_service("Dovecot", "install dovecot-imapd (.ci/run does) to test IMAP polling")
    assert binary is not None
    try:
        internal_user, internal_group, login_user, uid, gid = _users()
    except KeyError as missing:
        require_service("Dovecot", f"system user {missing} is missing")
        raise
    # Not under pytest's tmp_path: Dovecot's unprivileged helpers must be able to enter it.
    base = Path(tempfile.mkdtemp(prefix="sigap-dovecot-"))
    base.chmod(0o755)
    for sub in ("mail", "home"):
        (base / sub).mkdir()
        os.chown(base / sub, uid, gid)
    (base / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    (base / "users").chmod(0o644)
    port = free_port()
    (base / "dovecot.conf").write_text(
        CONFIG.format(
            base=base,
            port=port,
            internal_user=internal_user,
            internal_group=internal_group,
            login_user=login_user,
            uid=uid,
            gid=gid,
        )
    )
    process = subprocess.Popen(
        [binary, "-F", "-c", str(base / "dovecot.conf")],
        stdout=subprocess.DEVNULL,
        stderr=(base / "stderr.log").open("wb"),
    )
    server = Dovecot(port=port, base=base, uid=uid, gid=gid)
    try:
        _wait_for(port, process, base)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        shutil.rmtree(base, ignore_errors=True)


def _wait_for(port: int, process: subprocess.Popen[bytes], base: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stderr = (base / "stderr.log").read_text(errors="replace")
            raise RuntimeError(f"Dovecot exited with {process.returncode}: {stderr[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"Dovecot did not listen on 127.0.0.1:{port}")
