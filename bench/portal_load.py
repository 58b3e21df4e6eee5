"""Portal load run (issue 14): 200 concurrent users on loopback against gunicorn with production settings.

What it needs: `wrk` on the PATH (Debian/Ubuntu: `apt-get install -y wrk`) and this project's virtual environment
(gunicorn is in the locked dependencies). Nothing else: it makes its own scratch database and data folder.

What it does:
1. loads the demo supplier into a scratch database (DATABASE_URL, default a SQLite file in a temporary folder; a
   database whose name lacks "bench" is refused, because it is emptied) and collects the static files;
2. starts docs/operations.md's command, `gunicorn hearth.wsgi:application --workers 4 --threads 4 --timeout 60`,
   with HEARTH_ENV=production on a free loopback port (--workers changes the worker count);
3. signs the demo household (alex.morgan@example.com) in --sessions times through the sign-in form, as that many
   browsers would, so the load is spread over that many sessions;
4. runs wrk with --connections (default 200) connections for --seconds (default 10) against the sign-in page
   (anonymous) and then against each signed-in page in --pages, each request carrying one of the sessions' cookies
   in turn and the proxy's `X-Forwarded-Proto: https`; a Lua script counts every answer that is not 200 (a lost
   session would answer 302 to the sign-in page). It goes round the pages --rounds times (default 3), so a page is
   not favoured by when it ran on a shared machine;
5. prints, for each page, the median over the rounds of its requests per second, p50 and p99 latency, their ratio
   to the sign-in page's, and all the answers that were not 200; then one JSON line with every round.

    .venv/bin/python bench/portal_load.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/speed_bench .venv/bin/python bench/portal_load.py --seconds 30
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import support

HOST = "portal.supplier.example"
HOUSEHOLD = "alex.morgan@example.com"
PASSWORD = "HearthDemo2026"  # noqa: S105 - the demo's published password (README)
START_SECONDS = 120
WRK_SCRIPT = """
local cookies = {%(cookies)s}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sent = 0; refused = 0 end
function request()
  sent = sent + 1
  return wrk.format("GET", nil, {["Host"] = "%(host)s", ["X-Forwarded-Proto"] = "https",
                                 ["Cookie"] = cookies[(sent %% #cookies) + 1]})
end
function response(status, headers, body) if status ~= 200 then refused = refused + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("refused") end
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), total,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=200, help="concurrent connections (default 200)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds of each page's load in a round (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over all the pages (default 3)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument("--sessions", type=int, default=50, help="signed-in sessions to spread the load over")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (docs/operations.md: 4)")
    parser.add_argument("--pages", default="/,/services/bills/", help="signed-in pages, comma-separated")
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(port: int, method: str, path: str, cookies: dict[str, str], body: str | None = None) -> Any:
    """One request as the browser behind the TLS proxy would send it; Set-Cookie headers are kept in ``cookies``."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "Origin": f"https://{HOST}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"https://{HOST}{path}"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.text = response.read().decode()
    for header in response.headers.get_all("Set-Cookie") or []:
        for name, morsel in SimpleCookie(header).items():
            cookies[name] = morsel.value
    connection.close()
    return response


def _signed_in_cookie(port: int, pages: list[str]) -> str:
    """A new session of the household, signed in through the form; its Cookie header."""
    cookies: dict[str, str] = {}
    form = _request(port, "GET", "/login/", cookies)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    if token is None:
        sys.exit(f"the sign-in page answered {form.status} without a form")
    body = urlencode({"csrfmiddlewaretoken": token.group(1), "username": HOUSEHOLD, "password": PASSWORD})
    posted = _request(port, "POST", "/login/", cookies, body)
    if posted.status != 302 or posted.headers.get("Location", "").startswith("/login/"):
        sys.exit(f"signing in answered {posted.status} to {posted.headers.get('Location')}")
    for page in pages:
        if (status := _request(port, "GET", page, cookies).status) != 200:
            sys.exit(f"{page} answered {status} when signed in")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _wrk(arguments: argparse.Namespace, port: int, path: str, cookies: list[str], scratch: Path) -> dict[str, Any]:
    script = scratch / "portal_load.lua"
    quoted = ", ".join(json.dumps(cookie) for cookie in cookies)
    script.write_text(WRK_SCRIPT % {"cookies": quoted, "host": HOST})
    command = [
        "wrk",
        f"--threads={arguments.threads}",
        f"--connections={arguments.connections}",
        f"--duration={arguments.seconds}s",
        "--timeout=30s",
        f"--script={script}",
        f"http://127.0.0.1:{port}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", output, re.MULTILINE)
    if found is None:
        sys.exit(f"wrk printed no result:\n{output}")
    requests, duration_us, p50_us, p99_us, not_200, socket_errors, _status = (int(n) for n in found.groups())
    return {
        "requests": requests,
        "requests_per_s": round(requests / (duration_us / 1e6), 1),
        "p50_ms": round(p50_us / 1000, 1),
        "p99_ms": round(p99_us / 1000, 1),
        "not_200": not_200,
        "socket_errors": socket_errors,
    }


def _median_of(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """A page's figures over the rounds: the median of each rate and latency, the sum of the failures."""
    figures: dict[str, Any] = {
        name: statistics.median(run[name] for run in rounds) for name in ("requests_per_s", "p50_ms", "p99_ms")
    }
    figures["not_200"] = sum(run["not_200"] for run in rounds)
    figures["socket_errors"] = sum(run["socket_errors"] for run in rounds)
    figures["rounds"] = rounds
    return figures


def _server_environment(scratch: Path) -> dict[str, str]:
    from cryptography.fernet import Fernet

    environment = {key: value for key, value in os.environ.items() if not key.startswith(("HEARTH_", "EMAIL_"))}
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "hearth.settings",
            "HEARTH_ENV": "production",
            "HEARTH_SECRET_KEY": secrets.token_urlsafe(64),
            "HEARTH_ALLOWED_HOSTS": HOST,
            "HEARTH_SSL_REDIRECT": "false",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "9",
            "HEARTH_BANK_DETAILS_KEYS": Fernet.generate_key().decode(),
            "HEARTH_HEALTH_DETAILS_KEYS": Fernet.generate_key().decode(),
            "HEARTH_DATA_DIR": str(scratch),
            "DATABASE_URL": os.environ["DATABASE_URL"],
        }
    )
    return environment


