"""What scripts/demo and scripts/demo-drift share: the narration (`header`, `step`, `say`), a
session with the scratch repository, the daemon and its API (`follow` prints a model's
timeline), the clients that send traffic through the gateway and label every answer, and the
clean-up. Standard library only.
"""
import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

from quickstart_transactions import draw as draw_transaction

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
started = time.monotonic()


def say(text=""):
    print(text, flush=True)


def header(title):
    say()
    say(f"== {title}  [{time.monotonic() - started:5.1f} s]")


def step(text):
    say(f"   {text}")


class DemoFailure(Exception):
    pass


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def port_is_free(hostport):
    host, port = hostport.rsplit(":", 1)
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, int(port)))
            return True
        except OSError:
            return False


def ratio(part, whole):
    return f"{part / whole:.4f}" if whole else "-"


def number(value, form):
    return format(value, form) if isinstance(value, (int, float)) and not isinstance(value, bool) else "-"


class Session:
    """One demo's binary, ports, scratch directory and daemon; exits 2 when the binary is missing or a port is taken.

    `script` names the demo in messages, `make` the target that builds it; `report` is how
    often `follow` repeats a rollout's progress line."""

    def __init__(self, script, make, model, fast, report):
        self.script, self.model, self.fast, self.report = script, model, fast, report
        self.binary = os.path.abspath(os.path.join(ROOT, os.environ.get("SEXTANT") or ".build/debug/sextant"))
        if not os.access(self.binary, os.X_OK):
            print(f"{script}: no sextant binary at {self.binary}; build it with `swift build --product sextant` "
                  f"(or `{make}`), or name one with SEXTANT=PATH", file=sys.stderr)
            sys.exit(2)
        self.gateway, self.listen = self.address("GATEWAY", 8080), self.address("LISTEN", 7070)
        for name, value in (("GATEWAY", self.gateway), ("LISTEN", self.listen)):
            if not port_is_free(value):
                print(f"{script}: {value} is taken (by `make quickstart`'s gateway? `sextant down` stops it); "
                      f"choose another with {name}=127.0.0.1:PORT", file=sys.stderr)
                sys.exit(2)
        self.api = f"http://{self.listen}"
        self.work = tempfile.mkdtemp(prefix="sextant-demo-")
        self.repo, self.state = os.path.join(self.work, "repo"), os.path.join(self.work, "state")
        self.daemon_log = os.path.join(self.work, "daemon.log")
        self.git_env = dict(os.environ, GIT_AUTHOR_NAME="Sextant demo", GIT_AUTHOR_EMAIL="demo@sextant.invalid",
                            GIT_COMMITTER_NAME="Sextant demo", GIT_COMMITTER_EMAIL="demo@sextant.invalid")
        self.daemon = None
        self.last_event = 0
        self.candidates = set()  # the candidate revisions `follow` saw

    def address(self, variable, default_port):
        value = os.environ.get(variable)
        if value:
            return value
        return f"127.0.0.1:{free_port() if self.fast else default_port}"

    def git(self, *arguments, capture=False):
        done = subprocess.run(["git", "-c", "color.ui=never", *arguments], cwd=self.repo, env=self.git_env, check=True,
                              stdout=subprocess.PIPE if capture else subprocess.DEVNULL, text=True)
        return done.stdout if capture else None

    def edit(self, path, replacements):
        """Replaces each `old` by `new` in a file of the scratch repository; each must be found."""
        full = os.path.join(self.repo, path)
        text = open(full).read()
        for old, new in replacements:
            if old not in text:
                raise DemoFailure(f"{path} no longer contains {old.strip()!r}; {self.script} needs updating for the example")
            text = text.replace(old, new, 1)
        with open(full, "w") as out:
            out.write(text)

    def sextant(self, *arguments):
        """Runs a sextant command and prints its output as it is (status exits 1 when Degraded)."""
        say(f"$ sextant {' '.join(arguments)}")
        done = subprocess.run([self.binary, *arguments], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        say(done.stdout.rstrip())
        return done

    def start_daemon(self):
        say(f"$ sextant run --repo {self.repo} --state-dir {self.state} --interval 1s --gateway {self.gateway} --listen {self.listen} &")
        self.daemon = subprocess.Popen([self.binary, "run", "--repo", self.repo, "--state-dir", self.state, "--interval", "1s",
                                        "--gateway", self.gateway, "--listen", self.listen],
                                       stdout=open(self.daemon_log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)  # Ctrl-C reaches the demo, which stops the daemon with SIGTERM
        return self.daemon

    def daemon_gone(self):
        return f"the daemon exited with status {self.daemon.returncode}" if self.daemon.poll() is not None else None

    def get_json(self, path):
        try:
            with urllib.request.urlopen(self.api + path, timeout=5) as answer:
                return json.load(answer)
        except (OSError, ValueError, http.client.HTTPException):
            return None

    def model_status(self):
        document = self.get_json(f"/api/v1/status?name={self.model}")
        for item in (document or {}).get("objects") or []:
            if item.get("kind") == "Model":
                return item
        return None

    def new_events(self):
        events = self.get_json(f"/api/v1/events?since={self.last_event}") or []
        if events:
            self.last_event = events[-1]["id"]
        return events

    def hook(self):
        """The push webhook: the daemon fetches at once (it also polls every second)."""
        try:
            request = urllib.request.Request(self.api + "/api/v1/hooks/git", data=b'{"ref":"refs/heads/main"}', method="POST",
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=5).close()
        except (OSError, http.client.HTTPException):
            pass

    def commit(self, message, show=("models/fraud-detector.yaml",)):
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message)
        say(f"$ git commit -m {json.dumps(message)}")
        for line in self.git("show", "--stat", "--format=%h %s", "HEAD", capture=True).splitlines():
            if line.strip():
                say(f"   {line}")
        for line in self.git("show", "--format=", "-U0", "HEAD", "--", *show, capture=True).splitlines():
            if line[:1] in "+-" and not line.startswith(("+++", "---")):
                say(f"   {line}")
        self.hook()
        return time.monotonic()

    def follow(self, since, deadline, done, failed):
        """Prints the model's events and progress until `done(model, events)`; raises on `failed` or the deadline."""
        seen = []
        last_line, last_report = None, 0.0
        self.candidates.clear()
        while True:
            now = time.monotonic()
            if self.daemon.poll() is not None:
                raise DemoFailure(f"the daemon exited with status {self.daemon.returncode}")
            for event in self.new_events():
                seen.append(event)
                if event.get("kind") == "Model":
                    say(f"   +{now - since:5.1f} s  {event['reason']:<16} {event['message']}")
            model = self.model_status()
            if model:
                if model.get("candidateRevision"):
                    self.candidates.add(model["candidateRevision"])
                line = (model.get("phase"), traffic_text(model), (model.get("rollout") or {}).get("step"))
                if line != last_line or (model.get("phase") == "RollingOut" and now - last_report >= self.report):
                    say(f"   +{now - since:5.1f} s  {'· ' + model.get('phase', '?'):<16} {traffic_text(model):<14} {model.get('message')}")
                    last_line, last_report = line, now
                problem = failed(model, seen)
                if problem:
                    raise DemoFailure(problem)
                if done(model, seen):
                    return model, seen, now - since
            if now - since > deadline:
                raise DemoFailure(f"no milestone after {deadline} s; the model is {model and model.get('phase')}: {model and model.get('message')}")
            time.sleep(0.5)

    def feedback_written(self, accepted):
        """The feedback records the gateway wrote to segments (its /metrics), once they reach `accepted` or after 10 s."""
        pattern = re.compile(r'^sextant_gateway_feedback_records_total\{model="' + re.escape(self.model) + r'",result="written"\} (\d+)$', re.M)
        deadline = time.monotonic() + 10
        while True:
            try:
                with urllib.request.urlopen(f"http://{self.gateway}/metrics", timeout=5) as answer:
                    found = pattern.search(answer.read().decode("utf-8", "replace"))
                written = int(found.group(1)) if found else 0
            except (OSError, http.client.HTTPException):
                written = None
            if written == accepted or time.monotonic() >= deadline:
                return written
            time.sleep(0.5)

    def tail(self, lines=40):
        """The end of the daemon's log, without the passes that did nothing."""
        try:
            text = [line for line in open(self.daemon_log, errors="replace").read().splitlines()
                    if not ("actions=0 " in line and "pass finished" in line)]
        except OSError:
            return
        say(f"--- the daemon's log, last {min(lines, len(text))} lines (idle passes left out): {self.daemon_log}")
        for line in text[-lines:]:
            say(line)
        say("---")

    def stop_everything(self, traffic, labels, keep):
        """Stops the clients, the label sender, the daemon and the data plane, and removes the scratch directory unless `keep`."""
        header("Stopping everything")
        if traffic:
            traffic.stop()
            step("clients stopped")
        if labels:
            labels.stop(flush=False)
        if self.daemon and self.daemon.poll() is None:
            self.daemon.terminate()
            try:
                self.daemon.wait(timeout=60)
                step(f"daemon stopped (SIGTERM, exit status {self.daemon.returncode})")
            except subprocess.TimeoutExpired:
                self.daemon.kill()
                self.daemon.wait()
                step("daemon killed: it did not stop within 60 s of SIGTERM")
        if os.path.isdir(self.state):
            down = subprocess.run([self.binary, "down", "--state-dir", self.state], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            step(f"$ sextant down --state-dir {self.state}: {down.stdout.strip() or 'exit status ' + str(down.returncode)}")
        if keep:
            step(f"kept (KEEP=1): {self.work}  (repo/, state/, daemon.log)")
        else:
            shutil.rmtree(self.work, ignore_errors=True)
            step(f"removed {self.work} (KEEP=1 keeps it)")


def traffic_text(model):
    return " ".join(f"r{t['revision']} {t['weight']}%" for t in model.get("traffic") or [] if t.get("role") in ("stable", "candidate")) or "-"


def answered_label(body):
    """The `predict` of a single-row OIP v2 answer, or None when the answer has none."""
    try:
        for output in json.loads(body).get("outputs") or []:
            if output.get("name") == "predict" and output.get("data"):
                return output["data"][0]
    except (ValueError, AttributeError, TypeError):
        pass
    return None


class Traffic:
    """Clients sending single-row OIP v2 requests through the gateway at a steady rate.

    Each draws a transaction with `draw` (by default as the quickstart's data arose,
    scripts/quickstart_transactions.py; a demo may replace it while the clients run), sends its
    four features with an X-Request-Id of its own, and hands the truth it drew to `labels`
    under the id the gateway answered; it also counts, per revision, how many answers were
    right."""

    def __init__(self, gateway, model, clients, rate, labels):
        self.gateway, self.model, self.clients, self.rate = gateway, model, clients, rate
        self.labels = labels
        self.draw = draw_transaction
        self.counts = {}          # revision → [requests, errors, judged, correct]
        self.last_seen = {}       # revision → monotonic time of its last answer
        self.errors = []          # (time, revision, what) of the first few errors
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.client, args=(index,), daemon=True) for index in range(clients)]

    def start(self):
        for thread in self.threads:
            thread.start()

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def record(self, revision, error, correct=None):
        with self.lock:
            counts = self.counts.setdefault(revision, [0, 0, 0, 0])
            counts[0] += 1
            if error:
                counts[1] += 1
                if len(self.errors) < 10:
                    self.errors.append((time.monotonic() - started, revision, error))
            if correct is not None:
                counts[2] += 1
                counts[3] += correct
            self.last_seen[revision] = time.monotonic()

    def client(self, index):
        rows = random.Random(index)
        host, port = self.gateway.rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        period = self.clients / self.rate
        due = time.monotonic() + index * period / self.clients
        sequence = 0
        while not self.stopping.is_set():
            # Paced, not flat out: a 2-core machine keeps its latency for the SLOs to judge.
            due = max(due + period, time.monotonic() - period)
            wait = due - time.monotonic()  # read once: a second read may be past `due`
            if wait > 0:
                time.sleep(wait)
            row = self.draw(rows)
            sequence += 1
            request_id = f"demo-c{index}-{sequence:07d}"
            body = json.dumps({"parameters": {"content_type": "pd"}, "inputs": [
                {"name": "amount", "datatype": "FP64", "shape": [1], "data": [row.amount]},
                {"name": "hour", "datatype": "INT64", "shape": [1], "data": [row.hour]},
                {"name": "merchant_risk", "datatype": "FP64", "shape": [1], "data": [row.merchant_risk]},
                {"name": "account_age_days", "datatype": "INT64", "shape": [1], "data": [row.account_age_days]}],
                # The probabilities too: the daemon's online AUC needs them.
                "outputs": [{"name": "predict"}, {"name": "predict_proba"}]})
            try:
                connection.request("POST", f"/v2/models/{self.model}/infer", body,
                                   {"Content-Type": "application/json", "X-Request-Id": request_id})
                answer = connection.getresponse()
                text = answer.read()
                revision = answer.getheader("X-Sextant-Revision") or "?"
                if answer.status != 200:
                    self.record(revision, f"HTTP {answer.status}")
                    continue
                self.labels.add(answer.getheader("X-Request-Id") or request_id, row.is_fraud)
                predicted = answered_label(text)
                self.record(revision, None, None if predicted is None else predicted == row.is_fraud)
            except (OSError, http.client.HTTPException) as error:
                self.record("?", f"{type(error).__name__}: {error}")
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=10)
        connection.close()

    def total(self):
        with self.lock:
            return sum(c[0] for c in self.counts.values()), sum(c[1] for c in self.counts.values())
