"""Benchmark: throughput and latency of Ladder's key pages under gunicorn, as a ratio to
an ordinary Django page served the same way, in the same run.

Runs outside `make test` (timings belong in benchmarks, not assertions):

    make bench                                        # 10,000 people, 10 s per run
    BENCH_USERS=2000 BENCH_DURATION=5 make bench
    .venv/bin/python -m tests.bench.pages --users 10000 --duration 10
    .venv/bin/python -m tests.bench.pages --profile dashboard   # cProfile one page in process

What it does:

1. Seeds its own PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/ladder_bench_pages; created and migrated when
   missing) with ``seed_demo --users N``, and adds what the pages need: a draft audit
   for the demo developer (Maya), one draft per wrk connection for the save, and a
   coach with 500 active clients. Re-runnable: nothing is added twice.
2. Collects static files into a temporary STATIC_ROOT (manifest storage, as in
   production) and serves three gunicorn servers, each with 2 sync workers: Ladder
   with production settings (DEBUG off, persistent connections with health checks),
   baseline (a) a bare Django view (bench/settings_bare.py) and baseline (b) a
   standard Django page (bench/settings_standard.py: the standard middleware, database
   sessions in the same database, a signed-in person, a 5 KB template).
3. Counts each page's SQL queries once in process (Django test client and
   CaptureQueriesContext, same URLs and people) and times 30 more requests there (all
   of it, and the part in the database driver). Then it drives every page with wrk
   (2 threads, 8 connections, ``--latency``), running the standard baseline before
   each page and after the last, and the bare view at the start, middle and end.
   A page's ratio is its requests/s over the mean of the two standard runs either
   side of it. Each run also records how busy the machine was and the CPU time the
   measured gunicorn spent per request, which other work on the machine can't inflate.
4. Prints the table and PASS/MISS per target (issue "Fast at every size") and writes
   everything, with a description of the machine and every query's SQL, to
   bench/results.json.

Signed-in pages use sessions made directly (``Client.force_login``), never the login
view. The htmx save is the time step's POST with valid shares and the audit's current
version, so every request is a real save: each wrk connection has its own draft and
its own thread (``-t8 -c8`` for that row only), and the Lua script counts the version
up. Afterwards the versions in the database must have moved by the number of requests.

Gunicorn processes run in their own process groups and are stopped on every exit,
including Ctrl-C and SIGTERM; if the bench is killed outright, the kernel sends them
SIGTERM (PR_SET_PDEATHSIG). The exit status is 1 when a run went wrong (a wrong status
code, socket errors, saves that didn't save, a served page unlike the one measured in
process), not when a target is missed.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import ctypes
import http.client
import io
import json
import os
import platform
import pstats
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from tests.bench.checkin_sweep import ensure_database, free_port

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

    from accounts.models import User
    from assessments.models import Audit

BASE_DIR = Path(__file__).resolve().parents[2]
RESULTS = Path(__file__).with_name("results.json")
LUA = Path(__file__).with_name("wrk") / "page.lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ladder_bench_pages"
DEFAULT_USERS = 10_000
DEFAULT_DURATION = 10
WARM_UP_SECONDS = 2
THREADS, CONNECTIONS = 2, 8
WORKERS = 2
DB_CONN_MAX_AGE = 600
COACH_CLIENTS = 500
BENCH_DOMAIN = "bench.ladder"
DRAFT_TITLE = "Bench draft: developer"
PERSON_EMAIL = "maya@demo.ladder"  # the demo developer: a completed audit, a plan, notes
FRAGMENT_SHARE = 0.10
SIZE_TOLERANCE = 0.02  # served body vs the in-process one (absolute URLs name the host)
PR_SET_PDEATHSIG = 1
# Other work during a run beyond this many cores: the run is repeated. A quiet machine
# shows up to ~0.2 (kernel network work for 5,000 connections a second, charged to no
# process); another program busy on one core shows as 0.5 to 1.
DISTURBED_CORES = 0.4
MAX_REPEATS = 10  # repeats in all, at most (bounds the wall time)
BASELINES = (("bare", "baseline: bare view"), ("standard", "baseline: standard page"))
GUNICORN = {
    "workers": WORKERS,
    "worker_class": "sync",
    "worker_tmp_dir": "/dev/shm",
    "keep_alive": "none (sync workers close every connection)",
    "access_log": "off",
    "log_level": "warning",
}


# --- What is measured --------------------------------------------------------------


@dataclass(frozen=True)
class Saver:
    """One wrk connection's draft for the htmx save: its time step and the form."""

    audit_pk: int
    path: str
    cookie: str  # session and CSRF cookies
    body: str  # the form without its version


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    path: str
    cookie: str = ""
    htmx: bool = False
    expect: int = 200
    savers: tuple[Saver, ...] = ()
    min_ratio: float | None = None  # × the standard page's requests/s
    max_p99_ms: float = 50.0
    compare_full: bool = False  # an htmx fragment: also fetch the whole page, for its size