def _start_gunicorn(arguments: argparse.Namespace, scratch: Path, port: int) -> subprocess.Popen[bytes]:
    environment = _server_environment(scratch)
    subprocess.run(  # every release, as docs/operations.md says ("Static files")
        [sys.executable, "-m", "hearth.manage", "collectstatic", "--no-input"],
        env=environment,
        check=True,
        capture_output=True,
    )
    log = (scratch / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hearth.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(arguments.workers),
            "--threads",
            "4",
            "--timeout",
            "60",
        ],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit((scratch / "gunicorn.log").read_text())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    sys.exit(f"gunicorn did not listen within {START_SECONDS} s")


def main() -> None:
    arguments = _arguments()
    if shutil.which("wrk") is None:
        sys.exit("bench/portal_load.py needs wrk on the PATH (Debian/Ubuntu: apt-get install -y wrk).")
    pages = [page.strip() for page in arguments.pages.split(",") if page.strip()]
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as folder:
        scratch = Path(folder)
        support.fresh_database(scratch, script="portal_load.py")
        from django.core.management import call_command
        from django.db import connection, connections

        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        vendor = connection.vendor
        connections.close_all()
        port = _free_port()
        server = _start_gunicorn(arguments, scratch, port)
        try:
            cookies = [_signed_in_cookie(port, pages) for _ in range(arguments.sessions)]
            results: dict[str, Any] = {
                "benchmark": "portal_load",
                "database": vendor,
                "server": f"gunicorn --workers {arguments.workers} --threads 4, HEARTH_ENV=production",
                "cpus": os.cpu_count(),
                "connections": arguments.connections,
                "seconds_per_page_and_round": arguments.seconds,
                "rounds": arguments.rounds,
                "sessions": arguments.sessions,
            }
            runs: dict[str, list[dict[str, Any]]] = {page: [] for page in ["/login/", *pages]}
            for _ in range(arguments.rounds):
                for page in runs:
                    runs[page].append(_wrk(arguments, port, page, [""] if page == "/login/" else cookies, scratch))
            results["pages"] = {page: _median_of(rounds) for page, rounds in runs.items()}
        finally:
            server.terminate()
            server.wait(timeout=60)
        login = results["pages"]["/login/"]
        print(
            f"{'page':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'p50 x':>7}{'p99 x':>7}{'not 200':>9}", file=sys.stderr
        )
        for page, figures in results["pages"].items():
            figures["p50_ratio"] = round(figures["p50_ms"] / login["p50_ms"], 2) if login["p50_ms"] else None
            figures["p99_ratio"] = round(figures["p99_ms"] / login["p99_ms"], 2) if login["p99_ms"] else None
            print(
                f"{page:<22}{figures['requests_per_s']:>9}{figures['p50_ms']:>9}{figures['p99_ms']:>9}"
                f"{figures['p50_ratio']:>7}{figures['p99_ratio']:>7}{figures['not_200'] + figures['socket_errors']:>9}",
                file=sys.stderr,
            )
        print(json.dumps(results))


if __name__ == "__main__":
    main()
