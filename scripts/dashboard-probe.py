#!/usr/bin/env python3
"""Loads dashboard pages in headless Chromium and reports what a person would have seen.

usage: dashboard-probe.py --chromium PATH --out DIR [--live TEXT] [--timeout SECONDS] URL...

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages separated by NUL on file descriptors 3 and 4), so nothing but Python's standard
library is needed. Each URL is loaded in turn; for each, the console errors, uncaught
exceptions and failed loads while it loaded and until its live script said its event stream
was open (at most 15 s) and half a second more, the document's title, the live line's text
and a full-page screenshot (DIR/NN-<slug>.png).

With --live TEXT, after the last page has loaded the probe marks the window
(`window.__sextantProbe`), writes DIR/ready, and watches the page's <main> until its text
contains TEXT (or --timeout passes): what the dashboard's live script does when an event
arrives. It then reports when the text appeared (epoch milliseconds), whether the page was
reloaded to get there (the mark gone), and takes DIR/live.png.

Prints one JSON document: {"pages": [{"url", "title", "errors": [...], "screenshot"}],
"live": {"appearedAt", "reloaded", "errors", "screenshot"} or null}.
"""
import argparse
import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time


class Browser:
    def __init__(self, chromium, profile):
        commands_read, self._commands = os.pipe()
        self._replies, replies_write = os.pipe()

        def wire():
            os.dup2(commands_read, 3)
            os.dup2(replies_write, 4)

        arguments = [chromium, "--headless=new", "--remote-debugging-pipe", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                     "--disable-extensions", "--hide-scrollbars", "--window-size=1280,1600", f"--user-data-dir={profile}", "about:blank"]
        if os.geteuid() == 0:
            arguments.insert(1, "--no-sandbox")  # Chromium refuses to run as root with its sandbox
        # The child's descriptors are closed after `wire` runs, except those kept: keep 3 and
        # 4 (where `wire` put the pipe's ends), whatever the parent holds under those numbers.
        self.process = subprocess.Popen(arguments, pass_fds=tuple({3, 4, commands_read, replies_write}), preexec_fn=wire,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(replies_write)
        self._buffer = b""
        self._next = 0
        self.events = []
        self.session = None

    def send(self, method, params=None, session=True, timeout=30):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = self._read(deadline)
            if reply is None:
                break
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(f"{method}: no answer from Chromium in {timeout} s")

    def pump(self, seconds):
        """Collects events for `seconds`."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            event = self._read(deadline)
            if event is None:
                return
            self.events.append(event)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            event = self._read(deadline)
            if event is not None:
                self.events.append(event)
        raise TimeoutError(f"no {method} in {timeout} s")

    def _read(self, deadline):
        import select
        while b"\0" not in self._buffer:
            left = deadline - time.time()
            if left <= 0:
                return None
            ready, _, _ = select.select([self._replies], [], [], left)
            if not ready:
                return None
            chunk = os.read(self._replies, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed its DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self):
        try:
            self.send("Browser.close", session=False, timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def problems(events):
    """Console errors, uncaught exceptions and failed loads among `events`, in words."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append("console." + params["type"] + ": " + " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            found.append("uncaught: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip())
    return found


def evaluate(browser, expression):
    result = browser.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
    return result.get("result", {}).get("value")


def screenshot(browser, path):
    data = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, timeout=60)["data"]
    with open(path, "wb") as file:
        file.write(base64.b64decode(data))
    return path


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--live")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("urls", nargs="+")
    options = parser.parse_args()
    os.makedirs(options.out, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="sextant-chromium-")
    browser = Browser(options.chromium, profile)
    report = {"pages": [], "live": None}
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        browser.session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True}, session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.send(f"{domain}.enable")
        for index, url in enumerate(options.urls):
            browser.events.clear()
            browser.send("Page.navigate", {"url": url})
            browser.wait_for("Page.loadEventFired")
            # The live script says when its stream is open (data-live="on"): wait for that
            # (up to 15 s on a loaded machine), then a moment more for late errors to show.
            deadline = time.time() + 15
            while time.time() < deadline and not evaluate(browser, "!!document.querySelector('.live[data-live=on]')"):
                browser.pump(0.05)
            browser.pump(0.5)
            slug = re.sub(r"[^a-z0-9]+", "-", url.split("//", 1)[-1].split("/", 1)[-1].lower()).strip("-") or "overview"
            report["pages"].append({"url": url, "title": evaluate(browser, "document.title"), "errors": problems(browser.events),
                                    "live": evaluate(browser, "(document.querySelector('.live') || {}).textContent || ''"),
                                    "screenshot": screenshot(browser, os.path.join(options.out, f"{index:02d}-{slug}.png"))})
        if options.live:
            browser.events.clear()
            evaluate(browser, "window.__sextantProbe = 1")
            open(os.path.join(options.out, "ready"), "w").close()
            deadline = time.time() + options.timeout
            appeared = None
            needle = json.dumps(options.live)
            while time.time() < deadline:
                if evaluate(browser, f"(document.querySelector('main') || document.body).textContent.indexOf({needle}) >= 0"):
                    appeared = int(time.time() * 1000)
                    break
                browser.pump(0.02)
            report["live"] = {"appearedAt": appeared, "reloaded": evaluate(browser, "window.__sextantProbe !== 1"),
                              "errors": problems(browser.events), "status": evaluate(browser, "(document.querySelector('.live') || {}).textContent || ''"),
                              "screenshot": screenshot(browser, os.path.join(options.out, "live.png"))}
    finally:
        browser.close()
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