@dataclass(frozen=True)
class Cast:
    pages: list[Page]
    standard_cookie: str
    person: str
    coach_clients: int


@dataclass
class Probe:
    """One request in process: its queries and response size."""

    status: int
    queries: int
    body_bytes: int
    sql: list[str]
    ms_in_process: float
    sql_ms_in_process: float  # of which in the database driver (round trips included)
    full_page_bytes: int | None = None
    in_place_fragment_bytes: int | None = None  # the save's step: its live-total fragment
    note: str = ""


@dataclass
class Run:
    target: str
    started_at: str
    threads: int
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    body_bytes_per_request: float
    statuses: dict[str, int]
    errors: dict[str, int]
    machine_busy: float  # share of all cores busy during the run (anything, anyone)
    server_cores: float  # cores the measured gunicorn (master and workers) used
    server_cpu_ms: float  # its CPU time per request: the page's cost, whatever else ran
    other_cores: float  # cores busy in processes but gunicorn, wrk, PostgreSQL and the kernel
    problems: list[str] = field(default_factory=list)


# --- Setting up ----------------------------------------------------------------------


def environment(database_url: str, static_root: Path, secret_key: str) -> dict[str, str]:
    """Production settings as the app reads them, for this process and for gunicorn."""
    return {
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SITE_URL": "http://127.0.0.1",
        "STATIC_MANIFEST": "true",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "DB_CONN_MAX_AGE": str(DB_CONN_MAX_AGE),
        "LOG_LEVEL": "WARNING",
        "BENCH_STATIC_ROOT": str(static_root),
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings_app",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    # Nothing here may reach a broker or send mail: tasks run in process, mail to the console.
    for name in ("REDIS_URL", "EMAIL_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.conf import settings

    database = settings.DATABASES["default"]
    assert database["CONN_MAX_AGE"] == DB_CONN_MAX_AGE, database["CONN_MAX_AGE"]
    assert database["CONN_HEALTH_CHECKS"] is True, "ladder.settings no longer sets health checks"
    assert not settings.DEBUG


def seed(users: int) -> tuple[float, str]:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    started = time.perf_counter()
    output = io.StringIO()
    call_command("seed_demo", users=users, stdout=output)
    seconds = time.perf_counter() - started
    line = next((s for s in output.getvalue().splitlines() if s.startswith("Synthetic")), "")
    return seconds, line


def settle() -> None:
    """Fresh planner statistics and no background work left over from seeding: without
    this, autovacuum and the checkpoint after inserting thousands of people run during
    the first runs and slow them down."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")


def draft_with_shares(owner: User) -> Audit:
    """The owner's bench draft: the developer story's role, activities and shares saved
    through the wizard's services, so it stands at the scores step."""
    from assessments.demo import cast
    from assessments.models import Audit

    found = Audit.objects.filter(
        owner=owner, status=Audit.Status.DRAFT, job_title=DRAFT_TITLE
    ).first()
    if found is not None:
        return found
    return cast.story_draft(owner, cast.MAYA, job_title=DRAFT_TITLE)


def bench_user(name: str) -> User:
    from django.contrib.auth.hashers import make_password

    from accounts.models import User

    user, _ = User.objects.get_or_create(
        email=f"{name}@{BENCH_DOMAIN}",
        defaults={"name": name.replace("-", " ").capitalize(), "password": make_password(None)},
    )
    return user


def coach_with_clients(count: int) -> User:
    """A coach with ``count`` active clients, synthetic people 1 to ``count``."""

    from accounts.models import CoachLink
    from assessments.demo import synthetic

    coach = bench_user("bench-coach")
    synthetic.coach_synthetic_people(coach, count)
    active = CoachLink.objects.filter(coach=coach, state=CoachLink.State.ACTIVE).count()
    assert active == count, f"the bench coach has {active} active clients, not {count}"
    return coach


def session_cookie(user: User) -> str:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def saver(user: User) -> Saver:
    """The user's draft with a session, a CSRF cookie and the time step's form, read from
    the step as a browser would get it."""
    from django.conf import settings
    from django.test import Client

    audit = draft_with_shares(user)
    path = f"/audit/{audit.code}/time/"
    cookie = session_cookie(user)
    client = Client(enforce_csrf_checks=True)
    client.cookies.load(cookie)
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the time step"
    shares = [(f"share_{a.pk}", str(a.share)) for a in audit.activities.order_by("position")]
    csrf = client.cookies[settings.CSRF_COOKIE_NAME].value
    return Saver(
        audit_pk=audit.pk,
        path=path,
        cookie=f"{cookie}; {settings.CSRF_COOKIE_NAME}={csrf}",
        body=urlencode([("csrfmiddlewaretoken", token.group(1)), *shares]),
    )


def prepare_cast() -> Cast:
    from accounts.models import User
    from assessments.models import Audit, Plan

    person = User.objects.get(email=PERSON_EMAIL)
    completed = (
        Audit.objects.filter(owner=person, status=Audit.Status.COMPLETE)
        .exclude(plan=None)
        .latest("completed_at")
    )
    plan = Plan.objects.get(audit=completed)
    draft = draft_with_shares(person)
    savers = tuple(saver(bench_user(f"bench-saver-{i}")) for i in range(1, CONNECTIONS + 1))
    coach = coach_with_clients(COACH_CLIENTS)
    signed_in, coach_cookie = session_cookie(person), session_cookie(coach)
    pages = [
        Page("landing", "Landing /", "/"),
        Page("dashboard", "My ladder /ladder/", "/ladder/", signed_in, min_ratio=0.5),
        Page(
            "wizard_step",
            "Wizard step GET (time)",
            f"/audit/{draft.code}/time/",
            signed_in,
            min_ratio=0.5,
        ),
        Page(
            "step_save",
            "htmx step save POST (time)",
            savers[0].path,
            htmx=True,
            expect=204,
            savers=savers,
            min_ratio=0.5,
        ),
        Page(
            "step_swap",
            "htmx swap after save (scores)",
            f"/audit/{draft.code}/scores/",
            signed_in,
            htmx=True,
            compare_full=True,
        ),
        Page(
            "result", "Result + chart", f"/audit/{completed.code}/result/", signed_in, min_ratio=0.5
        ),
        Page("search", "Benchmarks ?q=software", "/benchmarks/?q=software"),
        Page("occupation", "Occupation 15-1252.00", "/benchmarks/15-1252.00/"),
        Page("sprint", "Sprint /plan/<code>/", f"/plan/{plan.code}/", signed_in, min_ratio=0.5),
        Page(
            "coach",
            f"Coach dashboard ({COACH_CLIENTS} clients)",
            "/coach/",
            coach_cookie,
            min_ratio=0.25,
            max_p99_ms=100.0,
        ),
        Page("ics", "Sprint calendar .ics", f"/plan/{plan.code}/calendar.ics", signed_in),
    ]
    return Cast(pages, signed_in, PERSON_EMAIL, COACH_CLIENTS)


def versions(savers: tuple[Saver, ...]) -> list[int]:
    from assessments.models import Audit

    found = dict(
        Audit.objects.filter(pk__in=[s.audit_pk for s in savers]).values_list("pk", "version")
    )
    return [found[s.audit_pk] for s in savers]


# --- In process: queries and sizes ---------------------------------------------------


def requester(page: Page) -> Callable[[], Response]:
    """A function making the page's request with the Django test client. For the save,
    each call saves the next version, like the wrk script."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    headers = {"HX-Request": "true"} if page.htmx else {}
    if not page.savers:
        client.cookies.load(page.cookie)
        return lambda: client.get(page.path, headers=headers)
    first = page.savers[0]
    client.cookies.load(first.cookie)
    (version,) = versions(page.savers[:1])

    def save() -> Response:
        nonlocal version
        response = client.post(
            first.path,
            data=f"{first.body}&version={version}",
            content_type="application/x-www-form-urlencoded",
            headers={**headers, "Origin": "http://testserver"},
        )
        version += 1
        return response

    return save


def probe(page: Page) -> Probe:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.bench.probe_baseline import measure

    result = Probe(**measure(requester(page)))
    if page.compare_full:
        client = Client()
        client.cookies.load(page.cookie)
        result.full_page_bytes = len(client.get(page.path).content)
    if page.savers:
        # The same data again with the version it was saved at: the double-click path.
        first = page.savers[0]
        client = Client(enforce_csrf_checks=True)
        client.cookies.load(first.cookie)
        (version,) = versions(page.savers[:1])
        saved_before = version
        with CaptureQueriesContext(connection) as again:
            stale = client.post(
                first.path,
                data=f"{first.body}&version={version - 1}",
                content_type="application/x-www-form-urlencoded",
                headers={"HX-Request": "true", "Origin": "http://testserver"},
            )
        stale_queries = len(again)  # now: the next request empties the query log
        (version,) = versions(page.savers[:1])
        assert version == saved_before, "re-posting an old version saved"
        preview = client.post(
            first.path,
            data=f"{first.body}&version={version}&preview=1",
            content_type="application/x-www-form-urlencoded",
            headers={"HX-Request": "true", "Origin": "http://testserver"},
        )
        assert preview.status_code == 200, preview.status_code
        result.in_place_fragment_bytes = len(preview.content)
        result.note = (
            f"every request a real save (the next version); the same data again with the "
            f"old version (a double click) answers {stale.status_code} with {stale_queries} queries"
        )
    return result


def baseline_probe(settings_module: str, cookie: str) -> Probe:
    """The same measurement for a baseline, in a child process with its settings."""
    finished = subprocess.run(
        [sys.executable, "-m", "tests.bench.probe_baseline"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, "BENCH_COOKIE": cookie},
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise RuntimeError(f"{settings_module} could not be probed:\n{finished.stderr[-3000:]}")
    return Probe(**json.loads(finished.stdout.strip().splitlines()[-1]))


# --- gunicorn and wrk ----------------------------------------------------------------


def die_with_parent() -> None:
    """In the child before gunicorn starts: SIGTERM when the bench process ends, even if
    it is killed outright and cannot stop its servers (Linux; elsewhere stop() has to)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Server:
    """A gunicorn server in its own process group, stopped with everything in it."""

    def __init__(self, name: str, settings_module: str, log_dir: Path) -> None:
        self.name = name
        self.settings_module = settings_module
        self.port = free_port()
        self.log = log_dir / f"gunicorn-{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def group(self) -> int:
        """The process group of the master and its workers (start_new_session)."""
        assert self.process is not None
        return self.process.pid

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "ladder.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(WORKERS),
            "--worker-class",
            "sync",
            "--worker-tmp-dir",
            "/dev/shm",
            "--log-level",
            "warning",
        ]

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=BASE_DIR,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": self.settings_module},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=die_with_parent,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                break
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/", headers={"Host": "127.0.0.1"})
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn ({self.name}) did not start:\n{tail}")

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the master leads its own group
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, sig)
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        # Workers outlive a killed master for a moment; make sure the group is gone.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process = None


