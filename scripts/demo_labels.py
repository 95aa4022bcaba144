"""scripts/demo's feedback source: the labels of the answers its clients got, posted to the
gateway's feedback endpoint (POST /v2/models/NAME/feedback) in batches, as a team's
labelling pipeline would. Standard library only.

A client that got an answer adds its request id and the truth it knows; most labels go in
the next batch (every `period` seconds), a share of them only after `delay` seconds, as
labels that take a while to arrive (a chargeback, a reviewer). Each batch holds at most
`batch` items. The gateway answers 202 {"accepted": n, "rejected": [{"index", "error"}]};
the sender counts both, and an answer that is not a 202 counts its items as failed.
"""
import http.client
import json
import random
import threading
import time


class Labels:
    def __init__(self, gateway, model, delayed_share, delay, period=1.0, batch=500):
        self.host, port = gateway.rsplit(":", 1)
        self.port = int(port)
        self.path = f"/v2/models/{model}/feedback"
        self.delayed_share, self.delay, self.period, self.batch = delayed_share, delay, period, batch
        self.pending = []         # (due (monotonic), delayed?, item), in the order clients added them
        self.sent = self.accepted = self.rejected = self.failed = self.delayed = self.batches = 0
        self.problems = []        # the first few rejections and failed posts, as text
        self.chance = random.Random(0)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.connection = None

    def add(self, request_id, truth):
        """Queues the label of one answered request (its id as the gateway answered it)."""
        with self.lock:
            late = self.chance.random() < self.delayed_share
            self.pending.append((time.monotonic() + (self.delay if late else 0.0), late,
                                 {"id": request_id, "truth": truth}))

    def start(self):
        self.thread.start()

    def stop(self, flush):
        """Stops the sender; with `flush`, posts every label still pending, due or not."""
        self.stopping.set()
        self.thread.join(timeout=30)
        if flush:
            self.post_due(float("inf"))
        if self.connection:
            self.connection.close()

    def run(self):
        while not self.stopping.wait(self.period):
            self.post_due(time.monotonic())

    def post_due(self, now):
        with self.lock:
            due = [entry for entry in self.pending if entry[0] <= now]
            self.pending = [entry for entry in self.pending if entry[0] > now]
        for start in range(0, len(due), self.batch):
            chunk = due[start:start + self.batch]
            self.post([item for _, _, item in chunk], sum(1 for _, late, _ in chunk if late))

    def post(self, items, late):
        body = json.dumps({"feedback": items})
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
            self.connection.request("POST", self.path, body, {"Content-Type": "application/json"})
            answer = self.connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
            result = json.loads(text) if answer.status == 202 else None
        except (OSError, http.client.HTTPException, ValueError) as error:
            if self.connection:
                self.connection.close()
            self.connection = None
            self.count(items, late, None, f"POST {self.path} failed: {type(error).__name__}: {error}")
            return
        if not isinstance(result, dict):
            self.count(items, late, None, f"POST {self.path} answered HTTP {answer.status}: {text[:200]}")
            return
        self.count(items, late, result, None)

    def count(self, items, late, result, failure):
        with self.lock:
            self.sent += len(items)
            self.delayed += late
            self.batches += 1
            if result is None:
                self.failed += len(items)
                self.note(failure)
                return
            rejected = result.get("rejected") or []
            self.accepted += int(result.get("accepted") or 0)
            self.rejected += len(rejected)
            for entry in rejected:
                index = entry.get("index")
                label = items[index]["id"] if isinstance(index, int) and 0 <= index < len(items) else "?"
                self.note(f"label for {label} rejected: {entry.get('error')}")

    def note(self, problem):
        if len(self.problems) < 5:
            self.problems.append(problem)

    def totals(self):
        """(sent, accepted, rejected, failed, delayed, pending) so far."""
        with self.lock:
            return self.sent, self.accepted, self.rejected, self.failed, self.delayed, len(self.pending)
