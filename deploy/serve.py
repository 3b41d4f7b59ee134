"""Serve the dashboard from several replicas behind nginx, on this machine.

    make serve                                  # 2 replicas (one a core) behind nginx at http://127.0.0.1:8080
    .venv/bin/python deploy/serve.py --replicas 3 --port 9000 --data DIR

Each replica is a `streamlit run dashboard/app.py` with the repository's own
configuration, bound to 127.0.0.1 on a free port. Once every replica answers
`/_stcore/health`, nginx (Debian's `nginx` package) starts in the foreground
with `deploy/nginx.conf.template` rendered into a run folder: sticky sessions
by cookie, websocket upgrade, passive health checks, and headers that forbid
framing and type sniffing and name a replica (r1, r2, …) without its address. Ctrl-C (or SIGTERM)
stops nginx and the replicas by their process ids.

A line per process is printed as it becomes ready, so a caller (the tests) can
read the addresses and process ids:

    replica 1 http://127.0.0.1:40123 pid 4242
    proxy http://127.0.0.1:8080 pid 4250
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
HEALTH_TIMEOUT = 120.0


@dataclass(frozen=True)
class Process:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    tag: str = ""  # a replica's name in the X-Contact-Atlas-Replica header: r1, r2, … (not its address)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:  # noqa: S310 - loopback
            return r.status == 200
    except OSError:
        return False


def wait_healthy(p: Process, timeout: float = HEALTH_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if p.proc.poll() is not None:
            raise RuntimeError(f"{p.name} exited with {p.proc.returncode}")
        if healthy(p.url):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{p.name} did not answer {p.url}/_stcore/health in {timeout:.0f} s")


def start_replica(n: int, run: Path, env: dict[str, str]) -> Process:
    port = free_port()
    log = (run / f"replica-{n}.log").open("wb")
    command = [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
        "--server.port", str(port), "--server.address", "127.0.0.1",
    ]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    return Process(f"replica {n}", f"http://127.0.0.1:{port}", proc, tag=f"r{n}")


def nginx_binary() -> str:
    found = os.environ.get("CONTACT_ATLAS_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(found).exists():
        raise SystemExit("nginx not found: apt-get install nginx (or set CONTACT_ATLAS_NGINX=/path/to/nginx)")
    return found


def render(run: Path, listen: str, replicas: Sequence[Process]) -> Path:
    addresses = [r.url.removeprefix("http://") for r in replicas]
    upstreams = "\n".join(f"        server {a} max_fails=1 fail_timeout=10s;" for a in addresses)
    # The address that answered is the last one $upstream_addr lists.
    names = "\n".join(
        f'        "~(^|\\s){re.escape(a)}$" {r.tag};' for a, r in zip(addresses, replicas, strict=True)
    )
    conf = TEMPLATE.read_text(encoding="utf-8")
    for key, value in {
        "RUN": str(run),
        "LISTEN": listen,
        "UPSTREAMS": upstreams,
        "REPLICA_NAMES": names,
    }.items():
        conf = conf.replace(f"{{{{{key}}}}}", value)
    path = run / "nginx.conf"
    path.write_text(conf, encoding="utf-8")
    return path


def start_proxy(run: Path, port: int, replicas: Sequence[Process]) -> Process:
    conf = render(run, f"127.0.0.1:{port}", replicas)
    nginx = nginx_binary()
    check = subprocess.run(
        [nginx, "-t", "-q", "-p", str(run), "-c", str(conf)], capture_output=True, text=True, check=False
    )
    if check.returncode:
        raise SystemExit(f"nginx refused its configuration:\n{check.stderr}")
    proc = subprocess.Popen(
        [nginx, "-p", str(run), "-c", str(conf), "-g", "daemon off;"],
        stdout=(run / "nginx.out").open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    return Process("proxy", f"http://127.0.0.1:{port}", proc)


def stop(processes: Sequence[Process]) -> None:
    """Stop by process id: TERM, then KILL whatever has not gone in 15 s."""
    for p in processes:
        if p.proc.poll() is None:
            p.proc.terminate()
    deadline = time.monotonic() + 15
    for p in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        if p.proc.poll() is None:
            p.proc.kill()
            p.proc.wait()


@contextlib.contextmanager
def cluster(
    replicas: int = 2, port: int | None = None, data: str | None = None, run: Path | None = None,
    announce: bool = False,
) -> Iterator[tuple[Process, list[Process]]]:  # fmt: skip
    """Replicas and the proxy on 127.0.0.1 until the block ends; everything stopped by process id."""
    owned = run is None
    run = Path(tempfile.mkdtemp(prefix="contact-atlas-serve-")) if run is None else run
    run.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    if data:
        env["DASHBOARD_DATA"] = str(Path(data).resolve())
    started: list[Process] = []
    try:
        reps = [start_replica(n + 1, run, env) for n in range(replicas)]
        started += reps
        for r in reps:
            wait_healthy(r)
            if announce:
                print(f"{r.name} {r.url} pid {r.proc.pid}", flush=True)
        proxy = start_proxy(run, port or free_port(), reps)
        started.append(proxy)
        wait_healthy(proxy, timeout=30)
        if announce:
            print(f"proxy {proxy.url} pid {proxy.proc.pid}", flush=True)
        yield proxy, reps
    finally:
        stop(started[::-1])
        if owned:
            shutil.rmtree(run, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--replicas", type=int, default=os.cpu_count() or 2, help="one a core (default: %(default)s)"
    )
    ap.add_argument(
        "--port", type=int, default=8080, help="the proxy's port on 127.0.0.1 (default: %(default)s)"
    )
    ap.add_argument("--data", help="the data folder (default: $DASHBOARD_DATA or data/)")
    ap.add_argument(
        "--run-dir",
        type=Path,
        help="where nginx's configuration, logs and pid go (default: a temporary folder)",
    )
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be 1 or more")
    stopping = {"now": False}

    def on_signal(signum: int, frame: object) -> None:
        stopping["now"] = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with cluster(args.replicas, args.port, args.data, args.run_dir, announce=True) as (proxy, reps):
        print(
            f"Contact Atlas: open {proxy.url} (Ctrl-C stops the proxy and {len(reps)} replicas)", flush=True
        )
        while not stopping["now"]:
            if proxy.proc.poll() is not None:
                print("nginx exited; stopping the replicas", file=sys.stderr)
                return 1
            time.sleep(0.5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