@contextlib.contextmanager
def serving(servers: list[Server]) -> Iterator[None]:
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        yield
    finally:
        for server in servers:
            server.stop()


@dataclass(frozen=True)
class CpuSample:
    """CPU seconds used so far (Linux /proc) and the wall clock."""

    busy: float  # all cores, anything
    total: float  # all cores, busy or idle
    tasks: float  # all cores, in processes (user, nice, system) or taken by the hypervisor
    server: float  # the measured gunicorn's process group
    bench: float  # this process's group: the bench and wrk
    postgres: float  # every PostgreSQL process (the pages' queries run there)
    kernel: float  # kernel threads (network work for the bench's connections among it)
    clock: float


def cpu_sample(group: int) -> CpuSample:
    ticks = os.sysconf("SC_CLK_TCK")
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = values[3] + values[4]  # idle and iowait
    own = os.getpgrp()
    server = bench = postgres = kernel = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()  # state ppid pgrp … utime stime
        used = int(fields[11]) + int(fields[12])
        if int(fields[2]) == group:
            server += used
        elif int(fields[2]) == own:
            bench += used
        elif name == "postgres":
            postgres += used
        elif fields[1] == "2" or stat.parent.name == "2":  # kthreadd and its threads
            kernel += used
    # user nice system idle iowait irq softirq steal: interrupts are left out of "tasks",
    # as they count the kernel's work on the bench's own connections (5,000 a second for
    # the bare view) and belong to no process.
    return CpuSample(
        (sum(values) - idle) / ticks,
        sum(values) / ticks,
        (values[0] + values[1] + values[2] + values[7]) / ticks,
        server / ticks,
        bench / ticks,
        postgres / ticks,
        kernel / ticks,
        time.monotonic(),
    )


def wrk(
    target: str,
    url: str,
    *,
    seconds: int,
    env: dict[str, str],
    group: int,
    threads: int = THREADS,
) -> Run:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(LUA),
        url,
    ]
    started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    before = cpu_sample(group)
    finished = subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=seconds + 60,
        check=False,
        preexec_fn=die_with_parent,
    )
    after = cpu_sample(group)
    wall = after.clock - before.clock
    ours = ("server", "bench", "postgres", "kernel")
    other = (after.tasks - before.tasks) - sum(
        getattr(after, name) - getattr(before, name) for name in ours
    )
    line = next((s for s in finished.stdout.splitlines() if s.startswith("BENCH_RESULT ")), None)
    if finished.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {target}:\n{finished.stdout}\n{finished.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    requests = data["requests"]
    duration = data["duration_us"] / 1e6
    latency = data["latency_us"]
    return Run(
        target=target,
        started_at=started,
        threads=threads,
        connections=CONNECTIONS,
        seconds=round(duration, 2),
        requests=requests,
        requests_per_second=round(requests / duration, 1),
        p50_ms=latency["p50"] / 1000,
        p90_ms=latency["p90"] / 1000,
        p99_ms=latency["p99"] / 1000,
        max_ms=latency["max"] / 1000,
        body_bytes_per_request=round(data["body_bytes"] / max(requests, 1), 1),
        statuses=data["statuses"],
        errors=data["errors"],
        machine_busy=round((after.busy - before.busy) / (after.total - before.total), 2),
        server_cores=round((after.server - before.server) / wall, 2),
        server_cpu_ms=round((after.server - before.server) * 1000 / max(requests, 1), 2),
        other_cores=round(max(0.0, other) / wall, 2),
    )


def check(run: Run, expect: int) -> None:
    wrong = {s: n for s, n in run.statuses.items() if s != str(expect)}
    if wrong:
        run.problems.append(f"{run.target}: expected {expect} only, got {wrong}")
    errors = {k: n for k, n in run.errors.items() if n and k != "status"}
    if errors:
        run.problems.append(f"{run.target}: socket errors {errors}")
    if run.requests == 0:
        run.problems.append(f"{run.target}: no requests completed")


def check_size(run: Run, expected: int) -> None:
    """The served page is the one measured in process (not a redirect or an error page)."""
    if abs(run.body_bytes_per_request - expected) > SIZE_TOLERANCE * expected:
        run.problems.append(
            f"{run.target}: served {run.body_bytes_per_request:.0f} bytes per response, "
            f"{expected} in process"
        )


def measure_page(page: Page, server: Server, seconds: int) -> Run:
    env = {"BENCH_COOKIE": page.cookie, "BENCH_HTMX": "1" if page.htmx else "0"}
    if not page.savers:
        run = wrk(page.key, server.url + page.path, seconds=seconds, env=env, group=server.group)
        check(run, page.expect)
        return run
    before = versions(page.savers)
    env["BENCH_ORIGIN"] = server.url
    env["BENCH_SAVERS"] = "\n".join(
        f"{s.path}\t{s.cookie}\t{s.body}\t{v}" for s, v in zip(page.savers, before, strict=True)
    )
    run = wrk(
        page.key,
        server.url + page.path,
        seconds=seconds,
        env=env,
        group=server.group,
        threads=len(page.savers),
    )
    check(run, page.expect)
    saved = sum(after - v for after, v in zip(versions(page.savers), before, strict=True))
    # wrk stops with up to one request per connection in flight: those may have saved.
    if not run.requests <= saved <= run.requests + len(page.savers):
        run.problems.append(
            f"{page.key}: {run.requests} requests but the drafts moved {saved} versions "
            "(some requests did not save)"
        )
    return run


def measure_baseline(name: str, server: Server, cookie: str, seconds: int) -> Run:
    run = wrk(
        name, server.url + "/", seconds=seconds, env={"BENCH_COOKIE": cookie}, group=server.group
    )
    check(run, 200)
    return run


# --- The report ------------------------------------------------------------------------


@dataclass
class Row:
    key: str
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    queries: int
    body_bytes: int
    ratio_standard: float
    ratio_bare: float
    standard_neighbours: list[float]
    server_cpu_ms: float
    ms_in_process: float
    sql_ms_in_process: float


def rows(
    runs: list[Run], pages: list[Page], probes: dict[str, Probe]
) -> tuple[list[Row], float, float]:
    """One row per baseline (the mean of its runs) and per page, each page against the
    mean of the standard runs either side of it."""
    bare = statistics.mean(r.requests_per_second for r in runs if r.target == "bare")
    standard = statistics.mean(r.requests_per_second for r in runs if r.target == "standard")

    def row(key: str, label: str, mine: list[Run], neighbours: list[float]) -> Row:
        rps = statistics.mean(r.requests_per_second for r in mine)
        found = probes[key]
        return Row(
            key,
            label,
            round(rps, 1),
            round(statistics.median(r.p50_ms for r in mine), 2),
            round(max(r.p99_ms for r in mine), 2),
            found.queries,
            found.body_bytes,
            round(rps / (statistics.mean(neighbours) if neighbours else standard), 2),
            round(rps / bare, 3),
            neighbours,
            round(statistics.mean(r.server_cpu_ms for r in mine), 2),
            found.ms_in_process,
            found.sql_ms_in_process,
        )

    table = [row(key, label, [r for r in runs if r.target == key], []) for key, label in BASELINES]
    for page in pages:
        i = next(i for i, r in enumerate(runs) if r.target == page.key)
        before = next((r for r in reversed(runs[:i]) if r.target == "standard"), None)
        after = next((r for r in runs[i + 1 :] if r.target == "standard"), None)
        neighbours = [r.requests_per_second for r in (before, after) if r is not None]
        table.append(row(page.key, page.label, [runs[i]], neighbours))
    return table, standard, bare


@dataclass
class Verdict:
    target: str
    figure: str
    passed: bool


def verdicts(table: list[Row], pages: list[Page], probes: dict[str, Probe]) -> list[Verdict]:
    by_key = {row.key: row for row in table}
    found = []
    for page in pages:
        row = by_key[page.key]
        if page.min_ratio is not None and row.ratio_standard is not None:
            found.append(
                Verdict(
                    f"{page.label}: ≥ {page.min_ratio} × standard page",
                    f"{row.ratio_standard:.2f}",
                    row.ratio_standard >= page.min_ratio,
                )
            )
    save = next(p for p in pages if p.savers)
    swap = next(p for p in pages if p.compare_full)
    answer, fragment = probes[save.key].body_bytes, probes[swap.key].body_bytes
    full = probes[swap.key].full_page_bytes or 0
    found += [
        Verdict(
            f"htmx step save: its response < {FRAGMENT_SHARE:.0%} of the full page "
            "(204 + HX-Location, no body)",
            f"{answer} B of {full} B",
            answer < FRAGMENT_SHARE * full,
        ),
        Verdict(
            f"htmx step save: the fragment htmx then swaps in (next step, #wizard) "
            f"< {FRAGMENT_SHARE:.0%} of the full page",
            f"{fragment} B of {full} B = {fragment / max(full, 1):.0%} (the step's in-place "
            f"live-total fragment: {probes[save.key].in_place_fragment_bytes} B)",
            fragment < FRAGMENT_SHARE * full,
        ),
    ]
    for page in pages:
        row = by_key[page.key]
        found.append(
            Verdict(
                f"{page.label}: p99 < {page.max_p99_ms:.0f} ms at {CONNECTIONS} connections",
                f"{row.p99_ms:.1f} ms",
                row.p99_ms < page.max_p99_ms,
            )
        )
    return found


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def ram_gib() -> float | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None


def machine() -> dict[str, Any]:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (postgres,) = cursor.fetchone()
    try:
        os_name = platform.freedesktop_os_release()["PRETTY_NAME"]
    except OSError:
        os_name = platform.system()
    wrk_version = subprocess.run(
        ["wrk", "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    gunicorn_version = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gib": ram_gib(),
        "os": f"{os_name}; kernel {platform.release()}; {platform.machine()}",
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": postgres,
        "gunicorn": gunicorn_version,
        "wrk": wrk_version[0] if wrk_version else "wrk",
    }


def print_report(
    table: list[Row], found: list[Verdict], host: dict[str, Any], duration: int
) -> None:
    print()
    print(
        f"machine: {host['cpu']}, {host['cores']} cores, {host['ram_gib']} GiB; {host['os']}; "
        f"Python {host['python']}; Django {host['django']}; PostgreSQL {host['postgresql']}"
    )
    print(
        f"{host['gunicorn']}: {WORKERS} sync workers each; wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{duration}s --latency (the save: -t{CONNECTIONS} -c{CONNECTIONS})"
    )
    header = (
        f"{'page':32} {'req/s':>7} {'p50 ms':>6} {'p99 ms':>6} {'queries':>7} {'bytes':>6} "
        f"{'×std':>5} {'×bare':>6} {'CPU ms':>6} {'in-proc ms (SQL)':>16}"
    )
    print(header)
    print("-" * len(header))
    for row in table:
        print(
            f"{row.label[:32]:32} {row.requests_per_second:7.1f} {row.p50_ms:6.1f} "
            f"{row.p99_ms:6.1f} {row.queries:7} {row.body_bytes:6} {row.ratio_standard:5.2f} "
            f"{row.ratio_bare:6.3f} {row.server_cpu_ms:6.2f} {row.ms_in_process:9.2f} "
            f"({row.sql_ms_in_process:4.2f})"
        )
    print()
    for verdict in found:
        print(f"{'PASS' if verdict.passed else 'MISS'}  {verdict.target}: {verdict.figure}")
    met = sum(v.passed for v in found)
    print(f"{met} of {len(found)} targets met")


# --- Putting it together ---------------------------------------------------------------


def stop_cleanly_on_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP unwind through the ``finally`` blocks that stop the
    servers. SIGINT gets Python's handler back even when started with it ignored (as a
    background job of a script is)."""

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)


def schedule(pages: list[Page]) -> list[str]:
    """Standard before every page and after the last; bare at the start, middle, end."""
    order = ["bare"]
    for i, page in enumerate(pages):
        if i == len(pages) // 2:
            order.append("bare")
        order += ["standard", page.key]
    return [*order, "standard", "bare"]


def benchmark(
    cast: Cast, duration: int, log_dir: Path
) -> tuple[list[Run], list[Run], dict[str, Probe]]:
    probes = {page.key: probe(page) for page in cast.pages}
    probes["standard"] = baseline_probe("tests.bench.settings_standard", cast.standard_cookie)
    probes["bare"] = baseline_probe("tests.bench.settings_bare", "")
    for key, found in probes.items():
        expect = next((p.expect for p in cast.pages if p.key == key), 200)
        if found.status != expect:
            raise RuntimeError(f"{key} answered {found.status} in process, expected {expect}")
    pages = {page.key: page for page in cast.pages}
    app = Server("app", "tests.bench.settings_app", log_dir)
    standard = Server("standard", "tests.bench.settings_standard", log_dir)
    bare = Server("bare", "tests.bench.settings_bare", log_dir)

    def measure(name: str, seconds: int) -> Run:
        if name == "bare":
            run = measure_baseline(name, bare, "", seconds)
        elif name == "standard":
            run = measure_baseline(name, standard, cast.standard_cookie, seconds)
        else:
            run = measure_page(pages[name], app, seconds)
        check_size(run, probes[name].body_bytes)
        return run

    runs: list[Run] = []
    disturbed: list[Run] = []
    with serving([app, standard, bare]):
        print(f"warming up ({WARM_UP_SECONDS} s per target) …", flush=True)
        for name in ["bare", "standard", *pages]:
            warm = measure(name, WARM_UP_SECONDS)
            if warm.problems:
                raise RuntimeError("; ".join(warm.problems))
        order = schedule(cast.pages)
        repeats = 0
        for n, name in enumerate(order, start=1):
            while True:
                run = measure(name, duration)
                print(
                    f"[{n:2}/{len(order)}] {name:12} {run.requests_per_second:8.1f} req/s  "
                    f"p50 {run.p50_ms:6.1f} ms  p99 {run.p99_ms:6.1f} ms  gunicorn "
                    f"{run.server_cores:.2f} cores, {run.server_cpu_ms:.2f} CPU ms/request; "
                    f"other work {run.other_cores:.2f} cores"
                    + (f"  PROBLEM: {'; '.join(run.problems)}" if run.problems else ""),
                    flush=True,
                )
                if run.other_cores <= DISTURBED_CORES or repeats >= MAX_REPEATS:
                    break
                # Something else on the machine took CPU: measure this one again.
                repeats += 1
                disturbed.append(run)
                print(f"        disturbed by other work; again ({repeats}/{MAX_REPEATS})")
            runs.append(run)
    return runs, disturbed, probes


def profile(cast: Cast, key: str, requests: int) -> None:
    """Time ``requests`` requests of one page in process against the bench database, then
    cProfile as many; the profile is saved for pstats or snakeviz."""
    page = next((p for p in cast.pages if p.key == key), None)
    if page is None:
        raise SystemExit(f"no page {key!r}; choose from {', '.join(p.key for p in cast.pages)}")
    request = requester(page)
    request()
    started = time.perf_counter()
    for _ in range(requests):
        request()
    plain = (time.perf_counter() - started) * 1000 / requests
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        response = request()
    profiler.disable()
    saved = Path(tempfile.gettempdir()) / f"ladder-bench-{key}.prof"
    profiler.dump_stats(saved)
    print(
        f"{page.label}: {plain:.2f} ms per request in process ({requests} requests, status "
        f"{response.status_code}); profile saved to {saved}"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(15)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--users", type=int, default=DEFAULT_USERS, metavar="N")
    parser.add_argument(
        "--duration", type=int, default=DEFAULT_DURATION, metavar="SECONDS", help="per wrk run"
    )
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one page in process instead")
    parser.add_argument("--requests", type=int, default=200, help="requests to profile")
    args = parser.parse_args()
    if args.users < COACH_CLIENTS:
        parser.error(f"--users must be at least {COACH_CLIENTS}: the coach's clients")
    if args.duration < 1:
        parser.error("--duration must be at least 1 second")
    if shutil.which("wrk") is None and not args.profile:
        parser.error("wrk is not installed: apt-get install -y --no-install-recommends wrk")
    started = time.perf_counter()
    stop_cleanly_on_signals()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    created = ensure_database(database_url)
    work = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    try:
        env = environment(database_url, work / "static", secrets.token_urlsafe(50))
        setup_django(env)
        seeding, seeded = seed(args.users)
        print(f"seed_demo --users {args.users}: {seeding:.1f} s. {seeded}", flush=True)
        cast = prepare_cast()
        settle()
        if args.profile:
            profile(cast, args.profile, args.requests)
            return 0
        runs, disturbed, probes = benchmark(cast, args.duration, work)
        table, standard, bare = rows(runs, cast.pages, probes)
        found = verdicts(table, cast.pages, probes)
        host = machine()
        print_report(table, found, host, args.duration)
        wall = time.perf_counter() - started
        problems = [problem for run in runs for problem in run.problems]
        RESULTS.write_text(
            json.dumps(
                {
                    "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "wall_seconds": round(wall, 1),
                    "machine": host,
                    "database": {
                        "url": database_url,
                        "created": created,
                        "users": args.users,
                        "seed_seconds": round(seeding, 1),
                        "seed_demo": seeded,
                        "conn_max_age": DB_CONN_MAX_AGE,
                        "conn_health_checks": True,
                    },
                    "gunicorn": GUNICORN,
                    "wrk": {
                        "threads": THREADS,
                        "connections": CONNECTIONS,
                        "duration_seconds": args.duration,
                        "warm_up_seconds": WARM_UP_SECONDS,
                        "latency": True,
                        "step_save": f"-t{CONNECTIONS} -c{CONNECTIONS}: one draft per thread",
                    },
                    "signed_in": {"person": cast.person, "coach_clients": cast.coach_clients},
                    "baselines": {
                        "standard_mean_rps": round(standard, 1),
                        "bare_mean_rps": round(bare, 1),
                    },
                    "table": [asdict(row) for row in table],
                    "targets": [asdict(v) for v in found],
                    "probes": {key: asdict(p) for key, p in probes.items()},
                    "runs": [asdict(run) for run in runs],
                    "disturbed_runs": [asdict(run) for run in disturbed],
                    "ok": not problems,
                },
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        if disturbed:
            print(f"{len(disturbed)} runs were repeated: other work on the machine during them")
        print(f"written to {RESULTS.relative_to(BASE_DIR)}; wall time {wall / 60:.1f} min")
        for problem in problems:
            print(f"PROBLEM: {problem}")
        return 0 if not problems else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped, nothing written", file=sys.stderr)
        sys.exit(130)
